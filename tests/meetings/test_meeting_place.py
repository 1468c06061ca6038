"""Where a meeting is, in the API, the client's portal and the calendar feed; and the next
meeting's suggestion in the API."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from followthrough.accounts.tokens import api_token_create
from followthrough.calendars.services import feed_create
from followthrough.meetings.services import meeting_create, meeting_update

ZOOM = "https://meet.example.org/ana-bob"


def api(client, coach, method, path, payload=None):
    _, raw = api_token_create(coach=coach, name="tests", by=coach.user)
    headers = {"Authorization": f"Bearer {raw}"}
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(path, json.dumps(payload, default=str), content_type="application/json",
                                   headers=headers)


@pytest.fixture
def planned(engagement, coach, agreement):
    starts = (timezone.now() + timedelta(days=5)).replace(hour=14, minute=0, second=0, microsecond=0)
    return meeting_create(engagement=engagement, by=coach.user, starts_at=starts,
                          location="12 Harbour Street", video_link=ZOOM)


def test_the_service_refuses_a_video_link_that_is_not_http_and_keeps_nothing(engagement, coach, agreement):
    with pytest.raises(ValidationError) as caught:
        meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now() + timedelta(days=1),
                       video_link="zoom.us/j/123")
    assert list(caught.value.message_dict) == ["video_link"]
    assert not engagement.meetings.exists()


def test_the_api_plans_a_meeting_with_its_place_and_changes_it(client, coach, engagement, agreement):
    starts = (timezone.now() + timedelta(days=3)).isoformat()
    response = api(client, coach, "post", f"/api/engagements/{engagement.uid}/meetings",
                   {"starts_at": starts, "location": "The office", "video_link": ZOOM})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["location"], body["video_link"], body["next_suggested_at"]) == ("The office", ZOOM, None)
    response = api(client, coach, "patch", f"/api/meetings/{body['uid']}", {"video_link": "ftp://x.example.org"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["video_link"]
    response = api(client, coach, "patch", f"/api/meetings/{body['uid']}", {"location": "Room 2"})
    assert response.json()["location"] == "Room 2" and response.json()["video_link"] == ZOOM


def test_the_api_gives_the_next_meeting_suggested_after_the_latest_held_one(client, coach, held_meeting):
    body = api(client, coach, "get", f"/api/meetings/{held_meeting.uid}").json()
    suggested = timezone.datetime.fromisoformat(body["next_suggested_at"])
    held_at = held_meeting.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert suggested.astimezone(ZoneInfo("Europe/London")).date() == (held_at + timedelta(weeks=4)).date()
    # Planning it through the API, as the page's one click does, leaves nothing more to suggest.
    api(client, coach, "post", f"/api/engagements/{held_meeting.engagement.uid}/meetings",
        {"starts_at": body["next_suggested_at"]})
    assert api(client, coach, "get", f"/api/meetings/{held_meeting.uid}").json()["next_suggested_at"] is None


def test_the_meetings_list_reads_the_suggestion_in_a_constant_number_of_queries(client, coach, held_meeting):
    path = f"/api/engagements/{held_meeting.engagement.uid}/meetings"
    with CaptureQueriesContext(connection) as few:
        api(client, coach, "get", path)
    for days in range(1, 6):
        meeting_create(engagement=held_meeting.engagement, by=coach.user, status="held",
                       starts_at=held_meeting.starts_at - timedelta(days=days), focus_areas=list(
                           held_meeting.focus_areas.all()))
    with CaptureQueriesContext(connection) as many:
        items = api(client, coach, "get", path).json()["items"]
    assert len(items) == 6 and len(many) == len(few)
    assert [item["next_suggested_at"] is not None for item in items] == [True] + [False] * 5


def test_the_client_sees_where_to_go_and_the_call_link_in_the_portal(client, client_user, planned):
    client.force_login(client_user)
    home = client.get("/me/").content.decode()
    assert "12 Harbour Street" in home and f'href="{ZOOM}"' in home
    page = client.get(f"/me/meetings/{planned.uid}/").content.decode()
    assert "Where" in page and "12 Harbour Street" in page and "Join the call" in page


def test_the_feed_gives_the_place_and_the_call_and_a_change_of_place_advances_sequence(
        client, coach, planned):
    _, token = feed_create(coach=coach, by=coach.user)
    [event] = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content).walk("VEVENT")
    assert str(event["LOCATION"]) == "12 Harbour Street"
    assert ZOOM in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"meeting-{planned.uid}@followthrough"
    first = int(event["SEQUENCE"])
    meeting_update(meeting=planned, by=coach.user, location="Room 2, upstairs")
    [event] = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content).walk("VEVENT")
    assert (str(event["LOCATION"]), int(event["SEQUENCE"])) == ("Room 2, upstairs", first + 1)
    meeting_update(meeting=planned, by=coach.user, private_notes="Nothing a calendar shows")
    [event] = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content).walk("VEVENT")
    assert int(event["SEQUENCE"]) == first + 1


def test_a_meeting_only_online_has_its_call_as_the_feeds_location(client, coach, planned):
    meeting_update(meeting=planned, by=coach.user, location="")
    _, token = feed_create(client=planned.engagement.client, by=None)
    [event] = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content).walk("VEVENT")
    assert str(event["LOCATION"]) == ZOOM
