"""Reminders to clients and daily digests to coaches.

These rows are operational, not evidence: they say what is queued and what went out, so
they are plain models rather than records in the event log. Each outgoing message is one
row that workers claim with a conditional update, so two workers, or a pass run twice,
never send the same message twice.
"""

from django.db import models
from django.db.models import Q

from followthrough.commitments.models import Commitment
from followthrough.history import clock
from followthrough.meetings.models import Meeting
from followthrough.practice.models import Coach


class Outgoing(models.Model):
    """What every queued message carries: when it is due and who is sending it."""

    send_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        abstract = True

    @property
    def state(self):
        if self.sent_at:
            return "sent"
        if self.cancelled_at:
            return "cancelled"
        return "failing" if self.attempts else "queued"


class Reminder(Outgoing):
    class Kind(models.TextChoices):
        BEFORE = "before", "Before the due date"
        ON_DAY = "on_day", "On the due date"
        OVERDUE = "overdue", "Overdue notice"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The due date this reminder was scheduled for: moving the due date makes new reminders.
    due_on = models.DateField()
    # A reminder that could not go out in time is dropped rather than sent late.
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["send_at", "pk"]
        constraints = [
            # At most one live reminder of each kind per commitment and due date, even when
            # two workers schedule at once; a cancelled one may be replaced.
            models.UniqueConstraint(
                fields=["commitment", "kind", "due_on"], condition=Q(cancelled_at__isnull=True),
                name="reminder_once_per_kind_and_due_date",
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "cancelled_at", "send_at"])]

    def __str__(self):
        when = f"{self.send_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} reminder for commitment {self.commitment_id} at {when}"


class MeetingReminder(Outgoing):
    """A planned meeting, told to the client ahead as the agreement's reminder terms say,
    with the meeting's place and a calendar invitation."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Days before the meeting"
        ON_DAY = "on_day", "On the day of the meeting"
        # Not a reminder: the client whose calendar got the invitation is told it is off.
        CANCELLED = "cancelled", "The meeting is cancelled"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The start this reminder was scheduled for: moving the meeting makes new reminders.
    starts_at = models.DateTimeField()
    # A reminder is never sent once the meeting has begun.
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["send_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "starts_at"], condition=Q(cancelled_at__isnull=True),
                name="meeting_reminder_once_per_kind_and_start",
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "cancelled_at", "send_at"], name="meeting_reminder_due")]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for meeting {self.meeting_id} at {self.send_at:%Y-%m-%d %H:%M}"


class Digest(Outgoing):
    """One email per coach per day listing what became overdue among their clients."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="digests")
    on_date = models.DateField(help_text="The day of the digest, in the practice's time zone.")

    class Meta:
        ordering = ["-on_date", "coach"]
        constraints = [
            models.UniqueConstraint(fields=["coach", "on_date"], name="digest_once_per_coach_per_day"),
        ]

    def __str__(self):
        return f"digest for coach {self.coach_id} on {self.on_date}"


class DigestItem(models.Model):
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()

    class Meta:
        ordering = ["digest", "due_on", "pk"]
        constraints = [
            # A commitment is reported overdue once per due date, whichever digest carries it.
            models.UniqueConstraint(fields=["commitment", "due_on"], name="digest_item_once"),
        ]

    def __str__(self):
        return f"commitment {self.commitment_id} due {self.due_on} in {self.digest}"


class Delivery(models.Model):
    """The sent log: one row per attempt to hand a message to the mail server."""

    class Result(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    at = models.DateTimeField()
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    what = models.CharField(max_length=20, help_text="reminder kind, or 'digest'")
    reminder = models.ForeignKey(Reminder, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="deliveries")
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="deliveries")
    invitation = models.ForeignKey("CheckInvitation", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="deliveries")
    meeting_reminder = models.ForeignKey(MeetingReminder, null=True, blank=True, on_delete=models.CASCADE,
                                         related_name="deliveries")
    result = models.CharField(max_length=10, choices=Result.choices)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=32)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.result} {self.what} to {self.to} at {self.at:%Y-%m-%d %H:%M}"


class ActivityDigest(Outgoing):
    """One email per coach per day listing what their clients did (for coaches who chose it)."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="activity_digests")
    on_date = models.DateField(help_text="The day of the digest, in the practice's time zone.")

    class Meta:
        ordering = ["-on_date", "coach"]
        constraints = [
            models.UniqueConstraint(fields=["coach", "on_date"], name="activity_digest_once_per_coach_per_day"),
        ]

    def __str__(self):
        return f"activity digest for coach {self.coach_id} on {self.on_date}"


class ClientActivity(models.Model):
    """Something a client did in the portal that their coach should hear about."""

    class Kind(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged an agreement"
        PLAN_ANSWERED = "plan_answered", "Answered a plan"
        REPORTED_DONE = "reported_done", "Marked a commitment done"
        REPORT_UNDONE = "report_undone", "Took back marking a commitment done"
        NOT_YET = "not_yet", "Replied \"not yet\" to a reminder"
        REPLIED = "replied", "Replied by email in words the product could not record"

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="client_activities")
    at = models.DateTimeField(default=clock.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    # The event this came from: one activity per event, however often a receiver runs. A
    # reply "not yet" changes no record, so it has no event (its InboundMessage is unique).
    event_seq = models.BigIntegerField(unique=True, null=True, blank=True)
    digest = models.ForeignKey(ActivityDigest, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="items")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "client activities"

    def __str__(self):
        return self.text


class CheckInvitation(Outgoing):
    """The email inviting a client to answer the meeting check of one held meeting."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="check_invitation")
    # An invitation that could not go out in time is dropped: a check asked for a week
    # later is about a meeting the client hardly remembers.
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["send_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "cancelled_at", "send_at"])]

    def __str__(self):
        return f"meeting check invitation for meeting {self.meeting_id} at {self.send_at:%Y-%m-%d %H:%M}"


class InboundMessage(models.Model):
    """One reply read from the replies mailbox, applied or set aside, recorded once.

    `key` is the Message-ID, or, for a message without one, a hash of its token and body:
    reading the mailbox again finds the key taken and applies nothing twice.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        SET_ASIDE = "set_aside", "Set aside"

    class Reason(models.TextChoices):
        NONE = "", "—"
        NO_TOKEN = "no_token", "Not a reply to one of our messages"
        FORGED = "forged", "Forged or damaged token"
        EXPIRED = "expired", "Token too old"
        UNKNOWN = "unknown", "Token for a message that no longer exists"
        UNREADABLE = "unreadable", "Could not tell what the reply says"
        REFUSED = "refused", "Could not be recorded"

    class Meaning(models.TextChoices):
        NONE = "", "—"
        DONE = "done", "Done"
        NOT_YET = "not_yet", "Not yet"
        CHECK = "check", "Meeting check answers"

    key = models.CharField(max_length=300, unique=True)
    message_id = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=clock.now)
    source = models.CharField(max_length=300, help_text="the mailbox it was read from")
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    token = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="what was refused, in words")
    meaning = models.CharField(max_length=10, choices=Meaning.choices, blank=True)
    reply_text = models.TextField(blank=True, help_text="the reply's own lines, quoted text left out")
    reminder = models.ForeignKey(Reminder, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    invitation = models.ForeignKey(CheckInvitation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="replies")

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return f"{self.get_status_display()} reply from {self.from_address or 'unknown sender'}"
