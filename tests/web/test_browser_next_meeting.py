"""In a real browser: a coach records a meeting held, plans the next one in one click from
the offer, and the client finds where and how to join it in the portal."""

import pytest
from django.conf import settings as django_settings

from followthrough.meetings.models import Meeting
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"meetings-{name}.png"), full_page=True)


def _page_as(chromium, live_server, client, user):
    client.force_login(user)
    context = chromium.new_context()
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_the_coach_plans_the_next_meeting_from_the_offer_and_the_client_finds_the_call(
        chromium, live_server, client, coach, held_meeting, client_user):
    Meeting.objects.filter(pk=held_meeting.pk).update(location="12 Harbour Street, room 2",
                                                      video_link="https://meet.example.org/ana-bob")
    page = _page_as(chromium, live_server, client, coach.user)
    page.goto(f"{live_server.url}/meetings/{held_meeting.uid}/")
    assert page.get_by_role("heading", name="Next meeting").is_visible()
    _shot(page, "offer")
    page.get_by_role("button", name="Plan it").click()
    page.wait_for_load_state()
    assert "is planned" in page.content()
    planned = Meeting.objects.get(status="planned")
    assert planned.location == "12 Harbour Street, room 2"
    _shot(page, "planned")

    portal = _page_as(chromium, live_server, client, client_user)
    portal.goto(f"{live_server.url}/me/")
    assert portal.get_by_role("link", name="Join the call").get_attribute("href") == \
        "https://meet.example.org/ana-bob"
    assert "12 Harbour Street, room 2" in portal.content()
    _shot(portal, "portal-home")
