"""The meeting check invitation: one email per held meeting, asking the client its four questions.

The rules, decided once and kept here:

- A meeting recorded held queues its invitation at once (the receiver of
  `history.signals.records_changed`), and every remind pass catches up on held meetings
  the receiver missed. One invitation per meeting, ever: the row is unique per meeting.
- It goes an hour after the meeting ends, moved past the client's quiet hours (from the
  newest agreement), and is dropped if it cannot go out within three days: a check asked
  for later is about a meeting the client hardly remembers. Meetings that ended longer
  ago than that (entered afterwards) get none.
- It is not sent, and is cancelled with the reason, when the check is already answered
  ("answered"), the client has no email address ("no_address"), the engagement is not
  active or the meeting is no longer held ("closed"), or the send moment falls on a day
  of an in-force planned break, in the client's time zone ("break").
"""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, Subquery

from followthrough.clients.models import Agreement, Engagement
from followthrough.history import clock
from followthrough.meetings.models import Meeting, MeetingCheck

from .models import CheckInvitation
from .schedule import after_quiet_hours, breaks_by_engagement, in_break

INVITE_AFTER = timedelta(hours=1)
INVITE_FOR = timedelta(days=3)


def invitation_send_at(*, ends_at, tz_name, terms):
    """When the invitation for a meeting ending at `ends_at` goes out, in UTC."""
    local = (ends_at + INVITE_AFTER).astimezone(ZoneInfo(tz_name))
    quiet = terms.quiet_hours() if terms is not None else None
    return after_quiet_hours(local, quiet).astimezone(UTC)


def invitations_queue(*, now=None, engagement_id=None) -> int:
    """Queue the invitation of every recently held meeting that has none; returns how many."""
    now = now or clock.now()
    meetings = Meeting.objects.filter(
        status=Meeting.Status.HELD, starts_at__lte=now, starts_at__gte=now - INVITE_FOR - timedelta(days=1),
        engagement__state=Engagement.State.ACTIVE,
    ).exclude(engagement__client__email="").exclude(
        Exists(CheckInvitation.objects.filter(meeting=OuterRef("pk")))).exclude(
        Exists(MeetingCheck.objects.filter(meeting=OuterRef("pk"))))
    if engagement_id is not None:
        meetings = meetings.filter(engagement_id=engagement_id)
    newest = Agreement.objects.filter(engagement=OuterRef("engagement_id")).order_by("-version").values("pk")[:1]
    rows = list(meetings.annotate(agreement_id=Subquery(newest)).values(
        "pk", "starts_at", "duration_minutes", "agreement_id", "engagement__client__timezone"))
    terms = Agreement.objects.in_bulk({row["agreement_id"] for row in rows if row["agreement_id"]})
    new = []
    for row in rows:
        ends_at = row["starts_at"] + timedelta(minutes=row["duration_minutes"] or 0)
        send_at = invitation_send_at(ends_at=ends_at, tz_name=row["engagement__client__timezone"],
                                     terms=terms.get(row["agreement_id"]))
        if send_at + INVITE_FOR > now:
            new.append(CheckInvitation(meeting_id=row["pk"], send_at=send_at, expires_at=send_at + INVITE_FOR))
    # Two receivers (or a receiver and a pass) may queue at once; the unique meeting lets one through.
    CheckInvitation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def invitations_tidy(*, now) -> int:
    """Cancel unsent invitations that should no longer go out; returns how many."""
    unsent = CheckInvitation.objects.filter(sent_at=None, cancelled_at=None)
    cancelled = 0
    for reason, condition in (
        ("answered", Q(Exists(MeetingCheck.objects.filter(meeting=OuterRef("meeting_id"))))),
        ("closed", ~Q(meeting__status=Meeting.Status.HELD)
         | ~Q(meeting__engagement__state=Engagement.State.ACTIVE)),
        ("no_address", Q(meeting__engagement__client__email="")),
        ("expired", Q(expires_at__lte=now)),
    ):
        cancelled += unsent.filter(condition).update(cancelled_at=now, cancel_reason=reason)
    due = list(unsent.filter(send_at__lte=now).values(
        "pk", "send_at", "meeting__engagement_id", "meeting__engagement__client__timezone"))
    breaks = breaks_by_engagement({row["meeting__engagement_id"] for row in due})
    resting = [row["pk"] for row in due if in_break(breaks.get(row["meeting__engagement_id"], ()),
                                                    row["send_at"], row["meeting__engagement__client__timezone"])]
    if resting:
        cancelled += unsent.filter(pk__in=resting).update(cancelled_at=now, cancel_reason="break")
    return cancelled


def queue_on_records_changed(sender, *, engagement_id, **kwargs):
    """The receiver of `history.signals.records_changed`: a meeting may have been held."""
    invitations_queue(engagement_id=engagement_id)
