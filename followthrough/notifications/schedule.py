"""When each reminder goes out, and keeping the reminder rows in step with the commitments.

The rules, decided once and kept here:

- Reminders follow the newest version of the engagement's agreement, acknowledged or not:
  renegotiation happens with the client, and a client who asked for fewer reminders must
  get fewer at once. No agreement, no client email, or an engagement that is not active
  (paused, referred out, ended) means no reminders.
- Every reminder goes at 09:00 in the client's time zone: *before* on the day the client
  planned to do the work when that day comes before the due date, otherwise N days before
  the due date; *on the day* on the due date; *overdue* the morning after it.
- Local times are turned into UTC through the client's zone, so the UTC instant moves
  with daylight saving time. A local time that does not exist (inside a spring-forward
  gap) is read with the offset from before the gap, i.e. it lands just after the gap.
- A reminder falling inside quiet hours is moved to the end of the quiet hours.
- A reminder that would have gone out before the commitment existed is not scheduled:
  it was never missed. A reminder that is too late to be useful expires unsent: *before*
  and *on the day* at the end of the due date, *overdue* a week after the due date.
- The lapse plan sets how firmly (see `kinds_wanted`): *quiet* sends only the reminder on
  the due date, in gentle words, and never the overdue notice; *normal* sends what the
  terms say; *firm* sends what the terms say in plainer words and always follows up with
  the overdue notice, even when the terms turned it off, because "follow up" is what the
  client chose. A client who turned every reminder off gets none, whatever the plan.
- Nothing is sent for a moment inside an in-force planned break (the day of the send
  moment, in the client's time zone): such reminders are cancelled with the reason
  "break", and scheduled again if the break is cancelled or moved.
- After downtime only the latest reminder that is due goes out for each commitment; the
  earlier ones are superseded (see services.claim), so nobody gets "coming up" about a
  date that has passed.

The schedule is recomputed from the records on every pass (`reconcile`), set-based, so it
catches up after downtime and after commitments made or changed by any part of the app.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, Subquery

from followthrough.clients.models import Agreement, Engagement, PlannedBreak
from followthrough.commitments.models import Commitment
from followthrough.history import clock
from followthrough.practice.models import LapseReminders

from .models import Reminder

REMINDER_TIME = time(9, 0)
OVERDUE_GRACE_DAYS = 7
# Commitments due longer ago than this can have no reminder left to send.
HORIZON_DAYS = OVERDUE_GRACE_DAYS + 2
# Cancelled because the plan changed (new due date or terms, commitment closed), so a row
# for the same kind and due date may be scheduled again if the plan comes back to it.
REPLACEABLE = ("rescheduled", "closed", "break")


@dataclass(frozen=True)
class Planned:
    kind: str
    send_at: datetime
    expires_at: datetime


def at_local(day: date, clock: time, tz) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def after_quiet_hours(moment: datetime, quiet) -> datetime:
    """`moment` (local, aware) moved to the end of quiet hours if it falls inside them."""
    if quiet is None:
        return moment
    start, end = quiet
    clock, day = moment.time(), moment.date()
    if start < end:
        if start <= clock < end:
            return at_local(day, end, moment.tzinfo)
    elif clock >= start:  # quiet hours run past midnight
        return at_local(day + timedelta(days=1), end, moment.tzinfo)
    elif clock < end:
        return at_local(day, end, moment.tzinfo)
    return moment


def kinds_wanted(terms):
    """The reminder kinds the agreement calls for, its lapse plan's firmness applied."""
    if not terms.wants_reminders:
        return set()
    if terms.lapse_reminders == LapseReminders.QUIET:
        return {Reminder.Kind.ON_DAY}
    kinds = {kind for kind, wanted in ((Reminder.Kind.BEFORE, terms.reminder_before),
                                       (Reminder.Kind.ON_DAY, terms.reminder_on_day),
                                       (Reminder.Kind.OVERDUE, terms.reminder_overdue)) if wanted}
    if terms.lapse_reminders == LapseReminders.FIRM:
        kinds.add(Reminder.Kind.OVERDUE)
    return kinds


def reminder_plan(*, due_on, planned_at, tz_name, terms) -> list[Planned]:
    """The reminders one commitment should have under `terms` (an Agreement), in UTC."""
    tz = ZoneInfo(tz_name)
    quiet = terms.quiet_hours()
    end_of_due_day = at_local(due_on + timedelta(days=1), time(0), tz)
    kinds = kinds_wanted(terms)
    wanted = []
    if Reminder.Kind.BEFORE in kinds:
        day = due_on - timedelta(days=terms.reminder_days_before)
        if planned_at is not None:
            planned_day = planned_at.astimezone(tz).date()
            if planned_day < due_on:
                day = planned_day
        wanted.append((Reminder.Kind.BEFORE, day, end_of_due_day))
    if Reminder.Kind.ON_DAY in kinds:
        wanted.append((Reminder.Kind.ON_DAY, due_on, end_of_due_day))
    if Reminder.Kind.OVERDUE in kinds:
        wanted.append((Reminder.Kind.OVERDUE, due_on + timedelta(days=1),
                       at_local(due_on + timedelta(days=1 + OVERDUE_GRACE_DAYS), time(0), tz)))
    plan = []
    for kind, day, expires in wanted:
        send_at = after_quiet_hours(at_local(day, REMINDER_TIME, tz), quiet)
        # Quiet hours that run late can push a reminder past its natural expiry; it still
        # deserves a chance to go out.
        expires = max(expires, send_at + timedelta(hours=6))
        plan.append(Planned(kind, send_at.astimezone(UTC), expires.astimezone(UTC)))
    return plan


def breaks_by_engagement(engagement_ids):
    """The in-force planned breaks of these engagements, in one query."""
    breaks = {}
    for brk in PlannedBreak.objects.in_force().filter(engagement_id__in=engagement_ids):
        breaks.setdefault(brk.engagement_id, []).append(brk)
    return breaks


def in_break(breaks, moment, tz_name):
    """Whether `moment` falls on a day one of `breaks` covers, in the client's time zone."""
    day = moment.astimezone(ZoneInfo(tz_name)).date()
    return any(brk.covers(day) for brk in breaks)


@dataclass
class ReconcileResult:
    scheduled: int = 0
    rescheduled: int = 0
    cancelled: int = 0


def _open_commitments(now):
    horizon = (now - timedelta(days=HORIZON_DAYS)).date()
    # A client who reports it done is not reminded again; the coach confirms at the review.
    return Commitment.objects.filter(
        outcome=Commitment.Outcome.OPEN, engagement__state=Engagement.State.ACTIVE, due_on__gte=horizon,
        client_reported_done_at__isnull=True,
    )


def _expected(rows):
    """The reminders the rows call for, by key; and the keys a planned break silences."""
    terms = Agreement.objects.in_bulk({row["agreement_id"] for row in rows if row["agreement_id"]})
    breaks = breaks_by_engagement({row["engagement_id"] for row in rows})
    expected, silenced = {}, set()
    for row in rows:
        agreement = terms.get(row["agreement_id"])
        if agreement is None or not row["engagement__client__email"]:
            continue
        tz_name = row["engagement__client__timezone"]
        for planned in reminder_plan(due_on=row["due_on"], planned_at=row["planned_at"],
                                     tz_name=tz_name, terms=agreement):
            key = (row["pk"], planned.kind, row["due_on"])
            if in_break(breaks.get(row["engagement_id"], ()), planned.send_at, tz_name):
                silenced.add(key)
            else:
                expected[key] = planned
    return expected, silenced


def reconcile(*, now=None, commitment_ids=None) -> ReconcileResult:
    """Make the unsent reminder rows match what the records call for.

    A constant number of queries whatever the number of commitments. Sent rows are never
    touched, and a kind already sent for a due date is never scheduled again, so a change
    of terms cannot make a reminder go out twice.
    """
    now = now or clock.now()
    result = ReconcileResult()
    unsent = Reminder.objects.filter(sent_at=None, cancelled_at=None)
    if commitment_ids is not None:
        unsent = unsent.filter(commitment_id__in=commitment_ids)
    result.cancelled += unsent.filter(
        ~Q(commitment__outcome=Commitment.Outcome.OPEN) | ~Q(commitment__engagement__state=Engagement.State.ACTIVE)
        | Q(commitment__client_reported_done_at__isnull=False)
    ).update(cancelled_at=now, cancel_reason="closed")

    candidates = _open_commitments(now)
    if commitment_ids is not None:
        candidates = candidates.filter(pk__in=commitment_ids)
    newest = Agreement.objects.filter(engagement=OuterRef("engagement_id")).order_by("-version").values("pk")[:1]
    rows = list(candidates.annotate(agreement_id=Subquery(newest)).values(
        "pk", "due_on", "planned_at", "created_at", "agreement_id", "engagement_id",
        "engagement__client__timezone", "engagement__client__email",
    ))
    expected, silenced = _expected(rows)

    # Rows that went out, or ran their course unsent (expired, superseded, given up), stand
    # for their key: scheduling them again would send late or twice. Only rows cancelled
    # because the plan changed leave room for a new one.
    known = Reminder.objects.filter(commitment__in=candidates).exclude(
        cancel_reason__in=REPLACEABLE).only(
        "pk", "commitment_id", "kind", "due_on", "send_at", "expires_at", "sent_at", "cancelled_at")
    created_at = {row["pk"]: row["created_at"] for row in rows}
    stale, moved, present = [], [], set()
    for reminder in known:
        key = (reminder.commitment_id, reminder.kind, reminder.due_on)
        present.add(key)
        if reminder.sent_at is not None or reminder.cancelled_at is not None:
            continue
        planned = expected.get(key)
        if planned is None:
            stale.append((reminder.pk, key))
        elif (reminder.send_at, reminder.expires_at) != (planned.send_at, planned.expires_at):
            reminder.send_at, reminder.expires_at = planned.send_at, planned.expires_at
            moved.append(reminder)
    for reason, pks in (("break", [pk for pk, key in stale if key in silenced]),
                        ("rescheduled", [pk for pk, key in stale if key not in silenced])):
        if pks:
            result.cancelled += Reminder.objects.filter(pk__in=pks, sent_at=None, cancelled_at=None).update(
                cancelled_at=now, cancel_reason=reason)
    if moved:
        Reminder.objects.bulk_update(moved, ["send_at", "expires_at"])
        result.rescheduled = len(moved)

    new = [
        Reminder(commitment_id=cid, kind=kind, due_on=due_on, send_at=p.send_at, expires_at=p.expires_at)
        for (cid, kind, due_on), p in expected.items()
        if (cid, kind, due_on) not in present and p.send_at >= created_at[cid] and p.expires_at > now
    ]
    # Another worker may be scheduling the same rows right now; the partial unique
    # constraint lets exactly one of each through.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    result.scheduled = len(new)
    return result


def reminders_schedule(*, commitment, now=None) -> ReconcileResult:
    """Bring one commitment's reminders up to date, e.g. right after it is made or moved."""
    return reconcile(now=now, commitment_ids=[commitment.pk])


def reminder_terms_in_words(terms) -> str:
    """The reminder terms of an agreement, its lapse plan's firmness applied, as plain
    sentences for pages and letters."""
    kinds = kinds_wanted(terms)
    if not kinds:
        return "No email reminders."
    parts = []
    if Reminder.Kind.BEFORE in kinds:
        days = terms.reminder_days_before
        parts.append(f"{days} day{'s' if days != 1 else ''} before the due date "
                     "(or on the day planned for it, if that is earlier)")
    if Reminder.Kind.ON_DAY in kinds:
        parts.append("on the due date")
    if Reminder.Kind.OVERDUE in kinds:
        parts.append("once the morning after, if it is still open")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    text = f"Email reminders at {REMINDER_TIME:%H:%M} the client's time: {listed}."
    text += LAPSE_WORDS.get(terms.lapse_reminders, "")
    if terms.quiet_hours():
        text += (f" Quiet hours {terms.quiet_hours_start}–{terms.quiet_hours_end}: "
                 f"a reminder due then waits until {terms.quiet_hours_end}.")
    return text + " None during a planned break."


LAPSE_WORDS = {
    LapseReminders.QUIET: " Reminded quietly, as the lapse plan asks: gentle words, no overdue notice.",
    LapseReminders.FIRM: " Reminded firmly, as the lapse plan asks: plain words, and always the notice "
                         "the morning after.",
}
