"""The meeting check on a phone, from the email's one-tap link: the tapped answer is
chosen, the rest are answered by keyboard, and the thanks follows."""

import pytest

from followthrough.meetings.checks import check_url
from followthrough.meetings.models import MeetingCheck
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_answers_the_check_from_a_one_tap_link_on_a_phone(chromium, live_server, settings,
                                                                  held_meeting):
    settings.SITE_URL = live_server.url
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message, seen=errors: seen.append(message.text)
            if message.type == "error" else None)

    page.goto(check_url(held_meeting, question="felt_heard", answer=8))
    assert page.get_by_role("heading", name="How did this meeting go?").is_visible()
    heard = page.get_by_role("group", name="I felt heard.")
    assert heard.get_by_label("8", exact=True).is_checked()
    page.screenshot(path=str(ARTIFACTS / "check-signed-phone.png"), full_page=True)

    for question, value in (("We worked on what matters to me.", "7"), ("The plan fits my week.", "5"),
                            ("I am sure I will do what I agreed.", "9")):
        row = page.get_by_role("group", name=question)
        row.get_by_label("0", exact=True).focus()
        for _ in range(int(value)):
            page.keyboard.press("ArrowRight")
        assert row.get_by_label(value, exact=True).is_checked()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()

    assert page.get_by_text("Your answers are saved").is_visible()
    page.screenshot(path=str(ARTIFACTS / "check-signed-thanks-phone.png"), full_page=True)
    check = MeetingCheck.objects.get()
    assert check.answers() == {"on_what_matters": 7, "plan_fits_week": 5, "felt_heard": 8, "sure_to_do_it": 9}
    assert not [e for e in errors if "Content Security Policy" in e], errors
