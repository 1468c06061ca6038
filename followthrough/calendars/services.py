"""Creating and revoking calendar feeds, and writing a feed as iCalendar (RFC 5545).

A feed is built with a constant number of queries whatever it holds: the owner, the
meetings, the commitments, and the event log of each, from which SEQUENCE and
LAST-MODIFIED are derived. Only changes a calendar shows (the time, the status, the
wording of a commitment) advance SEQUENCE, so editing private notes leaves no trace in
a feed. Private notes and client summaries are never read.

Event UIDs come from the records' uids, so calendar apps update an event in place when a
meeting moves instead of adding a second one. DTSTAMP is the event's last change rather
than the time of the request, so an unchanged feed is byte-for-byte the same and can be
answered with 304 Not Modified.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from icalendar import Calendar, Event

from followthrough.commitments.models import Commitment
from followthrough.history import clock
from followthrough.history.models import Event as LogEvent
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.meetings.ical import (
    COMMITMENT_SHOWN,
    MEETING_SHOWN,
    PLAN_SHOWN,
    event_uid,
    revision_of,
)
from followthrough.meetings.models import Meeting

from .models import CalendarFeed

PRODID = "-//Followthrough//Calendar feed//EN"
PAST_DAYS = 180
# A plan without minutes still needs a block someone can see in their day.
PLAN_DEFAULT_MINUTES = 30
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token):
    return f"{settings.SITE_URL}/calendar/{token}.ics"


@transaction.atomic
def feed_create(*, by, coach=None, client=None, label=""):
    """A new secret feed address for a coach or a client; returns (feed, token).

    The token is shown once: only its hash is kept.
    """
    if (coach is None) == (client is None):
        raise ValidationError("A calendar feed belongs to exactly one coach or one client.")
    if coach is not None and not coach.is_active:
        raise ValidationError({"coach": "This coach is no longer active."})
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(coach=coach, client=client, label=label.strip(), token_hash=token_digest(token),
                        token_hint=token[:6], created_by=by)
    tracked_create(feed, by=by, action="calendar_feed.created")
    return feed, token


@transaction.atomic
def feed_revoke(*, feed, by):
    """Turn a feed address off for good; calendar apps polling it get 404 from now on."""
    lock(feed)
    if feed.revoked_at is not None:
        return feed
    return tracked_update(feed, by=by, action="calendar_feed.revoked", changes={"revoked_at": clock.now()})


def feed_for_token(token):
    """The active feed a secret opens, or None."""
    if not token or len(token) > 100:
        return None
    feed = (CalendarFeed.objects.filter(token_hash=token_digest(token), revoked_at=None)
            .select_related("coach__practice", "client").first())
    if feed is None or (feed.coach_id and not feed.coach.is_active):
        return None
    return feed


def _revisions(object_type, uids, *shown_sets):
    """uid -> (SEQUENCE, last change) from the event log, counting only changes shown; one
    map per set of shown fields, all from one query."""
    maps = [{} for _ in shown_sets]
    if not uids:
        return maps if len(maps) > 1 else maps[0]
    events = (LogEvent.objects.filter(object_type=object_type, object_uid__in=uids).order_by("seq")
              .values_list("object_uid", "at", "before", "after"))
    for row in events:
        for revisions, shown in zip(maps, shown_sets, strict=True):
            revision_of([row], shown, revisions)
    return maps if len(maps) > 1 else maps[0]


def _stamp(event, revision, fallback):
    sequence, last = revision if revision else (0, fallback)
    last = (last or EPOCH).astimezone(UTC).replace(microsecond=0)
    event.add("dtstamp", last)
    event.add("last-modified", last)
    event.add("sequence", max(sequence, 0))


def _meetings(feed, since):
    meetings = Meeting.objects.filter(starts_at__gte=since).only(
        "uid", "status", "starts_at", "duration_minutes", "created_at", "location", "video_link",
        "engagement__client__full_name", "engagement__coach__display_name",
    ).select_related("engagement__client", "engagement__coach").order_by("starts_at", "pk")
    if feed.coach_id:
        return meetings.filter(engagement__coach_id=feed.coach_id)
    return meetings.filter(engagement__client_id=feed.client_id)


def _commitments(feed, since):
    commitments = Commitment.objects.filter(due_on__gte=since.date()).only(
        "uid", "description", "due_on", "outcome", "created_at", "planned_at", "minutes_needed",
        "engagement__client__full_name", "engagement__client__uid", "engagement__client__timezone",
    ).select_related("engagement__client").order_by("due_on", "pk")
    if feed.coach_id:
        return commitments.filter(engagement__coach_id=feed.coach_id)
    return commitments.filter(engagement__client_id=feed.client_id)


def _meeting_event(meeting, feed, tz, revision):
    event = Event()
    event.add("uid", event_uid("meeting", meeting.uid))
    start = meeting.starts_at.astimezone(tz)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    if feed.coach_id:
        summary = f"Coaching: {meeting.engagement.client.full_name}"
        url = f"{settings.SITE_URL}/meetings/{meeting.uid}/"
    else:
        summary = f"Coaching with {meeting.engagement.coach.display_name}"
        url = f"{settings.SITE_URL}/me/meetings/{meeting.uid}/"
    if meeting.status == Meeting.Status.NO_SHOW:
        summary += " (no-show)"
    event.add("summary", summary)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    event.add("url", url)
    if meeting.location or meeting.video_link:
        event.add("location", meeting.location or meeting.video_link)
    if meeting.video_link:
        event.add("description", f"Video call: {meeting.video_link}")
    _stamp(event, revision, meeting.created_at)
    return event


def _commitment_event(commitment, feed, revision):
    event = Event()
    event.add("uid", event_uid("commitment", commitment.uid))
    event.add("dtstart", commitment.due_on)
    event.add("dtend", commitment.due_on + timedelta(days=1))
    state = "Due" if commitment.is_open else commitment.get_outcome_display()
    if feed.coach_id:
        summary = f"{state}: {commitment.engagement.client.full_name} – {commitment.description}"
        url = f"{settings.SITE_URL}/clients/{commitment.engagement.client.uid}/"
    else:
        summary = f"{state}: {commitment.description}"
        url = f"{settings.SITE_URL}/me/commitments/{commitment.uid}/"
    event.add("summary", " ".join(summary.split())[:200])
    event.add("transp", "TRANSPARENT")
    event.add("url", url)
    _stamp(event, revision, commitment.created_at)
    return event


def _plan_event(commitment, feed, revision):
    """When the client said they will do it: a timed event at that moment in the client's
    own zone, beside the all-day due marker, with its own stable UID."""
    event = Event()
    event.add("uid", event_uid("plan", commitment.uid))
    start = commitment.planned_at.astimezone(ZoneInfo(commitment.engagement.client.timezone))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=commitment.minutes_needed or PLAN_DEFAULT_MINUTES))
    who = f"{commitment.engagement.client.full_name} – " if feed.coach_id else ""
    event.add("summary", " ".join(f"Planned: {who}{commitment.description}".split())[:200])
    event.add("description", f"Due {commitment.due_on:%A %d %B %Y}. "
                             f"{commitment.minutes_needed or PLAN_DEFAULT_MINUTES} minutes planned.")
    event.add("url", f"{settings.SITE_URL}/clients/{commitment.engagement.client.uid}/" if feed.coach_id
              else f"{settings.SITE_URL}/me/commitments/{commitment.uid}/")
    _stamp(event, revision, commitment.created_at)
    return event


def feed_calendar(feed, *, now=None):
    """The feed's calendar: its owner's meetings and commitment due dates."""
    now = now or clock.now()
    since = now - timedelta(days=PAST_DAYS)
    if feed.coach_id:
        tz_name, name = feed.coach.practice.timezone, f"Followthrough: {feed.coach.display_name}"
    else:
        tz_name, name = feed.client.timezone, "Followthrough: my coaching"
    tz = ZoneInfo(tz_name)
    meetings = list(_meetings(feed, since))
    commitments = list(_commitments(feed, since))
    meeting_revs = _revisions(Meeting.history_type(), [str(m.uid) for m in meetings], MEETING_SHOWN)
    commitment_revs, plan_revs = _revisions(Commitment.history_type(), [str(c.uid) for c in commitments],
                                            COMMITMENT_SHOWN, PLAN_SHOWN)
    planned = [c for c in commitments if c.planned_at is not None]

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz_name)
    calendar.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT30M")
    for meeting in meetings:
        calendar.add_component(_meeting_event(meeting, feed, tz, meeting_revs.get(str(meeting.uid))))
    for commitment in commitments:
        calendar.add_component(_commitment_event(commitment, feed, commitment_revs.get(str(commitment.uid))))
    for commitment in planned:
        calendar.add_component(_plan_event(commitment, feed, plan_revs.get(str(commitment.uid))))
    calendar.add_missing_timezones()
    return calendar


def feed_body(feed, *, now=None):
    return feed_calendar(feed, now=now).to_ical()
