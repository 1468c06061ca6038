"""Private calendar feeds: valid iCalendar, stable events, the owner's records only."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from followthrough.calendars.models import CalendarFeed
from followthrough.calendars.services import feed_create, feed_revoke
from followthrough.commitments.services import commitment_create
from followthrough.history.models import Event
from followthrough.history.services import verify_records
from followthrough.meetings.services import meeting_create, meeting_update


def fetch(client, token, **headers):
    return client.get(f"/calendar/{token}.ics", headers=headers)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def planned_meeting(engagement, coach, agreement):
    starts = (timezone.now() + timedelta(days=7)).replace(hour=14, minute=30, second=0, microsecond=0)
    return meeting_create(engagement=engagement, by=coach.user, starts_at=starts, duration_minutes=45,
                          private_notes="Worried about the overdraft.")


@pytest.fixture
def dee_meeting(colleague, colleague_client):
    dee = colleague_client.engagements.get()
    commitment_create(engagement=dee, by=colleague.user, description="Dee's own task",
                      due_on=timezone.localdate() + timedelta(days=3))
    return meeting_create(engagement=dee, by=colleague.user, starts_at=timezone.now() + timedelta(days=2))


def test_a_coach_feed_is_valid_icalendar_with_meetings_and_due_dates(client, coach, planned_meeting, commitment,
                                                                     held_meeting, dee_meeting, settings):
    settings.SITE_URL = "https://coach.example.org"
    _, token = feed_create(coach=coach, by=coach.user)
    calendar = parse(fetch(client, token))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Followthrough//Calendar feed//EN"
    found = events(calendar)
    assert set(found) == {
        f"meeting-{planned_meeting.uid}@followthrough", f"meeting-{held_meeting.uid}@followthrough",
        f"commitment-{commitment.uid}@followthrough",
    }
    meeting = found[f"meeting-{planned_meeting.uid}@followthrough"]
    start = meeting.decoded("DTSTART")
    assert start == planned_meeting.starts_at
    assert start.tzinfo == ZoneInfo("Europe/London")  # the practice's zone, with its VTIMEZONE
    assert meeting.decoded("DTEND") - start == timedelta(minutes=45)
    assert str(meeting["SUMMARY"]) == "Coaching: Bob Stone"
    assert str(meeting["STATUS"]) == "CONFIRMED"
    assert str(meeting["URL"]) == f"https://coach.example.org/meetings/{planned_meeting.uid}/"
    assert "DTSTAMP" in meeting and meeting["SEQUENCE"] == 0
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]

    due = found[f"commitment-{commitment.uid}@followthrough"]
    assert due.decoded("DTSTART") == commitment.due_on  # an all-day event
    assert due.decoded("DTEND") == commitment.due_on + timedelta(days=1)
    assert str(due["SUMMARY"]) == "Due: Bob Stone – Email five wedding planners"
    assert str(due["TRANSP"]) == "TRANSPARENT"


def test_no_private_notes_and_no_other_coachs_clients(client, coach, planned_meeting, held_meeting, dee_meeting):
    _, token = feed_create(coach=coach, by=coach.user)
    body = fetch(client, token).content.decode()
    assert "overdraft" not in body and "Tired, distracted" not in body
    assert "planned outreach" not in body  # client summaries stay in the app too
    assert "Dee" not in body and str(dee_meeting.uid) not in body


def test_a_client_feed_has_their_own_meetings_and_commitments(client, client_record, colleague, planned_meeting,
                                                              commitment, dee_meeting, settings):
    settings.SITE_URL = "https://coach.example.org"
    from followthrough.clients.services import client_update

    client_update(client=client_record, by=None, timezone="America/New_York")
    _, token = feed_create(client=client_record, by=None)
    calendar = parse(fetch(client, token))
    found = events(calendar)
    assert set(found) == {f"meeting-{planned_meeting.uid}@followthrough", f"commitment-{commitment.uid}@followthrough",
                          f"meeting-{commitment.made_at.uid}@followthrough"}
    meeting = found[f"meeting-{planned_meeting.uid}@followthrough"]
    assert meeting.decoded("DTSTART") == planned_meeting.starts_at
    assert meeting.decoded("DTSTART").tzinfo == ZoneInfo("America/New_York")
    assert str(meeting["SUMMARY"]) == "Coaching with Ana Perez"
    due = found[f"commitment-{commitment.uid}@followthrough"]
    assert str(due["SUMMARY"]) == "Due: Email five wedding planners"
    assert str(due["URL"]) == f"https://coach.example.org/me/commitments/{commitment.uid}/"
    body = fetch(client, token).content.decode()
    assert "Dee" not in body and "overdraft" not in body


def test_uids_are_stable_and_a_moved_meeting_is_updated_not_duplicated(client, coach, planned_meeting):
    _, token = feed_create(coach=coach, by=coach.user)
    first, second = fetch(client, token), fetch(client, token)
    assert first.content == second.content
    uid = f"meeting-{planned_meeting.uid}@followthrough"

    meeting_update(meeting=planned_meeting, by=coach.user, private_notes="Changed notes")
    assert events(parse(fetch(client, token)))[uid]["SEQUENCE"] == 0  # nothing the calendar shows changed

    later = planned_meeting.starts_at + timedelta(hours=2)
    meeting_update(meeting=planned_meeting, by=coach.user, starts_at=later)
    moved = events(parse(fetch(client, token)))
    assert list(moved) == [uid]
    assert moved[uid]["SEQUENCE"] == 1
    assert moved[uid].decoded("DTSTART") == later
    assert moved[uid].decoded("LAST-MODIFIED") >= moved[uid].decoded("DTSTAMP") - timedelta(seconds=1)

    meeting_update(meeting=planned_meeting, by=coach.user, status="cancelled")
    cancelled = events(parse(fetch(client, token)))[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled["SEQUENCE"] == 2


def test_an_unchanged_feed_answers_not_modified(client, coach, planned_meeting):
    _, token = feed_create(coach=coach, by=coach.user)
    response = fetch(client, token)
    assert response["Cache-Control"] == "private, max-age=300"
    assert fetch(client, token, if_none_match=response["ETag"]).status_code == 304


def test_revoked_and_unknown_addresses_are_not_found(client, coach, planned_meeting):
    feed, token = feed_create(coach=coach, by=coach.user)
    assert fetch(client, token).status_code == 200
    feed_revoke(feed=feed, by=coach.user)
    assert fetch(client, token).status_code == 404
    assert fetch(client, "not-a-feed").status_code == 404
    assert fetch(client, token[:-1]).status_code == 404


def test_only_a_hash_of_the_secret_is_kept_and_creation_is_logged(coach):
    feed, token = feed_create(coach=coach, by=coach.user, label="phone")
    assert token not in feed.token_hash and feed.token_hint == token[:6]
    feed_revoke(feed=feed, by=coach.user)
    actions = list(Event.objects.filter(object_uid=str(feed.uid)).values_list("action", flat=True))
    assert actions == ["calendar_feed.created", "calendar_feed.revoked"]
    assert verify_records() == []


def test_a_feed_takes_the_same_number_of_queries_however_many_events(client, coach, engagement, agreement):
    _, token = feed_create(coach=coach, by=coach.user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert fetch(client, token).status_code == 200
        return len(captured)

    meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now() + timedelta(days=1))
    commitment_create(engagement=engagement, by=coach.user, description="Step 1", due_on=date.today())
    one = queries()
    for day in range(2, 12):
        meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now() + timedelta(days=day))
        commitment_create(engagement=engagement, by=coach.user, description=f"Step {day}",
                          due_on=date.today() + timedelta(days=day))
    assert queries() == one


def test_the_command_prints_an_address_and_revokes(coach, client_record, capsys, settings):
    settings.SITE_URL = "https://coach.example.org"
    call_command("calendarfeed", "--coach", "ana")
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://coach.example.org/calendar/") and url.endswith(".ics")
    call_command("calendarfeed", "--client", "BOB@example.org", "--label", "phone")
    assert CalendarFeed.objects.get(client=client_record).label == "phone"
    capsys.readouterr()
    call_command("calendarfeed", "--coach", "ana", "--revoke")
    assert capsys.readouterr().out.strip() == "revoked 1 feed"
    assert CalendarFeed.objects.filter(revoked_at=None).count() == 1
    with pytest.raises(CommandError, match="no coach"):
        call_command("calendarfeed", "--coach", "nobody")
    with pytest.raises(CommandError, match="no client"):
        call_command("calendarfeed", "--client", "nobody@example.org")


def test_a_planned_commitment_is_a_timed_event_in_the_clients_zone_beside_its_due_date(
        client, coach, client_record, engagement, agreement):
    from datetime import datetime

    from followthrough.clients.services import client_update

    client_update(client=client_record, by=None, timezone="America/New_York")
    due = timezone.localdate() + timedelta(days=5)
    planned = datetime(due.year, due.month, due.day, 9, 30, tzinfo=ZoneInfo("America/New_York")) - timedelta(days=2)
    commitment = commitment_create(engagement=engagement, by=coach.user, description="Call three former clients",
                                   due_on=due, planned_at=planned, minutes_needed=45, has_tools=True)
    for token in (feed_create(client=client_record, by=None)[1], feed_create(coach=coach, by=coach.user)[1]):
        found = events(parse(fetch(client, token)))
        plan = found[f"plan-{commitment.uid}@followthrough"]
        assert plan.decoded("DTSTART") == planned
        assert plan.decoded("DTSTART").tzinfo == ZoneInfo("America/New_York")
        assert plan.decoded("DTEND") - plan.decoded("DTSTART") == timedelta(minutes=45)
        assert "Planned:" in str(plan["SUMMARY"]) and f"Due {due:%A}" in str(plan["DESCRIPTION"])
        # The all-day due marker stays, with its own UID.
        assert found[f"commitment-{commitment.uid}@followthrough"].decoded("DTSTART") == due


def test_a_commitment_without_a_plan_has_no_timed_event(client, coach, commitment):
    _, token = feed_create(coach=coach, by=coach.user)
    assert not any(uid.startswith("plan-") for uid in events(parse(fetch(client, token))))
