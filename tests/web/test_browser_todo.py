"""The coach's to-do, calendar feeds and help, in a real browser, with screenshots to look at."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from followthrough.commitments.services import commitment_client_report
from followthrough.meetings.services import meeting_create
from followthrough.protocol.referrals import referral_offer
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(chromium, live_server, client, user):
    client.force_login(user)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"todo-{name}.png"), full_page=True)


def test_the_coach_sees_what_waits_on_them_and_follows_a_link(chromium, live_server, client, coach, colleague,
                                                              held_meeting, client_user, focus):
    meeting_create(engagement=held_meeting.engagement, by=coach.user, status="held",
                   starts_at=timezone.now() - timedelta(days=1), focus_areas=[focus["business"]])
    commitment_client_report(commitment=held_meeting.commitments_made.get(), by=client_user, note="All sent")
    referral_offer(engagement=held_meeting.engagement, by=coach.user, to_coach=colleague,
                   focus_area=focus["relationships"])
    page = _page(chromium, live_server, client, coach.user)
    page.goto(f"{live_server.url}/")
    page.locator("section.todo ul.todo-list").wait_for()  # it loads after the caseload
    todo = page.locator("section.todo")
    text = todo.inner_text()
    for expected in ("Meeting not reviewed", "Reported done, to confirm", "Agreement not acknowledged",
                     "Referral awaiting an answer", "Bob Stone"):
        assert expected in text
    _shot(page, "caseload")
    todo.get_by_role("link", name="no review and no summary").click()
    page.wait_for_load_state()
    assert "/review/" in page.url


def test_a_client_creates_and_copies_their_calendar_address(chromium, live_server, client, client_user):
    page = _page(chromium, live_server, client, client_user)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_label("Name for the address").fill("phone")
    page.get_by_role("button", name="Create a calendar address").click()
    page.wait_for_load_state()
    address = page.locator("#new-feed-url").input_value()
    assert "/calendar/" in address and address.endswith(".ics")
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    _shot(page, "client-feed")


def test_a_coach_opens_the_help_from_a_pages_heading(chromium, live_server, client, coach, held_meeting):
    page = _page(chromium, live_server, client, coach.user)
    page.goto(f"{live_server.url}/clients/{held_meeting.engagement.client.uid}/")
    _shot(page, "client-file-heading")
    page.locator(".help-link a").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "A client's file"
    assert "lapse plan" in page.content()
    _shot(page, "help-client-file")
