import hashlib
import secrets

from django.conf import settings
from django.db import models

from followthrough.clients.models import Client
from followthrough.history import clock
from followthrough.history.models import TrackedModel
from followthrough.practice.models import Coach

TOKEN_PREFIX = "ft_"


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
