"""The client's path through the portal in a real browser: open the emailed link, see the
actions, mark one done with a note, answer the coach's plan request."""

from datetime import date, timedelta

import pytest

from followthrough.accounts.links import portal_link_send
from followthrough.commitments.services import commitment_create
from followthrough.portal.models import PlanRequest
from followthrough.portal.services import plan_request_create
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(chromium):
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(15_000)
    return page


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)


def test_client_opens_link_marks_done_and_answers_a_plan(browser_page, live_server, settings, coach,
                                                         engagement, commitment):
    settings.SITE_URL = live_server.url
    page = browser_page
    outreach = commitment_create(engagement=engagement, by=coach.user, description="Visit two wedding venues",
                                 due_on=date.today() + timedelta(days=6))
    plan_request = plan_request_create(commitment=outreach, by=coach.user)
    link = portal_link_send(client=engagement.client, by=coach.user)

    page.goto(link.url)
    page.get_by_role("button", name="Open my portal").click()
    page.wait_for_url(f"{live_server.url}/me/")
    assert page.get_by_role("heading", name="Hello, Bob Stone").is_visible()
    actions = page.locator("#open-actions")
    assert actions.get_by_text("Email five wedding planners").is_visible()
    assert actions.get_by_text("Visit two wedding venues").is_visible()
    assert "Tired, distracted." not in page.content()
    shot(page, "home")

    actions.get_by_role("link", name="Email five wedding planners").click()
    page.get_by_label("A note for your coach (optional)").fill("Sent to all five, two replied already.")
    page.get_by_role("button", name="Mark as done").click()
    assert page.get_by_text("Your coach will see that you have done this").is_visible()
    assert page.get_by_text("Sent to all five, two replied already.").is_visible()
    shot(page, "marked-done")

    page.get_by_role("link", name="Your actions", exact=True).click()
    page.get_by_role("link", name="Plan it").first.click()
    page.get_by_label("When will you do it?").fill(f"{date.today() + timedelta(days=2)}T09:30")
    page.get_by_label("No, I still need something").check()
    page.get_by_role("button", name="Save my plan").click()
    # Two answers missing: each is named where it belongs and nothing is saved.
    assert page.get_by_text("Say about how many minutes it will take.").is_visible()
    assert page.get_by_text("Say what you still need").is_visible()
    shot(page, "plan-errors")

    page.get_by_label("About how many minutes will it take?").fill("50")
    page.get_by_label("What will you use, or what do you still need?").fill("the venues' phone numbers")
    page.get_by_role("button", name="Save my plan").click()
    assert page.get_by_text("your plan is saved").is_visible()
    assert page.get_by_text("It takes about 50 minutes").is_visible()
    shot(page, "plan-answered")

    commitment.refresh_from_db()
    outreach.refresh_from_db()
    assert commitment.client_report_note == "Sent to all five, two replied already."
    assert commitment.outcome == "open"
    assert outreach.minutes_needed == 50 and outreach.has_tools is False
    assert outreach.tools_needed == "the venues' phone numbers"
    assert PlanRequest.objects.get(pk=plan_request.pk).is_answered
