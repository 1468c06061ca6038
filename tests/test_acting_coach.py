"""Pages and API act for the same coach, in the same practice's day.

At 12:00 UTC it is already tomorrow in Auckland: a pause "until today" must be refused
whether the coach uses the page or the API, and a pause until the practice's tomorrow
accepted by both.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.accounts.tokens import api_token_create
from followthrough.clients.models import Engagement
from followthrough.clients.services import client_create
from followthrough.history import clock
from followthrough.practice.services import coach_create, practice_create

NOON_UTC = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
AUCKLAND_TODAY = date(2026, 3, 11)


@pytest.fixture
def auckland(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOON_UTC)
    practice = practice_create(name="Kauri Coaching", timezone="Pacific/Auckland")
    coach = coach_create(practice=practice, username="hemi", email="hemi@example.org", display_name="Hemi Walker",
                         password="a long pass phrase", specialties=[practice.focus_areas.first()])
    return coach


def two_engagements(coach):
    return [client_create(coach=coach, by=coach.user, full_name=name).engagements.get()
            for name in ("Aroha Ngata", "Tane Rua")]


def pause_by_page(client, coach, engagement, day):
    client.force_login(coach.user)
    response = client.post(reverse("engagement_move", args=[engagement.uid]),
                           {"state": "paused", "check_back_on": day.isoformat(), "note": "Holiday"})
    engagement.refresh_from_db()
    return response.status_code, engagement.state


def pause_by_api(client, coach, engagement, day):
    token = api_token_create(coach=coach, name="t", by=coach.user)[1]
    response = client.post(f"/api/engagements/{engagement.uid}/moves", {"to_state": "paused",
                           "check_back_on": day.isoformat(), "note": "Holiday"},
                           content_type="application/json", headers={"authorization": f"Bearer {token}"})
    engagement.refresh_from_db()
    return response.status_code, engagement.state


def test_the_practice_day_is_not_the_servers(auckland):
    assert auckland.practice.today() == AUCKLAND_TODAY
    assert clock.now().date() == AUCKLAND_TODAY - timedelta(days=1)


def test_a_pause_until_the_practices_today_is_refused_by_page_and_api_alike(client, auckland):
    by_page, by_api = two_engagements(auckland)
    page_status, page_state = pause_by_page(client, auckland, by_page, AUCKLAND_TODAY)
    api_status, api_state = pause_by_api(client, auckland, by_api, AUCKLAND_TODAY)
    assert page_state == api_state == Engagement.State.ACTIVE
    assert page_status == 200 and api_status == 422


def test_a_pause_until_the_practices_tomorrow_is_accepted_by_page_and_api_alike(client, auckland):
    by_page, by_api = two_engagements(auckland)
    tomorrow = AUCKLAND_TODAY + timedelta(days=1)
    page_status, page_state = pause_by_page(client, auckland, by_page, tomorrow)
    api_status, api_state = pause_by_api(client, auckland, by_api, tomorrow)
    assert page_state == api_state == Engagement.State.PAUSED
    assert page_status == 302 and api_status == 200


def test_a_new_engagement_starts_on_the_practices_day(auckland):
    [engagement, _] = two_engagements(auckland)
    assert engagement.started_on == AUCKLAND_TODAY


def test_after_a_request_the_thread_is_back_in_the_servers_time_zone(client, auckland):
    client.force_login(auckland.user)
    client.get(reverse("caseload"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_service_called_outside_any_request_still_judges_by_the_practices_day(auckland):
    from django.core.exceptions import ValidationError

    from followthrough.clients.services import engagement_pause

    [engagement, _] = two_engagements(auckland)
    with pytest.raises(ValidationError, match="after today"):
        engagement_pause(engagement=engagement, until=AUCKLAND_TODAY, by=auckland.user)


def test_a_clients_planned_time_is_shown_to_the_coach_in_the_clients_zone_with_the_practices(client, coach):
    from followthrough.clients.services import client_update
    from followthrough.commitments.services import commitment_create

    bob = client_create(coach=coach, by=coach.user, full_name="Rua Tane", email="rua@example.org")
    client_update(client=bob, by=coach.user, timezone="Pacific/Auckland")
    engagement = bob.engagements.get()
    # 23:30 in Auckland on 27 Sep is 11:30 that morning in London (the practice's zone).
    moment = datetime(2026, 9, 27, 10, 30, tzinfo=UTC)
    commitment_create(engagement=engagement, by=coach.user, description="Call the bank", due_on=date(2026, 9, 30),
                      planned_at=moment)
    client.force_login(coach.user)
    page = client.get(reverse("client_file", args=[bob.uid])).content.decode()
    assert "Sun 27 Sep 23:30 Pacific/Auckland (Sun 27 Sep 11:30 your time)" in page
