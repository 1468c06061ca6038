"""Calendar invitations carried by reminder emails (iCalendar, METHOD:REQUEST).

An invitation lands in any mail client's calendar without a sync service. Its UID is the
calendar feed's UID for the same record, and its SEQUENCE counts the changes a calendar
shows, from the event log, so a later invitation for a moved meeting updates the event the
client already has instead of adding a second one.

The coach is the ORGANIZER and the client the ATTENDEE, without RSVP: the app does not read
calendar replies, so it must not ask for them.
"""

from datetime import UTC, datetime, timedelta
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from followthrough.meetings.ical import MEETING_SHOWN, PLAN_SHOWN, event_uid, revision

PRODID = "-//Followthrough//Invitation//EN"
PLAN_DEFAULT_MINUTES = 30
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _address(email, name, **params):
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def _people(event, coach, client):
    if coach.user.email:
        event.add("organizer", _address(coach.user.email, coach.display_name))
    event.add("attendee", _address(client.email, client.full_name, role="REQ-PARTICIPANT",
                                   partstat="NEEDS-ACTION", rsvp="FALSE"))


def _stamp(event, record, shown):
    sequence, last = revision(record, shown)
    last = (last or record.created_at or EPOCH).astimezone(UTC).replace(microsecond=0)
    event.add("dtstamp", last)
    event.add("last-modified", last)
    event.add("sequence", sequence)


def _calendar(event, method="REQUEST"):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def meeting_invitation(meeting, *, cancelled=False):
    """The invitation to a planned meeting, in the client's time zone; with `cancelled`, the
    message that takes it out of the client's calendar (METHOD:CANCEL)."""
    engagement = meeting.engagement
    client, coach = engagement.client, engagement.coach
    event = Event()
    event.add("uid", event_uid("meeting", meeting.uid))
    start = meeting.starts_at.astimezone(ZoneInfo(client.timezone))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"Coaching with {coach.display_name}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.location or meeting.video_link:
        event.add("location", meeting.location or meeting.video_link)
    event.add("url", meeting.video_link or f"{settings.SITE_URL}/me/meetings/{meeting.uid}/")
    lines = [f"Video call: {meeting.video_link}"] if meeting.video_link else []
    lines.append(f"Your meeting page: {settings.SITE_URL}/me/meetings/{meeting.uid}/")
    event.add("description", "\n".join(lines))
    _people(event, coach, client)
    _stamp(event, meeting, MEETING_SHOWN)
    return _calendar(event, "CANCEL" if cancelled else "REQUEST")


def meeting_cancellation(meeting):
    return meeting_invitation(meeting, cancelled=True)


def plan_invitation(commitment):
    """The invitation to the slot the client planned for a commitment: the feed's plan event."""
    engagement = commitment.engagement
    client, coach = engagement.client, engagement.coach
    minutes = commitment.minutes_needed or PLAN_DEFAULT_MINUTES
    event = Event()
    event.add("uid", event_uid("plan", commitment.uid))
    start = commitment.planned_at.astimezone(ZoneInfo(client.timezone))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", " ".join(f"Planned: {commitment.description}".split())[:200])
    event.add("description", f"Due {commitment.due_on:%A %d %B %Y}. {minutes} minutes planned.")
    event.add("url", f"{settings.SITE_URL}/me/commitments/{commitment.uid}/")
    _people(event, coach, client)
    _stamp(event, commitment, PLAN_SHOWN)
    return _calendar(event)


def attach_invitation(message, calendar, filename="invitation.ics", method="REQUEST"):
    """Add `calendar` to `message` as a text/calendar part with its method (REQUEST, CANCEL)."""
    part = MIMEText(calendar.to_ical().decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    message.attach(part)
    return message


def attach_plan_invitation(message, commitment):
    """A commitment reminder carries the invitation to the planned slot, when there is one."""
    if commitment.planned_at is not None and commitment.engagement.client.email:
        attach_invitation(message, plan_invitation(commitment), filename="planned.ics")
    return message
