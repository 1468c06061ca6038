"""A fresh-start choice fills the new goal's due date with one tap, in a real browser
(the page's own script, under the CSP that allows no inline script)."""

import pytest

from followthrough.commitments.fresh_start import fresh_starts

from .test_browser import fits, phone, signed_in  # noqa: F401 (the phone fixture)
from .test_new_goal_choices import open_intervention

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fresh_start_button_fills_the_due_date(phone, live_server, client, clock, story, coach,  # noqa: F811
                                                 engagement):
    intervention = open_intervention(story, coach, engagement)
    source = engagement.commitments.filter(outcome="missed").first()
    signed_in(phone, live_server, client, coach.user)
    phone.goto(f"{live_server.url}/interventions/{intervention.uid}/?source={source.uid}&mode=reinstate#new_goal")
    errors = []
    # A missing favicon is no script error; anything else on the console is.
    phone.on("console", lambda m: errors.append(m.text)
             if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    monday = next(s for s in fresh_starts(coach.practice.today()) if s.kind == "monday")
    phone.get_by_role("button", name=monday.label).click()
    assert phone.locator("#id_due_on").input_value() == monday.day.isoformat()
    fits(phone, "new-goal-fresh-starts")
    assert errors == []
