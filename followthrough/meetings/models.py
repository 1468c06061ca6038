from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from followthrough.access import ScopedQuerySet
from followthrough.clients.models import GAS_LEVELS, Engagement, Goal
from followthrough.history.models import TrackedModel
from followthrough.practice.models import FocusArea

# A held meeting still waiting on its coach: no summary for the client yet, or what was due
# not yet reviewed. The coach's to-do lists them; a partial index keeps just these rows, which
# in a practice that keeps up are few.
AWAITING_COACH = models.Q(status="held") & (models.Q(client_summary="") | models.Q(reviewed_at=None))


class MeetingQuerySet(ScopedQuerySet):
    def held(self):
        return self.filter(status=Meeting.Status.HELD)

    def awaiting_coach(self):
        return self.filter(AWAITING_COACH)


class Meeting(TrackedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    # A planned meeting gets its outcome once; a cancelled one may be planned again.
    MOVES = {
        Status.PLANNED: (Status.HELD, Status.NO_SHOW, Status.CANCELLED),
        Status.CANCELLED: (Status.PLANNED,),
        Status.HELD: (),
        Status.NO_SHOW: (),
    }

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="meetings")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="+")
    private_notes = models.TextField(blank=True, help_text="Only you see these.")
    client_summary = models.TextField(blank=True, help_text="The client may see this summary.")
    paid = models.BooleanField(default=False)
    location = models.CharField(max_length=200, blank=True, help_text="Where you meet, e.g. the office address.")
    video_link = models.URLField(max_length=500, blank=True, help_text="The call's address, if you meet online.")
    reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the commitments due at this meeting were reviewed."
    )

    objects = MeetingQuerySet.as_manager()

    history_fields = (
        "engagement", "status", "starts_at", "duration_minutes", "private_notes",
        "client_summary", "paid", "location", "video_link", "reviewed_at",
    )
    history_m2m = ("focus_areas",)
    personal_fields = ("private_notes", "client_summary", "location", "video_link")

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["engagement", "starts_at"]),
            # Two shapes of the same few rows: by engagement for a planner that starts from the
            # coach's engagements (SQLite), by time for one that walks the oldest first and
            # stops at the to-do's limit (PostgreSQL).
            models.Index(fields=["engagement", "starts_at"], condition=AWAITING_COACH,
                         name="meeting_awaiting_coach"),
            models.Index(fields=["starts_at", "id"], condition=AWAITING_COACH, name="meeting_awaiting_by_time"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} meeting on {self.starts_at:%d %b %Y}"

    def history_client_uid(self):
        return self.engagement.client.uid

    def check_move(self, to_status):
        if to_status == self.status:
            return
        allowed = self.MOVES[self.Status(self.status)]
        if to_status not in allowed:
            current = self.Status(self.status).label.lower()
            options = ", ".join(self.Status(s).label.lower() for s in allowed) or "nothing else"
            raise ValidationError({"status": f"A {current} meeting cannot become "
                                             f"{self.Status(to_status).label.lower()}; "
                                             f"it can become: {options}."})


class GoalScoreQuerySet(ScopedQuerySet):
    coach_lookup = "meeting__engagement__coach"
    client_user_lookup = "meeting__engagement__client__user"


class GoalScore(TrackedModel):
    """The attainment level a goal had reached by a held meeting: the measure of progress."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="goal_scores")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="scores")
    level = models.SmallIntegerField(
        choices=[(lvl, f"{lvl:+d}" if lvl else "0") for lvl in GAS_LEVELS],
        validators=[MinValueValidator(-2), MaxValueValidator(2)],
    )
    note = models.CharField(max_length=300, blank=True)

    objects = GoalScoreQuerySet.as_manager()

    history_fields = ("meeting", "goal", "level", "note")
    personal_fields = ("note",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "goal"], name="goal_score_once_per_meeting"),
        ]

    def history_client_uid(self):
        return self.meeting.engagement.client.uid


class MeetingCheckQuerySet(ScopedQuerySet):
    coach_lookup = "meeting__engagement__coach"
    client_user_lookup = "meeting__engagement__client__user"


# The product's own wording, not a validated instrument: the published alliance scales are
# licensed and may not be copied or adapted. Each is answered 0 (not at all) to 10 (fully).
CHECK_QUESTIONS = {
    "on_what_matters": "We worked on what matters to me.",
    "plan_fits_week": "The plan fits my week.",
    "felt_heard": "I felt heard.",
    "sure_to_do_it": "I am sure I will do what I agreed.",
}
CHECK_LOWEST, CHECK_HIGHEST = 0, 10


def check_answer_field(question):
    return models.PositiveSmallIntegerField(
        question, validators=[MinValueValidator(CHECK_LOWEST), MaxValueValidator(CHECK_HIGHEST)],
    )


class MeetingCheck(TrackedModel):
    """The client's four answers after one held meeting: a meeting check."""

    class Via(models.TextChoices):
        PORTAL = "portal", "In the portal"
        EMAIL_LINK = "email_link", "From the email's links"
        EMAIL_REPLY = "email_reply", "By replying to the email"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="meeting_check")
    on_what_matters = check_answer_field(CHECK_QUESTIONS["on_what_matters"])
    plan_fits_week = check_answer_field(CHECK_QUESTIONS["plan_fits_week"])
    felt_heard = check_answer_field(CHECK_QUESTIONS["felt_heard"])
    sure_to_do_it = check_answer_field(CHECK_QUESTIONS["sure_to_do_it"])
    answered_at = models.DateTimeField()
    answered_via = models.CharField(max_length=20, choices=Via.choices, default=Via.PORTAL)

    objects = MeetingCheckQuerySet.as_manager()

    history_fields = ("meeting", *CHECK_QUESTIONS, "answered_at", "answered_via")
    personal_fields = tuple(CHECK_QUESTIONS)

    class Meta:
        ordering = ["meeting__starts_at", "pk"]

    def __str__(self):
        return f"Meeting check of {self.meeting}"

    def history_client_uid(self):
        return self.meeting.engagement.client.uid

    def answers(self):
        return {name: getattr(self, name) for name in CHECK_QUESTIONS}

    @property
    def score(self):
        """The mean of the four answers, on the same 0–10 scale."""
        values = list(self.answers().values())
        return sum(values) / len(values)
