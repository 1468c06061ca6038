import re
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef

from followthrough.access import ScopedQuerySet, client_of, coach_of
from followthrough.history import clock
from followthrough.history.models import TrackedModel
from followthrough.practice.models import (
    Coach,
    FocusArea,
    LapseContact,
    LapseReminders,
    Practice,
    validate_timezone,
)


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        coach = coach_of(user)
        if coach is not None:
            # Exists rather than a join: a client re-engaged with the same coach would
            # otherwise appear once per engagement.
            held = Engagement.objects.filter(client=OuterRef("pk"), coach=coach)
            return self.filter(Exists(held))
        if client_of(user) is not None:
            return self.filter(user=user)
        return self.none()


class Client(TrackedModel):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="clients")
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(
        "preferred name", max_length=100, blank=True,
        help_text="What they like to be called in letters and emails; their first name when left empty.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="client_profile",
    )

    objects = ClientQuerySet.as_manager()

    history_fields = ("practice", "full_name", "preferred_name", "email", "phone", "timezone", "user")
    personal_fields = ("full_name", "preferred_name", "email", "phone")

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if not adding and (update_fields is None or {"full_name", "email"} & set(update_fields)):
            # A renamed (or erased) client's engagements sort and are found by the new name
            # and email at once.
            self.engagements.exclude(client_name=self.full_name, client_email=self.email).update(
                client_name=self.full_name, client_email=self.email)

    @property
    def greeting_name(self):
        """The name letters and emails open with, as people write to each other."""
        return self.preferred_name.strip() or next(iter(self.full_name.split()), "there")

    def today(self):
        """The client's own day, for what the client is shown and asked."""
        return clock.today(self.timezone)

    def history_client_uid(self):
        return self.uid


class EngagementQuerySet(ScopedQuerySet):
    coach_lookup = "coach"
    client_user_lookup = "client__user"

    def open(self):
        return self.exclude(state=Engagement.State.ENDED)


class Engagement(TrackedModel):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        REFERRED_OUT = "referred_out", "Referred out"
        ENDED = "ended", "Ended"

    # The moves an engagement may make. Coming back after an ending is a new engagement
    # linked to this one, so the old record stays exactly as it was.
    MOVES = {
        State.ACTIVE: (State.PAUSED, State.REFERRED_OUT, State.ENDED),
        State.PAUSED: (State.ACTIVE, State.ENDED),
        State.REFERRED_OUT: (State.ACTIVE, State.ENDED),
        State.ENDED: (),
    }

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="engagements")
    coach = models.ForeignKey(Coach, on_delete=models.PROTECT, related_name="engagements")
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    started_on = models.DateField()
    check_back_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # When a paused or referred-out engagement last resumed: the engine judges only the
    # meetings since then, so a resume starts clean.
    active_since = models.DateTimeField(null=True, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="continuations"
    )
    # The client's full name and email, copied here so a coach's caseload is sorted by name
    # and searched from one index on the coach's own engagements: through the client's row
    # every page read every one of the coach's clients. Not part of the record (they are the
    # client's, and their history holds them): set when the engagement is made, and by
    # `Client.save` when either changes or is erased.
    client_name = models.CharField(max_length=200, blank=True, editable=False)
    client_email = models.CharField(max_length=254, blank=True, editable=False)

    objects = EngagementQuerySet.as_manager()

    history_fields = ("client", "coach", "state", "started_on", "check_back_on", "ended_on", "active_since",
                      "previous")

    class Meta:
        ordering = ["-started_on", "-created_at"]
        indexes = [models.Index(fields=["coach", "state"]),
                   # The caseload's pages in name order, counted and searched on the index alone.
                   models.Index(fields=["coach", "client_name", "client"], include=["state", "client_email"],
                                name="engagement_caseload_by_name")]

    def __str__(self):
        return f"{self.client} with {self.coach} since {self.started_on:%d %b %Y}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.client_name, self.client_email = self.client.full_name, self.client.email
        super().save(*args, **kwargs)

    def history_client_uid(self):
        return self.client.uid

    def allowed_moves(self):
        return self.MOVES[self.State(self.state)]

    def check_move(self, to_state, *, check_back_on=None):
        """Refuse an illegal move with a message that says which moves are allowed."""
        if to_state not in self.State.values:
            raise ValidationError({"state": f"{to_state!r} is not an engagement state."})
        allowed = self.allowed_moves()
        if to_state not in allowed:
            current = self.State(self.state).label.lower()
            if allowed:
                options = ", ".join(self.State(s).label.lower() for s in allowed)
                hint = f"From {current} it can move to: {options}."
            else:
                hint = "An ended engagement stays ended; re-engage the client as a new engagement."
            raise ValidationError({"state": f"An engagement cannot move from {current} to "
                                            f"{self.State(to_state).label.lower()}. {hint}"})
        if to_state == self.State.PAUSED and check_back_on is None:
            raise ValidationError({"check_back_on": "A pause needs a check-back date."})

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE

    def require_active(self, what):
        if not self.is_active:
            raise ValidationError(
                f"This engagement is {self.get_state_display().lower()}; {what} needs an active engagement."
            )


class EngagementTransition(models.Model):
    """One row per state move: the engagement's own audit trail, in plain terms."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=Engagement.State.choices)
    to_state = models.CharField(max_length=20, choices=Engagement.State.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    check_back_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_state} → {self.to_state} on {self.at:%d %b %Y}"


DEFAULT_CLIENT_RESPONSIBILITIES = (
    "Between meetings I do the actions we agree, by the dates we agree, and I say so early "
    "if something gets in the way."
)
DEFAULT_COACH_SCOPE = (
    "My coach helps me set goals, plan the steps and stay accountable. My coach does not do "
    "my actions for me, not even for an extra fee."
)
DEFAULT_REVIEW_TERMS = (
    "At each meeting we review the actions that were due: kept, partly kept, missed, or "
    "waived when something outside my control prevented them. If several meetings pass "
    "without progress we review this agreement together."
)


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(value):
    """'21:30' -> time(21, 30); '' -> None. Times are stored as text because the event log
    records field values as JSON, which has no time-of-day type."""
    if not value:
        return None
    match = _CLOCK.match(value.strip())
    if match is None:
        raise ValueError(value)
    return time(int(match[1]), int(match[2]))


def validate_clock(value):
    try:
        parse_clock(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a time of day; write it as HH:MM, e.g. 21:30.") from None


class AgreementQuerySet(ScopedQuerySet):
    pass


REMINDER_TERMS = (
    "reminder_before", "reminder_days_before", "reminder_on_day", "reminder_overdue",
    "quiet_hours_start", "quiet_hours_end",
)

# The lapse plan: what the client asked for, when agreeing, should they stop following through.
LAPSE_PLAN = ("lapse_reminders", "lapse_contact", "lapse_referral_wish")


# The lapse plan in the client's own voice, as the portal, the reaffirm step and the letters quote it.
LAPSE_REMINDER_WORDS = {
    LapseReminders.QUIET: "remind me gently, no more",
    LapseReminders.NORMAL: "remind me as we agreed",
    LapseReminders.FIRM: "remind me firmly and follow up",
}
LAPSE_CONTACT_WORDS = {
    LapseContact.NEXT_MEETING: "talk it over at our next meeting",
    LapseContact.REACH_OUT: "reach out to me in between",
}


class Agreement(TrackedModel):
    """One version of an engagement's service agreement; renegotiating adds a version."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    came_for = models.TextField("what the client came for")
    primary_focus = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="+")
    meeting_cadence = models.CharField(max_length=200)
    fee_amount = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    fee_currency = models.CharField(max_length=3, default="EUR")
    fee_terms = models.CharField(max_length=200, blank=True, help_text="e.g. per meeting, paid monthly")
    call_to_action = models.TextField()
    client_responsibilities = models.TextField(default=DEFAULT_CLIENT_RESPONSIBILITIES)
    coach_scope = models.TextField(default=DEFAULT_COACH_SCOPE)
    review_terms = models.TextField(default=DEFAULT_REVIEW_TERMS)
    renegotiation_reason = models.TextField(blank=True)
    # Reminder preferences are terms like any other: agreed with the client, versioned and
    # acknowledged. All three kinds off means no reminders. Quiet hours are in the client's
    # time zone; a reminder falling inside them waits until they end.
    reminder_before = models.BooleanField("remind before the due date", default=True)
    reminder_days_before = models.PositiveSmallIntegerField(
        "days before the due date", default=1,
        validators=[
            MinValueValidator(1, "Days before the due date must be at least 1."),
            MaxValueValidator(14, "Days before the due date can be at most 14."),
        ],
    )
    reminder_on_day = models.BooleanField("remind on the due date", default=True)
    reminder_overdue = models.BooleanField("one notice when overdue", default=True)
    quiet_hours_start = models.CharField(
        "quiet hours start", max_length=5, blank=True, validators=[validate_clock],
        help_text="HH:MM in the client's time zone, e.g. 21:00",
    )
    quiet_hours_end = models.CharField(
        "quiet hours end", max_length=5, blank=True, validators=[validate_clock],
        help_text="HH:MM in the client's time zone, e.g. 08:00",
    )
    lapse_reminders = models.CharField(
        "how firmly to be reminded if I stop following through", max_length=10,
        choices=LapseReminders.choices, default=LapseReminders.NORMAL,
    )
    lapse_contact = models.CharField(
        "if I stop following through", max_length=20,
        choices=LapseContact.choices, default=LapseContact.NEXT_MEETING,
    )
    lapse_referral_wish = models.TextField(
        "whom I would like to be referred to if my focus moves", blank=True,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_name = models.CharField(max_length=200, blank=True)

    objects = AgreementQuerySet.as_manager()

    history_fields = (
        "engagement", "version", "came_for", "primary_focus", "meeting_cadence", "fee_amount",
        "fee_currency", "fee_terms", "call_to_action", "client_responsibilities", "coach_scope",
        "review_terms", "renegotiation_reason", "acknowledged_at", "acknowledged_name",
        *REMINDER_TERMS, *LAPSE_PLAN,
    )
    personal_fields = ("came_for", "call_to_action", "renegotiation_reason", "acknowledged_name", "lapse_referral_wish")

    class Meta:
        ordering = ["engagement", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "version"], name="agreement_unique_version"),
        ]

    def __str__(self):
        return f"Agreement v{self.version}"

    def history_client_uid(self):
        return self.engagement.client.uid

    @property
    def is_acknowledged(self):
        return self.acknowledged_at is not None

    def lapse_plan_choices(self):
        """The lapse plan as the client chose it, each choice in their own words."""
        choices = [LAPSE_REMINDER_WORDS.get(self.lapse_reminders, self.lapse_reminders),
                   LAPSE_CONTACT_WORDS.get(self.lapse_contact, self.lapse_contact)]
        wish = (self.lapse_referral_wish or "").strip()
        if wish:
            choices.append(f"if my focus moves, I'd like to be referred to {wish}")
        return choices

    @property
    def lapse_plan_words(self):
        """'If I stop following through: remind me firmly and follow up; reach out to me in between.'"""
        return "If I stop following through: " + "; ".join(self.lapse_plan_choices()).rstrip(".") + "."

    @property
    def wants_reminders(self):
        return self.reminder_before or self.reminder_on_day or self.reminder_overdue

    def quiet_hours(self):
        """(start, end) as times, or None when the client has no quiet hours."""
        if not (self.quiet_hours_start and self.quiet_hours_end):
            return None
        return parse_clock(self.quiet_hours_start), parse_clock(self.quiet_hours_end)

    def clean(self):
        errors = {}
        start, end = (self.quiet_hours_start or "").strip(), (self.quiet_hours_end or "").strip()
        try:
            start_at, end_at = parse_clock(start), parse_clock(end)
        except ValueError:
            return  # the field validators already name the malformed time
        if start and not end:
            errors["quiet_hours_end"] = "Quiet hours need an end time as well as a start time."
        elif end and not start:
            errors["quiet_hours_start"] = "Quiet hours need a start time as well as an end time."
        elif start_at is not None and start_at == end_at:
            errors["quiet_hours_end"] = "Quiet hours must end at a different time than they start."
        if errors:
            raise ValidationError(errors)
        # One spelling per time, so '9:00' and '09:00' never read as a change of terms.
        self.quiet_hours_start = start_at.strftime("%H:%M") if start_at else ""
        self.quiet_hours_end = end_at.strftime("%H:%M") if end_at else ""


class GoalQuerySet(ScopedQuerySet):
    coach_lookup = "agreement__engagement__coach"
    client_user_lookup = "agreement__engagement__client__user"


GAS_LEVELS = (-2, -1, 0, 1, 2)


class Goal(TrackedModel):
    """An outcome of one agreement version, optionally with Goal Attainment Scaling levels.

    Renegotiation copies the goals into the new version (`carried_from`), so each version
    shows exactly the goals the client acknowledged.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="goals")
    title = models.CharField(max_length=300)
    measure = models.CharField(max_length=300, blank=True, help_text="How progress is seen or counted.")
    level_minus_2 = models.CharField("much less than expected (-2)", max_length=300, blank=True)
    level_minus_1 = models.CharField("somewhat less than expected (-1)", max_length=300, blank=True)
    level_0 = models.CharField("expected outcome (0)", max_length=300, blank=True)
    level_plus_1 = models.CharField("somewhat more than expected (+1)", max_length=300, blank=True)
    level_plus_2 = models.CharField("much more than expected (+2)", max_length=300, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_into"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = GoalQuerySet.as_manager()

    LEVEL_FIELDS = ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")
    history_fields = ("agreement", "title", "measure", *LEVEL_FIELDS, "carried_from", "position")
    personal_fields = ("title", "measure", *LEVEL_FIELDS)

    class Meta:
        ordering = ["agreement", "position", "pk"]

    def __str__(self):
        return self.title

    def history_client_uid(self):
        return self.agreement.engagement.client.uid

    def clean(self):
        levels = [getattr(self, f).strip() for f in self.LEVEL_FIELDS]
        if any(levels) and not self.level_0.strip():
            raise ValidationError(
                {"level_0": "Attainment levels need the expected outcome (level 0) described."}
            )

    @property
    def has_levels(self):
        return bool(self.level_0.strip())

    def levels(self):
        return [(lvl, getattr(self, f)) for lvl, f in zip(GAS_LEVELS, self.LEVEL_FIELDS, strict=True)
                if getattr(self, f)]


class PlannedBreakQuerySet(ScopedQuerySet):
    def in_force(self):
        return self.filter(cancelled_at__isnull=True)

    def covering(self, day):
        return self.in_force().filter(starts_on__lte=day, ends_on__gte=day)


class PlannedBreak(TrackedModel):
    """A period agreed ahead (a holiday, surgery) in which the work rests: what falls due
    in it is waived with the break as the reason, and nothing in it counts either way.

    A break is cancelled, never deleted, so the record shows it was planned."""

    LONGEST_DAYS = 366

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="planned_breaks")
    starts_on = models.DateField("first day of the break")
    ends_on = models.DateField("last day of the break")
    reason = models.CharField(max_length=200, help_text="e.g. holiday, surgery")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = PlannedBreakQuerySet.as_manager()

    history_fields = ("engagement", "starts_on", "ends_on", "reason", "recorded_by", "cancelled_at")
    personal_fields = ("reason",)

    class Meta:
        ordering = ["engagement", "starts_on", "pk"]
        indexes = [models.Index(fields=["engagement", "starts_on"])]

    def __str__(self):
        return f"Break {self.starts_on:%d %b %Y}–{self.ends_on:%d %b %Y}: {self.reason}"

    def history_client_uid(self):
        return self.engagement.client.uid

    @property
    def in_force(self):
        return self.cancelled_at is None

    def covers(self, day):
        return self.in_force and self.starts_on <= day <= self.ends_on

    @property
    def dates(self):
        """'3–17 Aug', '28 Jul–3 Aug', '28 Dec 2026–3 Jan 2027': as short as stays clear."""
        start, end = self.starts_on, self.ends_on
        if start == end:
            return f"{end.day} {end:%b}"
        if start.year != end.year:
            return f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"
        if start.month != end.month:
            return f"{start.day} {start:%b}–{end.day} {end:%b}"
        return f"{start.day}–{end.day} {end:%b}"

    @property
    def words(self):
        """The break as the lists show it: 'holiday 3–17 Aug'."""
        return f"{self.reason.strip()} {self.dates}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Say what the break is for, e.g. holiday or surgery."})
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": "A break cannot end before it starts."})
            if (self.ends_on - self.starts_on).days >= self.LONGEST_DAYS:
                raise ValidationError(
                    {"ends_on": "A break can last at most a year; for longer, pause the engagement."}
                )
