from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from followthrough.access import ScopedQuerySet
from followthrough.commitments.models import Commitment
from followthrough.commitments.plans import MINUTES_MAX, TOOLS_NEEDED_MAX
from followthrough.history.models import TrackedModel


class PlanRequestQuerySet(ScopedQuerySet):
    coach_lookup = "commitment__engagement__coach"
    client_user_lookup = "commitment__engagement__client__user"

    def unanswered(self):
        return self.filter(answered_at__isnull=True)


class PlanRequest(TrackedModel):
    """The coach asks the client to plan a commitment: the day, the time it needs, the tools.

    The answers are kept here as given, besides being written onto the commitment's plan,
    so the record shows what the client said even if the plan is changed later.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="plan_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField("planned day and time", null=True, blank=True)
    minutes_needed = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)]
    )
    has_tools = models.BooleanField(null=True, blank=True)
    tools_needed = models.CharField(max_length=TOOLS_NEEDED_MAX, blank=True)

    objects = PlanRequestQuerySet.as_manager()

    history_fields = (
        "commitment", "requested_by", "requested_at", "answered_at", "answered_by", "planned_at",
        "minutes_needed", "has_tools", "tools_needed",
    )
    personal_fields = ("tools_needed",)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment"], condition=models.Q(answered_at__isnull=True),
                name="plan_request_one_open_per_commitment",
            ),
        ]

    def __str__(self):
        return f"plan request for {self.commitment}"

    def history_client_uid(self):
        return self.commitment.engagement.client.uid

    @property
    def is_answered(self):
        return self.answered_at is not None
