"""Planned breaks on a phone, in a real browser: the client notes one in the portal and
sees the action it set aside; the coach sees it in the client file."""

from datetime import timedelta

import pytest

from followthrough.clients.models import PlannedBreak
from followthrough.commitments.services import commitment_create
from tests.conftest import ARTIFACTS
from tests.protocol.test_browser import phone, signed_in  # noqa: F401 (the phone fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"breaks-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1, name


def test_a_client_notes_a_break_and_the_coach_sees_it(phone, live_server, client, client_user, coach,  # noqa: F811
                                                      engagement, agreement):
    today = engagement.client.today()
    start, end = today + timedelta(days=3), today + timedelta(days=10)
    commitment_create(engagement=engagement, by=coach.user, description="Bake a tasting box",
                      due_on=today + timedelta(days=5))
    signed_in(phone, live_server, client, client_user)
    phone.goto(f"{live_server.url}/me/breaks/")
    phone.get_by_label("First day of the break").fill(start.isoformat())
    phone.get_by_label("Last day of the break").fill(end.isoformat())
    phone.get_by_label("What the break is for").fill("holiday")
    phone.get_by_role("button", name="Note the break").click()
    phone.wait_for_load_state()
    assert "1 action due in it is set aside" in phone.content()
    shot(phone, "portal")
    brk = PlannedBreak.objects.get()
    phone.goto(f"{live_server.url}/me/")
    assert f"Waived: {brk.words}" in phone.content()
    shot(phone, "portal-home")
    signed_in(phone, live_server, client, coach.user)
    phone.goto(f"{live_server.url}/clients/{engagement.client.uid}/#breaks")
    assert "by the client" in phone.content()
    shot(phone, "client-file")
    phone.locator("#breaks").screenshot(path=str(ARTIFACTS / "breaks-client-file-section.png"))
