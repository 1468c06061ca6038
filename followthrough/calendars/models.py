"""Private calendar feeds: a secret address that calendar apps poll without logging in.

Only a hash of the secret is stored, so a copy of the database does not hand out working
feed addresses. Creating and revoking a feed are logged like any record, because a feed
grants read access to someone's schedule.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from followthrough.clients.models import Client
from followthrough.history.models import TrackedModel
from followthrough.practice.models import Coach


class CalendarFeed(TrackedModel):
    coach = models.ForeignKey(Coach, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="calendar_feeds")
    label = models.CharField(max_length=100, blank=True, help_text="e.g. phone, work laptop")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so an owner can tell their feeds apart.
    token_hint = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    history_fields = ("coach", "client", "label", "token_hint", "revoked_at")
    personal_fields = ("label",)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coach__isnull=False, client__isnull=True) | Q(coach__isnull=True, client__isnull=False),
                name="calendar_feed_has_one_owner",
            ),
        ]

    def __str__(self):
        owner = self.coach or self.client
        return f"calendar feed {self.token_hint}… of {owner}"

    def history_client_uid(self):
        return self.client.uid if self.client_id else ""

    def clean(self):
        if bool(self.coach_id) == bool(self.client_id):
            raise ValidationError("A calendar feed belongs to exactly one coach or one client.")

    @property
    def is_active(self):
        return self.revoked_at is None
