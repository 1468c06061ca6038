"""A referral to an associate outside the practice (its directory entry is in practice).

Kept apart from the protocol's referrals, which run between two coaches of the practice
(the associate accepts, declines and completes in the app); an outside associate has no
login, so the coach records the referral, the letter goes by email, and the original
engagement waits as referred out until the coach resumes it when the client comes back.
"""

from django.conf import settings
from django.db import models

from followthrough.access import coach_of
from followthrough.clients.models import Engagement
from followthrough.history.models import TrackedModel
from followthrough.practice.models import ExternalAssociate, FocusArea


class ExternalReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The coach's working record; the client sees the move on their file, not this row.
        coach = coach_of(user)
        return self.filter(engagement__coach=coach) if coach is not None else self.none()


class ExternalReferral(TrackedModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="external_referrals")
    associate = models.ForeignKey(ExternalAssociate, on_delete=models.PROTECT, related_name="referrals")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(blank=True, help_text="What the associate should know.")
    consent_at = models.DateTimeField()
    consent_note = models.CharField(max_length=300)
    shares_agreement = models.BooleanField(default=False)
    shares_summaries = models.BooleanField(default=False)
    shares_commitments = models.BooleanField(default=False)
    letter_to = models.EmailField(blank=True)
    letter_sent_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ExternalReferralQuerySet.as_manager()

    history_fields = ("engagement", "associate", "focus_area", "message", "consent_at", "consent_note",
                      "shares_agreement", "shares_summaries", "shares_commitments", "letter_to",
                      "letter_sent_at", "by")
    personal_fields = ("message", "consent_note")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Referral to {self.associate} ({self.focus_area})"

    def history_client_uid(self):
        return self.engagement.client.uid

    def shared_parts(self):
        parts = [("the agreement", self.shares_agreement), ("meeting summaries", self.shares_summaries),
                 ("commitments and what became of them", self.shares_commitments)]
        return [name for name, on in parts if on]
