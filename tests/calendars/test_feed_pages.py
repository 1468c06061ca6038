"""Coaches and clients create, copy and revoke their own calendar feed addresses from the
pages (and coaches through the API), through the same services as `calendarfeed`."""

import re

import pytest
from django.urls import reverse

from followthrough.calendars.models import CalendarFeed
from followthrough.calendars.services import feed_create
from tests.api.conftest import Api, token_for

FEED_URL = re.compile(r'value="(https?://[^"]+/calendar/([^"/]+)\.ics)"')


def _created(response):
    """The address shown once on the page, and its token."""
    match = FEED_URL.search(response.content.decode())
    assert match, "the new address is on the page"
    return match.group(1), match.group(2)


@pytest.mark.parametrize("persona, page", [("coach", "calendar_coach_feeds"), ("client", "calendar_client_feeds")])
def test_an_owner_creates_an_address_that_works_and_revokes_it(client, coach, client_user, persona, page):
    client.force_login(coach.user if persona == "coach" else client_user)
    url, token = _created(client.post(reverse(page), {"label": "phone"}))
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    listing = client.get(reverse(page))
    text = listing.content.decode()
    assert token not in text, "the address is shown only once"
    assert "phone" in text and token[:6] in text
    [feed] = listing.context["feeds"]
    revoke = reverse(page.replace("feeds", "feed_revoke"), args=[feed.uid])
    assert client.post(revoke).status_code == 302
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert "no calendar address in use" in client.get(reverse(page)).content.decode()


def test_the_new_address_has_a_copy_button(client, coach):
    client.force_login(coach.user)
    text = client.post(reverse("calendar_coach_feeds"), {"label": ""}).content.decode()
    assert 'id="new-feed-url"' in text and 'data-copy-from="#new-feed-url"' in text


def test_a_name_too_long_is_refused_on_the_field_and_nothing_is_made(client, coach):
    client.force_login(coach.user)
    response = client.post(reverse("calendar_coach_feeds"), {"label": "x" * 101})
    assert response.status_code == 422
    assert "at most 100 characters" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_the_coach_page_is_for_coaches_and_the_portal_page_for_clients(client, coach, colleague, client_user):
    for user, page, status in [(client_user, "calendar_coach_feeds", 404),
                               (coach.user, "calendar_client_feeds", 404),
                               (colleague.user, "calendar_coach_feeds", 200),
                               (client_user, "calendar_client_feeds", 200)]:
        client.force_login(user)
        assert client.get(reverse(page)).status_code == status, (user, page)
    client.logout()
    assert client.get(reverse("calendar_coach_feeds"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("calendar_client_feeds"))["Location"].startswith(reverse("portal_sign_in"))


def test_nobody_revokes_someone_elses_address(client, coach, colleague, client_record, client_user):
    coach_feed, coach_token = feed_create(by=coach.user, coach=coach)
    client_feed, client_token = feed_create(by=client_user, client=client_record)
    client.force_login(colleague.user)
    assert client.post(reverse("calendar_coach_feed_revoke", args=[coach_feed.uid])).status_code == 404
    client.force_login(client_user)
    assert client.post(reverse("calendar_coach_feed_revoke", args=[coach_feed.uid])).status_code == 404
    assert client.post(reverse("calendar_client_feed_revoke", args=[coach_feed.uid])).status_code == 404
    client.force_login(coach.user)
    assert client.post(reverse("calendar_client_feed_revoke", args=[client_feed.uid])).status_code == 404
    assert client.post(reverse("calendar_coach_feed_revoke", args=[client_feed.uid])).status_code == 404
    assert client.get(f"/calendar/{coach_token}.ics").status_code == 200
    assert client.get(f"/calendar/{client_token}.ics").status_code == 200


def test_the_api_creates_lists_and_revokes_the_coachs_addresses(client, coach, colleague):
    api, other = Api(client, token_for(coach)), Api(client, token_for(colleague))
    made = api.post("/api/calendar-feeds", {"label": "laptop"})
    assert made.status_code == 201
    body = made.json()
    token = body["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    assert [f["label"] for f in api.get("/api/calendar-feeds").json()] == ["laptop"]
    assert "url" not in api.get("/api/calendar-feeds").json()[0]
    assert other.get("/api/calendar-feeds").json() == []
    assert other.post(f"/api/calendar-feeds/{body['uid']}/revoke").status_code == 404
    revoked = api.post(f"/api/calendar-feeds/{body['uid']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert api.get("/api/calendar-feeds").json() == []
    assert api.post("/api/calendar-feeds", {"label": "x" * 101}).json()["errors"]["label"]
