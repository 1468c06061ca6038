from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from followthrough.access import ScopedQuerySet, client_of, coach_of
from followthrough.clients.models import Engagement
from followthrough.history import clock
from followthrough.history.models import TrackedModel
from followthrough.practice.models import Coach, FocusArea


class Step(models.TextChoices):
    REFER = "refer", "Refer"
    REAFFIRM = "reaffirm", "Reaffirm the agreement"
    REVIEW_FILE = "review_file", "Review the file"
    NEW_GOAL = "new_goal", "Set a new goal"
    FINAL_REVIEW = "final_review", "Final review"


STEP_ORDER = (Step.REFER, Step.REAFFIRM, Step.REVIEW_FILE, Step.NEW_GOAL, Step.FINAL_REVIEW)

STEP_REASONS = {
    Step.REFER: "The client's attention has moved away from the agreed focus: amend the agreement "
                "to the new focus or refer the client to an associate who specialises in it.",
    Step.REAFFIRM: "Go back to what the client came for and what each side agreed to do.",
    Step.REVIEW_FILE: "Show the client the record of commitments made and kept over recent meetings.",
    Step.NEW_GOAL: "Reinstate a missed commitment with a concrete plan, or set a smaller one "
                   "due before the next meeting.",
    Step.FINAL_REVIEW: "Review the agreement and what was done over the whole intervention, "
                       "and decide together how to go on.",
}


# Why reaffirming comes first after an alliance drop: the client's own answers fell before
# their follow-through did, so the work is tuned to them again before anything is asked.
ALLIANCE_DROP_REASON = (
    "The client's meeting checks fell: they feel less that the work is about what matters to them. "
    "Before follow-through slips, go back to what they came for and what matters to them now, "
    "and agree again what each side does; ask what would make the plan fit their week."
)


class InterventionQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Intervention(TrackedModel):
    """One run of the protocol for one engagement. Its steps are rows, written in order."""

    class Trigger(models.TextChoices):
        NONPRODUCTIVE = "nonproductive", "Nonproductive phase"
        DRIFT = "drift", "Focus drift"
        NO_SHOWS = "no_shows", "Missed meetings"
        ALLIANCE_DROP = "alliance_drop", "Alliance drop"
        MANUAL = "manual", "Opened by the coach"

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", "Recovered"
        BACK_ON_TRACK = "back_on_track", "Back on track (final review)"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"
        REFERRED = "referred", "Referred to an associate"
        AMENDED = "amended", "Agreement amended to the new focus"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="interventions")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # A copy of the flag's evidence as it stood when the coach opened the intervention, so the
    # record still shows why after the flag itself is cleared.
    trigger_evidence = models.JSONField(default=dict, blank=True)
    flag_uid = models.CharField(max_length=36, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    last_step = models.CharField(max_length=20, choices=Step.choices, blank=True)

    objects = InterventionQuerySet.as_manager()

    history_fields = ("engagement", "trigger", "trigger_evidence", "flag_uid", "opened_at", "closed_at",
                      "outcome", "last_step")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["engagement"], condition=Q(closed_at__isnull=True),
                                    name="one_open_intervention_per_engagement"),
        ]

    def __str__(self):
        return f"Intervention for {self.engagement.client} opened {self.opened_at:%d %b %Y}"

    def history_client_uid(self):
        return self.engagement.client.uid

    @property
    def is_open(self):
        return self.closed_at is None

    def allowed_steps(self):
        """Forward only: any step after the last one recorded. Refer stays open until the final
        review, since a drift can show up at any point."""
        if not self.is_open:
            return ()
        if not self.last_step:
            return STEP_ORDER
        done = STEP_ORDER.index(Step(self.last_step))
        later = STEP_ORDER[done + 1:]
        if Step.REFER not in later and self.last_step not in (Step.REFER, Step.FINAL_REVIEW):
            later = (Step.REFER, *later)
        return later

    def recommended_step(self):
        """(step, reason) the product recommends next; drift points to referral first."""
        allowed = self.allowed_steps()
        if not allowed:
            return None, ""
        if self.trigger == self.Trigger.DRIFT and not self.last_step:
            return Step.REFER, STEP_REASONS[Step.REFER]
        if self.trigger == self.Trigger.ALLIANCE_DROP and not self.last_step:
            return Step.REAFFIRM, ALLIANCE_DROP_REASON
        for step in STEP_ORDER[1:]:
            if step in allowed:
                return step, STEP_REASONS[step]
        return allowed[0], STEP_REASONS[allowed[0]]

    def check_step(self, step):
        if not self.is_open:
            raise ValidationError({"step": "This intervention is closed; open a new one if needed."})
        if step not in Step.values:
            raise ValidationError({"step": f"{step!r} is not a protocol step."})
        allowed = self.allowed_steps()
        if step not in allowed:
            last = Step(self.last_step).label.lower() if self.last_step else "opening"
            options = ", ".join(Step(s).label.lower() for s in allowed)
            raise ValidationError({"step": f"After {last} the next step can be: {options}."})


class InterventionStepQuerySet(ScopedQuerySet):
    coach_lookup = "intervention__engagement__coach"
    client_user_lookup = "intervention__engagement__client__user"


class InterventionStep(TrackedModel):
    """One recorded move through the protocol: who, when, which step, and what was agreed."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(max_length=20, choices=Step.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    # What the step recorded, in plain data: the client's response, the meetings reviewed, the
    # commitments set, the outcome chosen. The same content is in the event log.
    details = models.JSONField(default=dict, blank=True)

    objects = InterventionStepQuerySet.as_manager()

    history_fields = ("intervention", "step", "at", "by", "note", "details")
    personal_fields = ("note", "details")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_step_display()} on {self.at:%d %b %Y}"

    def history_client_uid(self):
        return self.intervention.engagement.client.uid


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The referring coach and the associate both see the referral itself."""
        coach = coach_of(user)
        if coach is not None:
            return self.filter(Q(from_engagement__coach=coach) | Q(to_coach=coach))
        if client_of(user) is not None:
            return self.filter(from_engagement__client__user=user)
        return self.none()


class Referral(TrackedModel):
    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"

    MOVES = {
        Status.OFFERED: (Status.ACCEPTED, Status.DECLINED),
        Status.ACCEPTED: (Status.COMPLETED,),
        Status.DECLINED: (),
        Status.COMPLETED: (),
    }

    intervention = models.ForeignKey(Intervention, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="referrals")
    from_engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="referrals_out")
    to_coach = models.ForeignKey(Coach, on_delete=models.PROTECT, related_name="referrals_in")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    message = models.TextField(blank=True, help_text="What the associate should know.")
    # Nothing of the file is shown to the associate until the client has consented to it.
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=300, blank=True, help_text="How and what the client agreed to share.")
    shares_agreement = models.BooleanField(default=False)
    shares_summaries = models.BooleanField(default=False)
    shares_commitments = models.BooleanField(default=False)
    associate_engagement = models.OneToOneField(Engagement, null=True, blank=True, on_delete=models.PROTECT,
                                                related_name="referral_in")
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)

    objects = ReferralQuerySet.as_manager()

    history_fields = ("intervention", "from_engagement", "to_coach", "focus_area", "status", "message",
                      "consent_at", "consent_note", "shares_agreement", "shares_summaries",
                      "shares_commitments", "associate_engagement", "responded_at", "completed_at",
                      "completion_note")
    personal_fields = ("message", "consent_note", "completion_note")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Referral of {self.from_engagement.client} to {self.to_coach}"

    def history_client_uid(self):
        return self.from_engagement.client.uid

    @property
    def has_consent(self):
        return self.consent_at is not None

    def check_move(self, to_status):
        allowed = self.MOVES[self.Status(self.status)]
        if to_status not in allowed:
            options = ", ".join(self.Status(s).label.lower() for s in allowed) or "nothing further"
            raise ValidationError({"status": f"A referral that is {self.get_status_display().lower()} "
                                             f"can become: {options}."})


class LetterQuerySet(ScopedQuerySet):
    def sent(self):
        return self.filter(sent_at__isnull=False)


class Letter(TrackedModel):
    """A letter drafted from the records; editable as a draft, kept unchanged once sent."""

    class Kind(models.TextChoices):
        REAFFIRMATION = "reaffirmation", "Reaffirmation recap"
        FILE_REVIEW = "file_review", "File review"
        NEW_GOAL = "new_goal", "New-goal plan"
        PAUSE = "pause", "Pause"
        ENDING = "ending", "Ending"
        BACK_ON_TRACK = "back_on_track", "Back on track"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="letters")
    intervention = models.ForeignKey(Intervention, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="letters")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)

    objects = LetterQuerySet.as_manager()

    history_fields = ("engagement", "intervention", "kind", "subject", "body", "sent_at", "sent_to")
    personal_fields = ("subject", "body", "sent_to")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    def history_client_uid(self):
        return self.engagement.client.uid

    @property
    def is_sent(self):
        return self.sent_at is not None


class FileReviewQuerySet(ScopedQuerySet):
    def shared(self):
        return self.filter(shared_at__isnull=False)


class FileReview(TrackedModel):
    """The made-vs-kept report over the last X meetings, as shown (and shared) with the client."""

    intervention = models.ForeignKey(Intervention, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="file_reviews")
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="file_reviews")
    meetings_count = models.PositiveSmallIntegerField()
    meeting_uids = models.JSONField(default=list)
    shown_at = models.DateTimeField(null=True, blank=True)
    client_reaction = models.TextField(blank=True)
    shared_at = models.DateTimeField(null=True, blank=True, help_text="When it was shared in the client's portal.")

    objects = FileReviewQuerySet.as_manager()

    history_fields = ("intervention", "engagement", "meetings_count", "meeting_uids", "shown_at",
                      "client_reaction", "shared_at")
    personal_fields = ("client_reaction",)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"File review of {self.meetings_count} meetings"

    def history_client_uid(self):
        return self.engagement.client.uid


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message for a coach (e.g. a referred client may come back)."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text
