"""Signing in with a second factor in a real browser, and pages working under the strict
CSP: no policy violation, and htmx still adds a commitment row on the review screen."""

import pytest
from django.urls import reverse

from tests.conftest import ARTIFACTS, PASSWORD

from .helpers import code_for, turn_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.violations.append(message.text))
    return page


def test_password_then_code_then_the_caseload_without_csp_violations(page, live_server, coach, held_meeting):
    device, _ = turn_on(coach.user)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "accounts-login.png"), full_page=True)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}{reverse('login_verify')}*")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "That code is not right" in page.content()
    page.screenshot(path=str(ARTIFACTS / "accounts-code-wrong.png"), full_page=True)
    # django-otp makes each wrong code wait a little longer (1 s after the first) before the next.
    page.wait_for_timeout(1500)
    page.get_by_label("Code").fill(code_for(device, offset=1))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{reverse('caseload')}")
    page.goto(f"{live_server.url}{reverse('client_file', args=[held_meeting.engagement.client.uid])}")
    page.goto(f"{live_server.url}{reverse('meeting_review', args=[held_meeting.uid])}")
    rows = page.locator("#new-rows .new-row")
    before = rows.count()
    page.get_by_role("button", name="Add another commitment").click()
    rows.nth(before).wait_for()  # a locator, not a string to evaluate: the CSP refuses eval
    assert page.violations == []


def test_the_setup_page_with_its_qr_code(page, live_server, client, coach):
    from django.conf import settings as django_settings

    client.force_login(coach.user)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}{reverse('two_factor')}")
    assert page.locator("figure.qr svg").is_visible()
    page.screenshot(path=str(ARTIFACTS / "accounts-two-factor-setup.png"), full_page=True)
    assert page.violations == []
