"""One `remind` pass: reconcile the schedule, prepare digests, claim what is due, send it.

Claiming is a conditional UPDATE (only rows not sent, not cancelled and not held by a live
claim), so however many workers run, each row is handed to exactly one of them. A sent
row is never claimed again, so running the pass twice sends nothing new.

One honest limit: a worker killed after the mail server accepted a message but before the
row was marked sent leaves a claim that expires after CLAIM_TIMEOUT, and the message is
then sent again. Losing a reminder silently would be worse.
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from followthrough.clients.models import Agreement, Engagement
from followthrough.commitments.models import Commitment
from followthrough.history import clock
from followthrough.practice.models import Practice
from followthrough.ui import mail

from .activity import activity_digests_prepare, send_activity_digests
from .emails import digest_message, invitation_message, reminder_message
from .invitations import invitations_queue, invitations_tidy
from .meeting_reminders import meeting_reminders_reconcile, meeting_reminders_tidy, send_meeting_reminders
from .models import ActivityDigest, CheckInvitation, Delivery, Digest, DigestItem, MeetingReminder, Reminder
from .schedule import reconcile, reminders_schedule

__all__ = ["claim", "digests_prepare", "reconcile", "remind_pass", "reminders_schedule", "tidy"]

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=15)
MAX_ATTEMPTS = 5
BATCH_SIZE = 100
DIGEST_TIME = (8, 0)
DIGEST_LOOKBACK_DAYS = 7


def backoff(attempts):
    """Wait before retry number `attempts`+1: 5, 10, 20, 40 minutes."""
    return timedelta(minutes=5 * 2 ** (attempts - 1))


@dataclass
class PassSummary:
    worker: str
    scheduled: int = 0
    rescheduled: int = 0
    cancelled: int = 0
    expired: int = 0
    superseded: int = 0
    digests_prepared: int = 0
    activity_digests_prepared: int = 0
    invitations_queued: int = 0
    invitations_cancelled: int = 0
    sent: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def _claimable(model, now):
    return model.objects.filter(sent_at=None, cancelled_at=None, send_at__lte=now).filter(
        Q(next_attempt_at=None) | Q(next_attempt_at__lte=now),
    ).filter(Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))


def _later_reminder_due(now):
    """A later reminder of the same commitment that is also due: the earlier one is moot."""
    return Exists(Reminder.objects.filter(
        commitment_id=OuterRef("commitment_id"), cancelled_at=None, send_at__lte=now,
        send_at__gt=OuterRef("send_at"),
    ))


def claim(model, *, token, now, limit=BATCH_SIZE):
    """Claim up to `limit` due rows of `model` for `token`; returns the pks claimed.

    The conditions are repeated on the UPDATE itself, not only in the subquery that picks
    the rows: on PostgreSQL a worker that waited for another's row lock re-checks them
    against the row as the other left it, and so skips a row that was just claimed.
    """
    candidates = _claimable(model, now)
    if model is Reminder:
        candidates = candidates.exclude(_later_reminder_due(now))
    picked = candidates.order_by("send_at", "pk").values("pk")[:limit]
    _claimable(model, now).filter(pk__in=picked).update(claimed_by=token, claimed_at=now)
    return list(model.objects.filter(claimed_by=token, claimed_at=now, sent_at=None, cancelled_at=None)
                .values_list("pk", flat=True))


def tidy(*, now):
    """Drop reminders that can no longer go out in time, and those a later one replaces."""
    free = Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    unsent = Reminder.objects.filter(free, sent_at=None, cancelled_at=None)
    expired = unsent.filter(expires_at__lte=now).update(cancelled_at=now, cancel_reason="expired")
    superseded = unsent.filter(send_at__lte=now).filter(_later_reminder_due(now)).update(
        cancelled_at=now, cancel_reason="superseded")
    return expired, superseded


def digests_prepare(*, now):
    """Create today's digest for each coach with newly overdue commitments; returns how many.

    "Today" and the hour the digest goes out are the practice's. Each overdue commitment
    is listed once per due date, in the first digest prepared after it became overdue; the
    digest and its items are written together, so a second worker finds the day's digest
    already there and adds nothing.
    """
    prepared = 0
    for practice in Practice.objects.only("pk", "timezone"):
        local = now.astimezone(ZoneInfo(practice.timezone))
        if (local.hour, local.minute) < DIGEST_TIME:
            continue
        today = local.date()
        overdue = (
            Commitment.objects.filter(
                outcome=Commitment.Outcome.OPEN, engagement__state=Engagement.State.ACTIVE,
                engagement__coach__practice=practice, engagement__coach__is_active=True,
                due_on__lt=today, due_on__gte=today - timedelta(days=DIGEST_LOOKBACK_DAYS),
            )
            .exclude(engagement__coach__user__email="")
            .exclude(Exists(DigestItem.objects.filter(commitment=OuterRef("pk"), due_on=OuterRef("due_on"))))
            .exclude(Exists(Digest.objects.filter(coach=OuterRef("engagement__coach"), on_date=today)))
            .values_list("engagement__coach_id", "pk", "due_on")
        )
        by_coach = defaultdict(list)
        for coach_id, commitment_id, due_on in overdue:
            by_coach[coach_id].append((commitment_id, due_on))
        for coach_id, items in by_coach.items():
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(coach_id=coach_id, on_date=today, send_at=now)
                    DigestItem.objects.bulk_create(
                        DigestItem(digest=digest, commitment_id=cid, due_on=due_on) for cid, due_on in items)
            except IntegrityError:
                continue  # another worker prepared this coach's digest first
            prepared += 1
    return prepared


class _Mailer:
    """One mail connection for the pass, reopened after a failure in case it broke it."""

    def __init__(self, connection=None):
        self._given = connection
        self._connection = connection

    def send(self, message):
        if self._connection is None:
            self._connection = mail.connection()
        message.connection = self._connection
        try:
            message.send(fail_silently=False)
        except Exception:
            if self._given is None:
                self._connection = None
            raise

    def close(self):
        if self._given is None and self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # closing a broken connection must not fail the pass
                log.exception("closing the mail connection failed")


@dataclass
class _Run:
    """One pass's worker token, its idea of now, its mail connection and its tally."""

    token: str
    now: object
    mailer: _Mailer
    summary: PassSummary


def _record(run, model, row, *, what, message, error):
    """Mark a row sent, or record its failure and when to try again, with a log row."""
    to = ", ".join(message.to) if message is not None else ""
    subject = message.subject[:300] if message is not None else ""
    link = {Reminder: {"reminder": row}, Digest: {"digest": row}, CheckInvitation: {"invitation": row},
            MeetingReminder: {"meeting_reminder": row}}.get(model, {})
    summary = run.summary
    with transaction.atomic():
        if error is None:
            model.objects.filter(pk=row.pk, claimed_by=run.token).update(sent_at=clock.now(), last_error="")
            result, summary.sent = Delivery.Result.SENT, summary.sent + 1
        else:
            attempts = row.attempts + 1
            changes = {"attempts": F("attempts") + 1, "last_error": error[:2000], "claimed_by": "",
                       "claimed_at": None, "next_attempt_at": run.now + backoff(attempts)}
            if attempts >= MAX_ATTEMPTS:
                changes.update(cancelled_at=run.now, cancel_reason="gave_up")
            model.objects.filter(pk=row.pk, claimed_by=run.token).update(**changes)
            result, summary.failed = Delivery.Result.FAILED, summary.failed + 1
            summary.errors.append({"what": what, "id": row.pk, "to": to, "error": error[:300]})
        Delivery.objects.create(at=clock.now(), to=to, subject=subject, what=what, result=result,
                                error=error or "", worker=run.token, **link)


def _cancel(run, model, pk, reason):
    model.objects.filter(pk=pk, claimed_by=run.token, sent_at=None).update(cancelled_at=run.now,
                                                                            cancel_reason=reason)


def _tones(engagement_ids):
    """Each engagement's lapse plan firmness, from its newest agreement, in one query."""
    tones = {}
    for engagement_id, tone in (Agreement.objects.filter(engagement_id__in=engagement_ids)
                                .order_by("engagement_id", "-version").values_list("engagement_id", "lapse_reminders")):
        tones.setdefault(engagement_id, tone)
    return tones


def _send_reminders(run, pks):
    rows = list(Reminder.objects.filter(pk__in=pks)
                .select_related("commitment__engagement__client", "commitment__engagement__coach__user"))
    tones = _tones({reminder.commitment.engagement_id for reminder in rows})
    for reminder in rows:
        commitment = reminder.commitment
        # The schedule may not have caught up with a review made a moment ago.
        if not commitment.is_open or commitment.engagement.state != Engagement.State.ACTIVE:
            _cancel(run, Reminder, reminder.pk, "closed")
        elif not commitment.engagement.client.email:
            _cancel(run, Reminder, reminder.pk, "no_address")
        else:
            tone = tones.get(reminder.commitment.engagement_id)
            _deliver(run, Reminder, reminder, reminder.kind, lambda r=reminder, t=tone: reminder_message(r, tone=t))


def _send_invitations(run, pks):
    rows = (CheckInvitation.objects.filter(pk__in=pks).select_related(
        "meeting__meeting_check", "meeting__engagement__client", "meeting__engagement__coach__user"))
    for invitation in rows:
        meeting = invitation.meeting
        # Answered in the portal, or the meeting changed, since the pass began.
        if hasattr(meeting, "meeting_check"):
            _cancel(run, CheckInvitation, invitation.pk, "answered")
        elif meeting.status != meeting.Status.HELD or meeting.engagement.state != Engagement.State.ACTIVE:
            _cancel(run, CheckInvitation, invitation.pk, "closed")
        elif not meeting.engagement.client.email:
            _cancel(run, CheckInvitation, invitation.pk, "no_address")
        else:
            _deliver(run, CheckInvitation, invitation, "check_invitation",
                     lambda i=invitation: invitation_message(i))


def _send_digests(run, pks):
    rows = Digest.objects.filter(pk__in=pks).select_related("coach__user")
    items = defaultdict(list)
    for item in (DigestItem.objects.filter(digest_id__in=pks, commitment__outcome=Commitment.Outcome.OPEN)
                 .select_related("commitment__engagement__client")):
        items[item.digest_id].append(item)
    for digest in rows:
        if not items[digest.pk]:
            _cancel(run, Digest, digest.pk, "nothing_left")  # all reviewed before it went out
        elif not digest.coach.user.email:
            _cancel(run, Digest, digest.pk, "no_address")
        else:
            _deliver(run, Digest, digest, "digest", lambda d=digest: digest_message(d, items[d.pk]))


def _send_activity_digests(run, pks):
    send_activity_digests(run, pks, deliver=_deliver, cancel=_cancel)


def _send_meeting_reminders(run, pks):
    send_meeting_reminders(run, pks, deliver=_deliver, cancel=_cancel)


def _deliver(run, model, row, what, build):
    """Send one message; any failure is recorded on its row and the pass carries on."""
    message = None
    try:
        message = build()
        run.mailer.send(message)
    except Exception as exc:
        log.warning("sending %s %s failed: %s", what, row.pk, exc)
        _record(run, model, row, what=what, message=message, error=f"{type(exc).__name__}: {exc}")
    else:
        _record(run, model, row, what=what, message=message, error=None)


# Any fixed number: the advisory lock that lets one worker at a time decide which reminder
# rows should exist.
PLANNER_LOCK = 0x46547264


def _one_planner_at_a_time():
    """Deciding which rows should exist (reconcile, then tidy) reads rows another worker may
    be changing; two workers doing it at once re-made the rows the other had just
    superseded. On PostgreSQL they queue on an advisory lock held to the end of the
    transaction; SQLite's IMMEDIATE transactions already queue every writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PLANNER_LOCK])


def remind_pass(*, now=None, connection=None, batch_size=BATCH_SIZE) -> PassSummary:
    """One full pass. `now` is when the pass believes it is (tests move it around)."""
    now = now or clock.now()
    summary = PassSummary(worker=uuid.uuid4().hex)
    with transaction.atomic():
        _one_planner_at_a_time()
        scheduled = reconcile(now=now)
        summary.expired, summary.superseded = tidy(now=now)
        summary.invitations_queued = invitations_queue(now=now)
        summary.invitations_cancelled = invitations_tidy(now=now)
        meetings = meeting_reminders_reconcile(now=now)
        expired, superseded = meeting_reminders_tidy(now=now, claim_timeout=CLAIM_TIMEOUT)
    summary.scheduled, summary.rescheduled, summary.cancelled = (
        scheduled.scheduled + meetings[0], scheduled.rescheduled + meetings[1], scheduled.cancelled + meetings[2])
    summary.expired, summary.superseded = summary.expired + expired, summary.superseded + superseded
    summary.digests_prepared = digests_prepare(now=now)
    summary.activity_digests_prepared = activity_digests_prepare(now=now, digest_time=DIGEST_TIME)
    run = _Run(token=summary.worker, now=now, mailer=_Mailer(connection), summary=summary)
    try:
        for model, send in ((Reminder, _send_reminders), (CheckInvitation, _send_invitations),
                            (MeetingReminder, _send_meeting_reminders),
                            (Digest, _send_digests), (ActivityDigest, _send_activity_digests)):
            while pks := claim(model, token=run.token, now=now, limit=batch_size):
                send(run, pks)
    finally:
        run.mailer.close()
    return summary
