"""Done when: a client whose meeting check falls by the configured amount is flagged as an
alliance drop before any meeting falls below the follow-through threshold, by the
services' refresh and by the scan alike, and the protocol recommends reaffirming first.
And the outcomes say which steps brought clients back per signal, and how often an
alliance drop came before a nonproductive phase."""

from datetime import timedelta

import pytest
from django.urls import reverse
from engine.conftest import Timeline

from followthrough.accounts.tokens import api_token_create
from followthrough.engine.metrics import engagement_followthrough
from followthrough.engine.models import Flag
from followthrough.engine.services import coach_thresholds_set, scan_pass
from followthrough.history.services import tracked_create
from followthrough.meetings.services import meeting_check_record
from followthrough.protocol import services
from followthrough.protocol.models import ALLIANCE_DROP_REASON, Intervention, Step
from followthrough.protocol.selectors import TRIGGER_OF_FLAG, alliance_before_nonproductive

from .conftest import Api


@pytest.fixture
def api(client, coach):
    return Api(client, "/api/", api_token_create(coach=coach, name="tests", by=coach.user)[1])


def answers(score):
    return {name: score for name in ("on_what_matters", "plan_fits_week", "felt_heard", "sure_to_do_it")}


def test_a_falling_check_is_flagged_before_follow_through_falls_and_reaffirm_comes_first(
        engagement, coach, agreement, focus, client, django_capture_on_commit_callbacks):
    coach_thresholds_set(coach=coach, by=coach.user, alliance_drop_points=1.5)
    timeline = Timeline(engagement, coach, focus, agreement.goals.get())
    with django_capture_on_commit_callbacks(execute=True):
        for score in (9, 9, 8):
            meeting = timeline.meeting("held", ["kept", "kept"])
            meeting_check_record(meeting=meeting, answers=answers(score))
        assert not Flag.objects.open().filter(kind=Flag.Kind.ALLIANCE_DROP).exists()  # 8 vs 9: a fall of 1
        meeting = timeline.meeting("held", ["kept", "kept"])
        meeting_check_record(meeting=meeting, answers=answers(7))  # 7 vs 8.67: 1.67 below

    # The refresh the answer set off raised it; no meeting is below the follow-through threshold.
    flag = Flag.objects.open().get(engagement=engagement)
    assert flag.kind == Flag.Kind.ALLIANCE_DROP
    figures = engagement_followthrough(engagement)["figures"]
    assert figures and all(f.figure >= 0.5 for f in figures)
    assert flag.evidence["threshold"] == 1.5 and flag.evidence["dropped"] is True

    # The scan decides the same from scratch.
    Flag.objects.all().delete()
    assert scan_pass().raised == 1
    flag = Flag.objects.open().get(engagement=engagement, kind=Flag.Kind.ALLIANCE_DROP)

    intervention = services.intervention_open(engagement=engagement, by=coach.user,
                                              trigger=TRIGGER_OF_FLAG[flag.kind], flag=flag)
    assert intervention.trigger == Intervention.Trigger.ALLIANCE_DROP
    assert intervention.recommended_step() == (Step.REAFFIRM, ALLIANCE_DROP_REASON)

    client.force_login(coach.user)
    page = client.get(reverse("protocol:intervention", args=[intervention.uid])).content.decode()
    assert "Reaffirm the agreement" in page and "what matters to them" in page
    assert "1.67 points below the client's own earlier average of 8.67 (over 3 earlier checks; " \
           "1.5 points raise the flag)" in page
    assert page.count("check 9 of 10") == 1 and "check 8 of 10" in page and "check 7 of 10" in page


def test_an_alliance_drop_flag_opens_its_intervention_over_the_api(api, engagement, coach, agreement, focus):
    timeline = Timeline(engagement, coach, focus, agreement.goals.get())
    for score in (9, 9, 6):
        meeting_check_record(meeting=timeline.meeting("held", ["kept"]), answers=answers(score))
    scan_pass()
    flag = Flag.objects.open().get(kind=Flag.Kind.ALLIANCE_DROP)

    body = api.post(f"engagements/{engagement.uid}/interventions", {"flag": str(flag.uid)}).json()

    assert body["trigger"] == "alliance_drop"
    assert body["trigger_evidence"]["baseline"] == 9.0


def _flag(engagement, kind, raised_at, coach):
    return tracked_create(Flag(engagement=engagement, kind=kind, raised_at=raised_at, cleared_at=raised_at,
                               evidence={}), by=None, action="flag.raised")


def test_outcomes_count_alliance_drops_that_came_before_a_nonproductive_phase(
        engagement, coach, colleague_client, client, agreement):
    other = colleague_client.engagements.get()
    now = engagement.created_at
    _flag(engagement, Flag.Kind.ALLIANCE_DROP, now, coach)
    _flag(engagement, Flag.Kind.NONPRODUCTIVE, now + timedelta(days=40), coach)  # preceded
    _flag(other, Flag.Kind.ALLIANCE_DROP, now, coach)
    _flag(other, Flag.Kind.NONPRODUCTIVE, now + timedelta(days=120), coach)  # too late to count
    _flag(other, Flag.Kind.NONPRODUCTIVE, now - timedelta(days=10), coach)  # before the drop

    counted = alliance_before_nonproductive(coach.practice_id)

    assert counted == {"days": 90, "nonproductive": 3, "preceded": 1, "alliance_drops": 2, "followed": 1}
    client.force_login(coach.user)
    page = client.get(reverse("protocol:outcomes")).content.decode()
    assert "Of 3 nonproductive phases, <strong>1</strong> came after an alliance drop" in page
    assert "in the 90 days before the nonproductive flag" in page


def test_outcomes_say_which_steps_brought_clients_back_per_signal(api, engagement, coach, agreement, client):
    intervention = services.intervention_open(engagement=engagement, by=coach.user,
                                              trigger=Intervention.Trigger.ALLIANCE_DROP)
    Intervention.objects.filter(pk=intervention.pk).update(
        closed_at=intervention.opened_at, outcome=Intervention.Outcome.RECOVERED, last_step=Step.REAFFIRM)

    body = api.get("practice/outcomes").json()

    signals = {item["signal"]: item["came_back_after"] for item in body["back_by_signal"]}
    assert signals["Alliance drop"] == [{"label": "Reaffirm the agreement", "count": 1}]
    assert signals["Nonproductive phase"] == []
    assert "90 days before the nonproductive flag" in body["alliance_before_nonproductive"]["rule"]
    client.force_login(coach.user)
    page = client.get(reverse("protocol:outcomes")).content.decode()
    assert "What brought clients back, by signal" in page
