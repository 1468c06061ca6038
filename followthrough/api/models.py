import hashlib
import secrets

from django.db import models

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
