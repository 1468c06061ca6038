"""The new-goal step offers fresh-start dates beside its due date, on the page and in the API."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from followthrough.commitments.fresh_start import fresh_starts
from followthrough.meetings.services import meeting_create

from .test_api_protocol import api  # noqa: F401 (the fixture)
from .test_new_goal_choices import open_intervention


def _plan_meeting(engagement, coach, days):
    return meeting_create(engagement=engagement, by=coach.user, status="planned",
                          starts_at=timezone.now() + timedelta(days=days))


def test_the_new_goal_form_offers_next_monday_the_first_and_the_next_meeting_as_one_click_dates(
        story, client, coach, engagement):
    intervention = open_intervention(story, coach, engagement)
    meeting = _plan_meeting(engagement, coach, 3)
    client.force_login(coach.user)
    source = engagement.commitments.filter(outcome="missed").first()
    page = client.get(reverse("protocol:intervention", args=[intervention.uid]),
                      {"source": str(source.uid), "mode": "reinstate"})
    html = page.content.decode()
    today = coach.practice.today()
    # The meeting's day in the practice's time zone, as the page shows it (late in the UTC
    # evening it is already the next day in London's summer).
    meeting_day = timezone.localtime(meeting.starts_at, ZoneInfo(coach.practice.timezone)).date()
    expected = fresh_starts(today, next_meeting=meeting_day)
    assert [s.kind for s in expected].count("next_meeting") == 1
    for start in expected:
        assert f'data-fill-date="{start.day:%Y-%m-%d}" data-fill-target="id_due_on"' in html
        assert start.label in html
    assert "<script>" not in html and "onclick" not in html


def test_the_api_lists_the_fresh_starts_among_the_new_goal_options(story, api, coach, engagement):  # noqa: F811
    intervention = open_intervention(story, coach, engagement)
    response = api.get(f"interventions/{intervention.uid}/steps/new_goal/options")
    assert response.status_code == 200
    body = response.json()
    assert [m["description"] for m in body["missed"]] == ["Email five wedding planners"]
    today = coach.practice.today()
    assert [(s["day"], s["label"]) for s in body["fresh_starts"]] == [
        (s.day.isoformat(), s.label) for s in fresh_starts(today)]
    assert all(s["day"] > today.isoformat() for s in body["fresh_starts"])
