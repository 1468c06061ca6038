"""Meeting reminders to the client: when they go out, keeping them in step, sending them.

The rules, decided once and kept here:

- They follow the reminder terms of the newest version of the engagement's agreement, as
  commitment reminders do: *before* sends `reminder_days_before` days ahead of the meeting's
  day, *on the day* on the meeting's day. The overdue notice has no meaning for a meeting.
  All reminders off, no agreement, no client email, or an engagement that is not active:
  no meeting reminders.
- They go at 09:00 in the client's time zone, moved to the end of quiet hours. On the day
  of a meeting that starts before 11:00, the reminder goes two hours before it instead; one
  that would then arrive less than half an hour before the meeting is not sent.
- A reminder never goes out once the meeting has begun, nor one that would have gone out
  before the meeting was planned (it was never missed).
- Nothing is sent for a meeting on a day of an in-force planned break, nor on such a day:
  the work rests. Days are the client's.
- A reminder is for one start: moving the meeting cancels it and schedules new ones;
  cancelling, holding or missing the meeting, or the engagement stopping, cancels it. The
  worker checks again just before sending, so a change made a moment ago is honoured.
- After downtime only the later of two due reminders goes out.
- A client who was sent an invitation to a meeting that is then cancelled is told, once,
  with an iCalendar cancellation (METHOD:CANCEL) that takes it out of their calendar; quiet
  hours and planned breaks apply, and none goes out once the meeting's time has come.

Each email carries the meeting's calendar invitation (see calendar_invitations.py).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery

from followthrough.clients.models import Agreement, Engagement, PlannedBreak
from followthrough.history import clock
from followthrough.meetings.models import Meeting

from .calendar_invitations import attach_invitation, meeting_cancellation, meeting_invitation
from .emails import _message
from .models import MeetingReminder
from .schedule import REMINDER_TIME, after_quiet_hours, at_local

EARLY_MEETING_BEFORE = (11, 0)
EARLY_LEAD = timedelta(hours=2)
SHORTEST_NOTICE = timedelta(minutes=30)
# Cancelled because the plan changed, so a row for the same kind and start may come back.
REPLACEABLE = ("rescheduled", "closed", "break")


@dataclass(frozen=True)
class Planned:
    kind: str
    send_at: datetime


def meeting_reminder_plan(*, starts_at, tz_name, terms) -> list[Planned]:
    """The reminders one meeting starting at `starts_at` should have under `terms`, in UTC."""
    tz = ZoneInfo(tz_name)
    start = starts_at.astimezone(tz)
    quiet = terms.quiet_hours()
    wanted = []
    if terms.reminder_before:
        wanted.append((MeetingReminder.Kind.BEFORE,
                       at_local(start.date() - timedelta(days=terms.reminder_days_before), REMINDER_TIME, tz)))
    if terms.reminder_on_day:
        on_day = at_local(start.date(), REMINDER_TIME, tz)
        if (start.hour, start.minute) < EARLY_MEETING_BEFORE:
            on_day = (start - EARLY_LEAD).astimezone(tz)
        wanted.append((MeetingReminder.Kind.ON_DAY, on_day))
    plan = []
    for kind, moment in wanted:
        send_at = after_quiet_hours(moment, quiet).astimezone(UTC)
        if send_at <= starts_at - SHORTEST_NOTICE:
            plan.append(Planned(kind, send_at))
    return plan


def _in_break(breaks, engagement_id, *days):
    return any(brk.starts_on <= day <= brk.ends_on for brk in breaks.get(engagement_id, ()) for day in days)


def _breaks(engagement_ids):
    breaks = {}
    for brk in PlannedBreak.objects.in_force().filter(engagement_id__in=engagement_ids):
        breaks.setdefault(brk.engagement_id, []).append(brk)
    return breaks


def _expected(rows):
    """(meeting pk, kind, starts_at) -> Planned for the planned meetings in `rows`."""
    terms = Agreement.objects.in_bulk({row["agreement_id"] for row in rows if row["agreement_id"]})
    breaks = _breaks({row["engagement_id"] for row in rows})
    expected = {}
    for row in rows:
        agreement = terms.get(row["agreement_id"])
        if agreement is None or not row["engagement__client__email"]:
            continue
        tz = ZoneInfo(row["engagement__client__timezone"])
        for planned in meeting_reminder_plan(starts_at=row["starts_at"], tz_name=tz.key, terms=agreement):
            if planned.send_at < row["created_at"] or _in_break(
                    breaks, row["engagement_id"], row["starts_at"].astimezone(tz).date(),
                    planned.send_at.astimezone(tz).date()):
                continue
            expected[(row["pk"], planned.kind, row["starts_at"])] = planned
    return expected


def meeting_reminders_reconcile(*, now=None, meeting_ids=None):
    """Make the unsent meeting reminder rows match what the records call for; returns
    (scheduled, rescheduled, cancelled). A constant number of queries."""
    now = now or clock.now()
    meetings = Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gt=now,
                                      engagement__state=Engagement.State.ACTIVE)
    unsent = MeetingReminder.objects.filter(sent_at=None, cancelled_at=None)
    if meeting_ids is not None:
        meetings, unsent = meetings.filter(pk__in=meeting_ids), unsent.filter(meeting_id__in=meeting_ids)
    cancelled = unsent.exclude(kind=MeetingReminder.Kind.CANCELLED).filter(
        ~Q(meeting__status=Meeting.Status.PLANNED) | ~Q(meeting__engagement__state=Engagement.State.ACTIVE)
    ).update(cancelled_at=now, cancel_reason="closed")

    newest = Agreement.objects.filter(engagement=OuterRef("engagement_id")).order_by("-version").values("pk")[:1]
    rows = list(meetings.annotate(agreement_id=Subquery(newest)).values(
        "pk", "starts_at", "created_at", "agreement_id", "engagement_id",
        "engagement__client__timezone", "engagement__client__email"))
    expected = _expected(rows)

    known = MeetingReminder.objects.filter(meeting__in=meetings).exclude(cancel_reason__in=REPLACEABLE).only(
        "pk", "meeting_id", "kind", "starts_at", "send_at", "sent_at", "cancelled_at")
    stale, moved, present = [], [], set()
    for reminder in known:
        key = (reminder.meeting_id, reminder.kind, reminder.starts_at)
        present.add(key)
        if reminder.sent_at is not None or reminder.cancelled_at is not None:
            continue
        planned = expected.get(key)
        if planned is None:
            stale.append(reminder.pk)
        elif reminder.send_at != planned.send_at:
            reminder.send_at = planned.send_at
            moved.append(reminder)
    if stale:
        cancelled += MeetingReminder.objects.filter(pk__in=stale, sent_at=None, cancelled_at=None).update(
            cancelled_at=now, cancel_reason="rescheduled")
    if moved:
        MeetingReminder.objects.bulk_update(moved, ["send_at"])
    new = [MeetingReminder(meeting_id=pk, kind=kind, starts_at=starts_at, send_at=p.send_at, expires_at=starts_at)
           for (pk, kind, starts_at), p in expected.items() if (pk, kind, starts_at) not in present]
    MeetingReminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new) + _cancellation_notices(now, meeting_ids), len(moved), cancelled


def _cancellation_notices(now, meeting_ids):
    """Schedule the notice for each cancelled meeting whose invitation went out; returns how many."""
    invited = MeetingReminder.objects.filter(meeting_id=OuterRef("pk"), starts_at=OuterRef("starts_at"),
                                             sent_at__isnull=False).exclude(kind=MeetingReminder.Kind.CANCELLED)
    # A notice dropped because the meeting was planned again does not count: cancelled anew,
    # it is told anew.
    noticed = MeetingReminder.objects.filter(meeting_id=OuterRef("pk"), starts_at=OuterRef("starts_at"),
                                             kind=MeetingReminder.Kind.CANCELLED).exclude(cancel_reason="closed")
    newest = Agreement.objects.filter(engagement=OuterRef("engagement_id")).order_by("-version").values("pk")[:1]
    meetings = Meeting.objects.filter(status=Meeting.Status.CANCELLED, starts_at__gt=now).filter(
        Exists(invited)).exclude(Exists(noticed))
    if meeting_ids is not None:
        meetings = meetings.filter(pk__in=meeting_ids)
    rows = list(meetings.annotate(agreement_id=Subquery(newest)).values(
        "pk", "starts_at", "agreement_id", "engagement__client__timezone"))
    terms = Agreement.objects.in_bulk({row["agreement_id"] for row in rows if row["agreement_id"]})
    new = []
    for row in rows:
        tz = ZoneInfo(row["engagement__client__timezone"])
        agreement = terms.get(row["agreement_id"])
        quiet = agreement.quiet_hours() if agreement else None
        send_at = after_quiet_hours(now.astimezone(tz), quiet).astimezone(UTC)
        if send_at < row["starts_at"]:
            new.append(MeetingReminder(meeting_id=row["pk"], kind=MeetingReminder.Kind.CANCELLED,
                                       starts_at=row["starts_at"], send_at=send_at, expires_at=row["starts_at"]))
    MeetingReminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def meeting_reminders_tidy(*, now, claim_timeout):
    """Drop reminders whose meeting has begun, and the earlier of two that are both due."""
    free = Q(claimed_at=None) | Q(claimed_at__lt=now - claim_timeout)
    unsent = MeetingReminder.objects.filter(free, sent_at=None, cancelled_at=None)
    expired = unsent.filter(expires_at__lte=now).update(cancelled_at=now, cancel_reason="expired")
    later = MeetingReminder.objects.filter(meeting_id=OuterRef("meeting_id"), cancelled_at=None,
                                           send_at__lte=now, send_at__gt=OuterRef("send_at"))
    superseded = unsent.filter(send_at__lte=now).filter(Exists(later)).update(
        cancelled_at=now, cancel_reason="superseded")
    return expired, superseded


def meeting_reminder_message(reminder):
    meeting = reminder.meeting
    engagement = meeting.engagement
    client, coach = engagement.client, engagement.coach
    start = meeting.starts_at.astimezone(ZoneInfo(client.timezone))
    when = f"{start:%A} {start.day} {start:%B}, {start:%H:%M}"
    subject = {
        MeetingReminder.Kind.BEFORE: f"Your meeting with {coach.display_name}: {when}",
        MeetingReminder.Kind.ON_DAY: f"Today at {start:%H:%M}: your meeting with {coach.display_name}",
        MeetingReminder.Kind.CANCELLED: f"Cancelled: your meeting with {coach.display_name} on {when}",
    }[reminder.kind]
    context = {
        "kind": reminder.kind, "client_name": client.greeting_name, "coach_name": coach.display_name,
        "starts_at": start.replace(tzinfo=None), "timezone": client.timezone,
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location, "video_link": meeting.video_link,
        "link": f"{settings.SITE_URL}/me/meetings/{meeting.uid}/",
    }
    reply_to = [coach.user.email] if coach.user.email else None
    message = _message(subject=subject, to=client.email, template="meeting_reminder", context=context,
                       reply_to=reply_to)
    if reminder.kind == MeetingReminder.Kind.CANCELLED:
        return attach_invitation(message, meeting_cancellation(meeting), filename="meeting.ics", method="CANCEL")
    return attach_invitation(message, meeting_invitation(meeting), filename="meeting.ics")


def _why_not(reminder, now):
    """Why a claimed reminder must not go out after all, or None: the records may have
    changed since the schedule was last brought up to date."""
    meeting = reminder.meeting
    engagement = meeting.engagement
    if reminder.kind == MeetingReminder.Kind.CANCELLED:
        if meeting.status != Meeting.Status.CANCELLED:
            return "closed"  # planned again: its reminders bring a fresh invitation
    elif meeting.status != Meeting.Status.PLANNED or engagement.state != Engagement.State.ACTIVE:
        return "closed"
    if meeting.starts_at != reminder.starts_at:
        return "rescheduled"
    if not engagement.client.email:
        return "no_address"
    tz = ZoneInfo(engagement.client.timezone)
    days = {meeting.starts_at.astimezone(tz).date(), now.astimezone(tz).date()}
    if PlannedBreak.objects.in_force().filter(engagement=engagement).filter(
            Q(*[Q(starts_on__lte=day, ends_on__gte=day) for day in days], _connector=Q.OR)).exists():
        return "break"
    return None


def send_meeting_reminders(run, pks, *, deliver, cancel):
    rows = (MeetingReminder.objects.filter(pk__in=pks)
            .select_related("meeting__engagement__client", "meeting__engagement__coach__user"))
    for reminder in rows:
        reason = _why_not(reminder, run.now)
        if reason:
            cancel(run, MeetingReminder, reminder.pk, reason)
        else:
            deliver(run, MeetingReminder, reminder, f"meeting_{reminder.kind}",
                    lambda r=reminder: meeting_reminder_message(r))


def cancel_meeting_reminders(sender, *, move, **kwargs):
    """An engagement that stops sends nothing more about its meetings."""
    if move.stops:
        MeetingReminder.objects.filter(meeting__engagement=move.engagement, sent_at=None, cancelled_at=None).exclude(
            kind=MeetingReminder.Kind.CANCELLED).update(
            cancelled_at=clock.now(), cancel_reason="closed")
