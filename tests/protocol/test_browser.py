"""The protocol pages on a phone-sized screen, in a real browser: nothing runs off the side,
and the coach can open a step and record it with taps."""


import pytest
from django.conf import settings as django_settings

from followthrough.engine.services import engagement_refresh
from followthrough.protocol.models import InterventionStep
from followthrough.protocol.services import intervention_open, step_review_file
from tests.conftest import ARTIFACTS

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def signed_in(page, live_server, client, user):
    client.force_login(user)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def fits(page, name):
    page.screenshot(path=str(ARTIFACTS / f"protocol-{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the phone"


def test_the_protocol_on_a_phone(phone, live_server, client, clock, story, coach, engagement):
    story.held([], new=["Email five wedding planners"])
    for _ in range(3):
        story.held(["missed"], new=["Email five wedding planners"])
    engagement_refresh(engagement=engagement)
    intervention = intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")
    signed_in(phone, live_server, client, coach.user)

    phone.goto(f"{live_server.url}/interventions/{intervention.uid}/")
    fits(phone, "intervention")
    phone.get_by_label("Recommits to the agreement").check()
    phone.get_by_role("button", name="Record the response").click()
    phone.wait_for_load_state()
    assert "recorded" in phone.content()
    assert InterventionStep.objects.filter(step="reaffirm").exists()

    phone.goto(f"{live_server.url}/interventions/{intervention.uid}/review-file/?meetings=3")
    fits(phone, "review-file")
    step_review_file(intervention=intervention, by=coach.user, meetings_count=3)
    phone.goto(f"{live_server.url}/interventions/{intervention.uid}/")
    fits(phone, "new-goal")
    phone.goto(f"{live_server.url}/interventions/{intervention.uid}/final-review/")
    fits(phone, "final-review")
    phone.goto(f"{live_server.url}/practice/outcomes/")
    fits(phone, "outcomes")

