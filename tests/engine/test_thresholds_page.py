"""The thresholds page: each coach's overrides, the practice's values for its admin."""

import pytest
from django.urls import reverse

from followthrough.engine.metrics import thresholds_for
from followthrough.engine.models import CoachThresholds, PracticeThresholds
from followthrough.history.models import Event
from followthrough.practice.services import coach_update

URL = "/settings/thresholds/"


@pytest.fixture
def as_coach(client, coach):
    client.force_login(coach.user)
    return client


def own(**values):
    return {"which": "own", **{f"own-{k}": v for k, v in values.items()}}


def test_the_url_is_named():
    assert reverse("thresholds") == URL


def test_a_share_outside_0_to_100_percent_is_refused_on_its_field_in_words_and_nothing_is_saved(as_coach, coach):
    events = Event.objects.count()
    response = as_coach.post(URL, own(followthrough_below="150"))
    assert response.status_code == 200
    errors = response.context["own_form"].errors
    assert errors["followthrough_below"] == ["Enter a percentage from 0 to 100, such as 50."]
    assert not CoachThresholds.objects.exists() and Event.objects.count() == events


def test_shares_are_entered_and_shown_in_percent_and_stored_as_fractions(as_coach, coach):
    page = as_coach.get(URL).content.decode()
    assert "follow-through below 50%" in page and "67% or more" in page
    assert as_coach.post(URL, own(followthrough_below="60")).status_code == 302
    assert CoachThresholds.objects.get().followthrough_below == 0.6
    assert 'value="60.0"' in as_coach.get(URL).content.decode()


def test_saving_a_share_unchanged_keeps_the_exact_stored_value(as_coach, coach):
    from followthrough.engine.services import coach_thresholds_set
    coach_thresholds_set(coach=coach, by=coach.user, drift_share=2 / 3)
    assert as_coach.post(URL, own(drift_share="66.67")).status_code == 302
    assert CoachThresholds.objects.get().drift_share == 2 / 3


def test_a_window_of_0_is_refused(as_coach):
    response = as_coach.post(URL, own(nonproductive_meetings="0"))
    assert "must be at least 1 meeting; got 0" in response.content.decode()


def test_a_coach_override_applies_to_their_clients_only(as_coach, coach, colleague):
    response = as_coach.post(URL, own(followthrough_below="60", drift_meetings="4"))
    assert response.status_code == 302
    assert thresholds_for(coach).followthrough_below == 0.6 and thresholds_for(coach).drift_meetings == 4
    assert thresholds_for(colleague).followthrough_below == 0.5


def test_only_a_practice_admin_sets_the_practice_values(as_coach, coach, colleague):
    data = {"which": "practice", "practice-no_show_run": "3"}
    assert as_coach.post(URL, data).status_code == 403
    coach_update(coach=coach, by=None, is_practice_admin=True)
    assert as_coach.post(URL, data).status_code == 302
    practice = PracticeThresholds.objects.get()
    assert practice.no_show_run == 3 and practice.followthrough_below == 0.5
    assert thresholds_for(colleague).no_show_run == 3


def test_clients_get_404_and_visitors_log_in(client, client_user):
    assert client.get(URL).status_code == 302
    client.force_login(client_user)
    assert client.get(URL).status_code == 404


def test_the_alliance_drop_thresholds_are_shown_set_and_refused_in_words(as_coach, coach):
    page = as_coach.get(URL).content.decode()
    assert "Alliance drop: a meeting check 2 points (of 10) or more below" in page
    assert "2 checks in a row each at least 1 point lower than the one before" in page

    assert as_coach.post(URL, own(alliance_drop_points="1.5", alliance_falls_in_row="3")).status_code == 302
    assert (thresholds_for(coach).alliance_drop_points, thresholds_for(coach).alliance_falls_in_row) == (1.5, 3)

    errors = as_coach.post(URL, own(alliance_drop_points="12")).context["own_form"].errors
    assert "more than 0 and at most 10 points" in errors["alliance_drop_points"][0]
    errors = as_coach.post(URL, own(alliance_falls_in_row="two")).context["own_form"].errors
    assert errors["alliance_falls_in_row"] == ["Enter a whole number of meeting checks, such as 2."]
    assert thresholds_for(coach).alliance_drop_points == 1.5
