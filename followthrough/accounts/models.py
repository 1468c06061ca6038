import hashlib
import secrets

from django.conf import settings
from django.db import models

from followthrough.clients.models import Client
from followthrough.history import clock
from followthrough.history.models import TrackedModel
from followthrough.practice.models import Coach, Practice

TOKEN_PREFIX = "ft_"  # noqa: S105 - a public prefix that marks tokens, not a secret


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(TrackedModel):
    """A coach's personal API token. Only its hash is stored; the token is shown once."""

    coach = models.ForeignKey(Coach, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    history_fields = ("coach", "name", "token_hash", "hint", "revoked_at")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def generate():
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class PortalLink(models.Model):
    """A single-use sign-in link sent to a client by email.

    Only a hash of the token is kept, so a copy of the database cannot be used to sign in.
    Links are a means of getting in, not part of the client's record, so they are not in
    the event log; the account they create is.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_links")
    token_hash = models.CharField(max_length=64, unique=True)
    next_path = models.CharField(max_length=300, blank=True)
    sent_to = models.EmailField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "created_at"])]

    def __str__(self):
        return f"sign-in link for {self.client} until {self.expires_at:%d %b %Y %H:%M}"


class PracticeSecurity(TrackedModel):
    """What a practice asks of its coaches' sign-ins; set by a practice admin."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="security")
    require_two_factor = models.BooleanField(
        default=False, help_text="Every coach of the practice signs in with a code from an authenticator app.")

    history_fields = ("practice", "require_two_factor")

    def __str__(self):
        return f"sign-in rules of {self.practice}"


class AccountSecurity(TrackedModel):
    """When a person's sign-in protections changed, for the event log.

    The second factor's secret lives in django-otp's device tables and is never written
    to the log; this record says only that it was turned on or off, and when.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security")
    two_factor_since = models.DateTimeField(null=True, blank=True)
    recovery_codes_made_at = models.DateTimeField(null=True, blank=True)
    signed_out_everywhere_at = models.DateTimeField(null=True, blank=True)

    history_fields = ("user", "two_factor_since", "recovery_codes_made_at", "signed_out_everywhere_at")

    def __str__(self):
        return f"sign-in protections of {self.user}"


class SignedInSession(models.Model):
    """A session someone signed in with, so "log out everywhere" can end each of them
    without reading every session in the database."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"session of {self.user} since {self.created_at:%d %b %Y %H:%M}"


class ThrottleHit(models.Model):
    """One attempt at something rate-limited (a sign-in link request from an address).

    Rows in the database, not a per-process cache, so the limit holds across the web
    server's threads and processes and across restarts.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self):
        return f"{self.scope} {self.key} at {self.at:%d %b %Y %H:%M}"
