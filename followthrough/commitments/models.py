import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from followthrough.access import ScopedQuerySet
from followthrough.clients.models import Engagement
from followthrough.history.models import TrackedModel
from followthrough.meetings.models import Meeting

from .plans import MINUTES_MAX, TOOLS_NEEDED_MAX

# How a commitment waived for a planned break gives its reason: "planned break: holiday 3–17 Aug".
BREAK_REASON_PREFIX = "planned break: "


# The client says it is done and the coach has not confirmed it yet: the coach's to-do lists
# these, and a partial index keeps just these few rows.
REPORTED_DONE = models.Q(outcome="open", client_reported_done_at__isnull=False)


class CommitmentQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(outcome=Commitment.Outcome.OPEN)

    def reported_done(self):
        return self.filter(REPORTED_DONE)

    def due_for_review_at(self, meeting):
        """What a meeting reviews: open commitments due by its day, and those it already reviewed."""
        return self.filter(engagement_id=meeting.engagement_id).filter(
            models.Q(outcome=Commitment.Outcome.OPEN, due_on__lte=meeting.starts_at.date())
            | models.Q(reviewed_in=meeting)
        ).exclude(made_at=meeting)


class Commitment(TrackedModel):
    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        PARTLY_KEPT = "partly_kept", "Partly kept"
        MISSED = "missed", "Missed"
        WAIVED = "waived", "Waived"
        # The engagement was paused, ended or referred out while it was open: neither kept
        # nor missed, so it changes no figure.
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Derivation(models.TextChoices):
        NONE = "", "New"
        REINSTATED = "reinstated", "Reinstated"
        TRIMMED = "trimmed", "Trimmed"
        PREPARATION = "preparation", "Preparation"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="commitments")
    made_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments_made"
    )
    description = models.TextField()
    due_on = models.DateField()

    # The plan: when the client will do it, how long it takes, and what it needs.
    planned_at = models.DateTimeField("planned day and time", null=True, blank=True)
    minutes_needed = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)]
    )
    tools_needed = models.CharField(max_length=TOOLS_NEEDED_MAX, blank=True)
    has_tools = models.BooleanField("client has the tools", null=True, blank=True)

    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    kept_fraction = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
    )
    client_reason = models.TextField("the client's words on why", blank=True)
    withdrawn_reason = models.CharField("why it was withdrawn", max_length=300, blank=True)
    # Set when the commitment was waived because it fell due in a planned break.
    waived_for_break = models.ForeignKey(
        "clients.PlannedBreak", null=True, blank=True, on_delete=models.PROTECT, related_name="waived_commitments"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments_reviewed"
    )

    # The client's own word that it is done. Only the coach sets the outcome, at the review,
    # so a report leaves the commitment open until then.
    client_reported_done_at = models.DateTimeField("client reported done at", null=True, blank=True)
    client_report_note = models.TextField("client's note on it", blank=True)
    client_report_via = models.CharField(
        "how the client reported it", max_length=20, blank=True,
        choices=[("portal", "In the portal"), ("email_reply", "By replying to a reminder")],
    )

    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    derivation = models.CharField(max_length=20, choices=Derivation.choices, blank=True, default="")

    objects = CommitmentQuerySet.as_manager()

    history_fields = (
        "engagement", "made_at", "description", "due_on", "planned_at", "minutes_needed",
        "tools_needed", "has_tools", "outcome", "kept_fraction", "client_reason", "withdrawn_reason", "reviewed_at",
        "reviewed_in", "derived_from", "derivation", "client_reported_done_at", "client_report_note",
        "client_report_via", "waived_for_break",
    )
    personal_fields = ("description", "tools_needed", "client_reason", "withdrawn_reason", "client_report_note")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["engagement", "outcome", "due_on"]),
            # All three columns the to-do's query tests, so SQLite (which keeps no statistics)
            # prefers it to the index above, and reads no commitment row to find the few.
            models.Index(fields=["engagement", "outcome", "client_reported_done_at"], condition=REPORTED_DONE,
                         name="commitment_reported_done"),
        ]

    def __str__(self):
        return self.description[:80]

    def history_client_uid(self):
        return self.engagement.client.uid

    @property
    def is_open(self):
        return self.outcome == self.Outcome.OPEN

    @property
    def break_words(self):
        """For a commitment waived because it fell due in a planned break, the break as the
        lists show it ('holiday 3–17 Aug'), without loading the break; else ''."""
        if not self.waived_for_break_id:
            return ""
        return self.client_reason.removeprefix(BREAK_REASON_PREFIX)

    def clean(self):
        errors = {}
        if self.outcome == self.Outcome.PARTLY_KEPT:
            if self.kept_fraction is None:
                errors["kept_fraction"] = "Say how much was done, as a share between 0.01 and 0.99."
        elif self.kept_fraction is not None:
            errors["kept_fraction"] = "Only a partly kept commitment has a kept share."
        if self.planned_at is not None and self.due_on is not None:
            planned_day = timezone.localtime(self.planned_at, zoneinfo.ZoneInfo(self.engagement.client.timezone)).date()
            if planned_day > self.due_on:
                errors["planned_at"] = (f"The planned day ({planned_day:%-d %b}) is after the due date "
                                        f"({self.due_on:%-d %b}); plan it on or before the day it is due.")
        if bool(self.derived_from_id) != bool(self.derivation):
            errors["derivation"] = "A reinstated, trimmed or preparation commitment names the one it comes from."
        if errors:
            raise ValidationError(errors)
