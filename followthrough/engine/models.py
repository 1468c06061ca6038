"""What the engine stores: the thresholds it judges by, the flags it raises, and who is
scanning which engagement right now.

Flags are rows, never actions: a flag is raised when a condition starts and cleared when
it stops, and a condition that comes back later is a new row, so the history of when an
engagement needed attention is itself part of the record.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from followthrough.access import coach_of
from followthrough.clients.models import Engagement
from followthrough.history.models import TrackedModel, time_ordered_uuid
from followthrough.practice.models import Coach, Practice

# Shares are compared with this slack so that a share equal to its threshold on paper
# (2 of 3 topics against a 2/3 threshold) is judged equal despite binary rounding.
EPSILON = 1e-9


class Defaults:
    followthrough_below = 0.5
    nonproductive_meetings = 3
    drift_meetings = 3
    drift_share = 2 / 3
    no_show_run = 2
    # A meeting check's score (the mean of its four 0-10 answers) this far below the
    # client's own earlier scores is an alliance drop; so are this many falls in a row.
    alliance_drop_points = 2.0
    alliance_falls_in_row = 2


# name -> (label used in messages, kind)
THRESHOLD_FIELDS = {
    "followthrough_below": ("follow-through threshold", "fraction"),
    "nonproductive_meetings": ("nonproductive window (held meetings)", "window"),
    "drift_meetings": ("focus-drift window (held meetings)", "window"),
    "drift_share": ("focus-drift share", "fraction"),
    "no_show_run": ("no-shows in a row", "window"),
    "alliance_drop_points": ("alliance-drop fall (points of 10)", "points"),
    "alliance_falls_in_row": ("meeting checks falling in a row", "checks"),
}


def check_thresholds(values):
    """Refuse out-of-range settings with a message that names the field it is about."""
    errors = {}
    for name, value in values.items():
        if value is None or name not in THRESHOLD_FIELDS:
            continue
        label, kind = THRESHOLD_FIELDS[name]
        if kind == "fraction":
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[name] = f"{name} ({label}) must be a number between 0 and 1; got {value!r}."
                continue
            if not 0 <= number <= 1:
                errors[name] = f"{name} ({label}) must be a fraction between 0 and 1; got {value}."
        elif kind == "points":
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[name] = f"{name} ({label}) must be a number of points above 0 and up to 10; got {value!r}."
                continue
            if isinstance(value, bool) or not 0 < number <= 10:
                errors[name] = f"{name} ({label}) must be more than 0 and at most 10 points; got {value}."
        else:
            unit = "meeting checks" if kind == "checks" else "meetings"
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = f"{name} ({label}) must be a whole number of {unit}; got {value!r}."
            elif value < 1:
                errors[name] = f"{name} ({label}) must be at least 1 {unit[:-1]}; got {value}."
            elif value > 50:
                errors[name] = f"{name} ({label}) can be at most 50 {unit}; got {value}."
    if errors:
        raise ValidationError(errors)


class PracticeThresholds(TrackedModel):
    """The numbers the engine judges by. Fractions are floats so that 2/3 is exactly what
    the default says, which no fixed number of decimals could hold."""

    practice = models.OneToOneField(Practice, on_delete=models.PROTECT, related_name="thresholds")
    followthrough_below = models.FloatField(
        default=Defaults.followthrough_below,
        help_text="A reviewed meeting whose follow-through is below this share counts as a bad one.",
    )
    nonproductive_meetings = models.PositiveSmallIntegerField(
        default=Defaults.nonproductive_meetings,
        help_text="How many reviewed meetings in a row must be bad, with no goal progress.",
    )
    drift_meetings = models.PositiveSmallIntegerField(
        default=Defaults.drift_meetings, help_text="How many recent held meetings focus drift looks at."
    )
    drift_share = models.FloatField(
        default=Defaults.drift_share,
        help_text="Share of discussed focus areas outside the agreed focus that counts as drift.",
    )
    no_show_run = models.PositiveSmallIntegerField(
        default=Defaults.no_show_run, help_text="How many no-shows in a row raise a flag."
    )
    alliance_drop_points = models.FloatField(
        default=Defaults.alliance_drop_points,
        help_text="How far (points of 10) a meeting check may fall below the client's earlier ones.",
    )
    alliance_falls_in_row = models.PositiveSmallIntegerField(
        default=Defaults.alliance_falls_in_row, help_text="How many meeting checks falling in a row raise a flag."
    )

    history_fields = ("practice", *THRESHOLD_FIELDS)

    class Meta:
        verbose_name_plural = "practice thresholds"

    def __str__(self):
        return f"Thresholds of {self.practice}"

    def clean(self):
        check_thresholds({name: getattr(self, name) for name in THRESHOLD_FIELDS})


class CoachThresholds(TrackedModel):
    """A coach's own overrides; an empty field falls back to the practice's value."""

    coach = models.OneToOneField(Coach, on_delete=models.PROTECT, related_name="thresholds")
    followthrough_below = models.FloatField(null=True, blank=True)
    nonproductive_meetings = models.PositiveSmallIntegerField(null=True, blank=True)
    drift_meetings = models.PositiveSmallIntegerField(null=True, blank=True)
    drift_share = models.FloatField(null=True, blank=True)
    no_show_run = models.PositiveSmallIntegerField(null=True, blank=True)
    alliance_drop_points = models.FloatField(null=True, blank=True)
    alliance_falls_in_row = models.PositiveSmallIntegerField(null=True, blank=True)

    history_fields = ("coach", *THRESHOLD_FIELDS)

    class Meta:
        verbose_name_plural = "coach thresholds"

    def __str__(self):
        return f"Thresholds of {self.coach}"

    def clean(self):
        check_thresholds({name: getattr(self, name) for name in THRESHOLD_FIELDS})


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(cleared_at__isnull=True)

    def visible_to(self, user):
        # Flags are the coach's working signals, not part of what a client is shown.
        coach = coach_of(user)
        if coach is None:
            return self.none()
        return self.filter(engagement__coach=coach)


class Flag(TrackedModel):
    class Kind(models.TextChoices):
        NONPRODUCTIVE = "nonproductive", "Nonproductive phase"
        FOCUS_DRIFT = "focus_drift", "Focus drift"
        NO_SHOWS = "no_shows", "No-shows in a row"
        ALLIANCE_DROP = "alliance_drop", "Alliance drop"

    # Time-ordered: a scan writes flags by the thousand (see `time_ordered_uuid`).
    uid = models.UUIDField(default=time_ordered_uuid, unique=True, editable=False)

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    objects = FlagQuerySet.as_manager()

    history_fields = ("engagement", "kind", "raised_at", "cleared_at", "evidence")

    class Meta:
        ordering = ["-raised_at", "pk"]
        constraints = [
            # Two scanners racing on one engagement can never leave two open flags of a kind.
            models.UniqueConstraint(
                fields=["engagement", "kind"], condition=Q(cleared_at__isnull=True),
                name="engine_flag_one_open_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["engagement", "cleared_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({'open' if self.is_open else 'cleared'})"

    @property
    def is_open(self):
        return self.cleared_at is None

    def history_client_uid(self):
        return self.engagement.client.uid

    def get_absolute_url(self):
        return f"/flags/{self.uid}/"


class EngagementScan(models.Model):
    """Scan bookkeeping for one engagement; operational, so not part of the event log.

    `claim_token` is set by a conditional UPDATE, so a second scanner skips engagements a
    first one is working on; `claimed_until` lets work left by a crashed scanner be taken
    over after the lease runs out.
    """

    engagement = models.OneToOneField(
        Engagement, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # NULL, not "", means unclaimed, so the claim test is one IS NULL on an indexed column.
    claim_token = models.CharField(max_length=36, null=True, blank=True, db_index=True)  # noqa: DJ001
    claimed_until = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"scan state of engagement {self.engagement_id}"
