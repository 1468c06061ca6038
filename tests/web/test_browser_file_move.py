"""In a real browser: the coach opens 'Change state' on a client file, the form arrives in the
box, and pausing the engagement from it works as on the move page."""

from datetime import timedelta

import pytest

from followthrough.clients.models import Engagement
from tests.conftest import ARTIFACTS

from .test_browser_next_meeting import _page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coach_pauses_an_engagement_from_the_box_on_the_file(chromium, live_server, client, coach, engagement):
    page = _page_as(chromium, live_server, client, coach.user)
    page.goto(f"{live_server.url}/clients/{engagement.client.uid}/")
    page.get_by_text("Change state (pause, end, resume)").click()
    page.get_by_label("Pause until a check-back date").check()
    check_back = coach.practice.today() + timedelta(days=30)
    page.get_by_label("Check back on").fill(check_back.isoformat())
    page.screenshot(path=str(ARTIFACTS / "file-move-box.png"), full_page=True)
    page.get_by_role("button", name="Move the engagement").click()
    page.wait_for_load_state()
    engagement.refresh_from_db()
    assert engagement.state == Engagement.State.PAUSED and engagement.check_back_on == check_back
