"""The client file's chart in a real browser: follow-through bars, and beside them the
meeting-check trend on its own 0-10 scale with a planned break shaded."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from followthrough.history.services import tracked_create
from followthrough.meetings.services import meeting_check_record
from tests.conftest import ARTIFACTS

from .conftest import Timeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answers(score):
    return {name: score for name in ("on_what_matters", "plan_fits_week", "felt_heard", "sure_to_do_it")}


def test_the_client_file_shows_the_check_trend_and_a_planned_break(chromium, live_server, client, coach, engagement,
                                                                   agreement, focus):
    from followthrough.clients.models import PlannedBreak

    timeline = Timeline(engagement, coach, focus, agreement.goals.get())
    meetings = []
    for score, outcomes in ((9, ["kept", "kept"]), (9, ["kept", "missed"]), (8, ["kept", "kept"]),
                            (6, ["kept", 0.5])):
        meeting = timeline.meeting("held", outcomes)
        meeting_check_record(meeting=meeting, answers=answers(score))
        meetings.append(meeting)
    gap = meetings[-1].starts_at.date() + timedelta(days=3)
    with transaction.atomic():
        tracked_create(PlannedBreak(engagement=engagement, starts_on=gap, ends_on=gap + timedelta(days=13),
                                    reason="Holiday", recorded_by=coach.user), by=coach.user,
                       action="planned_break.recorded")
    later = timeline.meeting("held", ["kept"], at=meetings[-1].starts_at + timedelta(days=21))
    meeting_check_record(meeting=later, answers=answers(7))

    client.force_login(coach.user)
    for width, name in ((1280, "wide"), (390, "phone")):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("console", lambda message, seen=errors: seen.append(message.text)
                if message.type == "error" else None)
        page.goto(f"{live_server.url}/clients/{engagement.client.uid}/")
        trend = page.locator("figure.check-trend svg:visible")
        assert trend.count() == 1
        label = trend.get_attribute("aria-labelledby").split()[1]
        desc = page.locator(f"#{label}").text_content()
        assert "Meeting check scores at 5 meetings" in desc and "(Holiday)" in desc
        assert page.locator("figure.check-trend figcaption").text_content().count("planned breaks") == 1
        trend.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"client-file-check-trend-{name}.png"), full_page=True)
        figure = page.locator("figure.check-trend")
        figure.screenshot(path=str(ARTIFACTS / f"check-trend-{name}.png"))
        assert not [e for e in errors if "Content Security Policy" in e], errors
        context.close()
