"""Bad input is answered with 422 naming the field, never a 500, and never saves half."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.commitments.models import Commitment
from followthrough.history.models import Event
from followthrough.meetings.services import meeting_create

TODAY = date.today()
SOON = (TODAY + timedelta(days=10)).isoformat()


@pytest.fixture
def review_meeting(commitment, coach, focus):
    """Today's held meeting, at which the commitment set two weeks ago is due."""
    return meeting_create(engagement=commitment.engagement, by=coach.user, status="held",
                          starts_at=timezone.now(), focus_areas=[focus["business"]])


def _errors(response):
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def test_a_missing_field_keeps_ninjas_detail_and_names_the_field(api):
    body = api.post("/api/clients", {"email": "x@example.org"}).json()
    assert body["detail"][0]["loc"][-1] == "full_name"
    assert "full_name" in body["errors"]


def test_model_rules_come_back_keyed_by_field(api):
    errors = _errors(api.post("/api/clients", {"full_name": "Eve", "email": "not an email",
                                               "timezone": "Mars/Olympus"}))
    assert set(errors) == {"email", "timezone"}


def test_a_naive_datetime_is_refused_with_a_clear_message(api, engagement):
    response = api.post(f"/api/engagements/{engagement.uid}/meetings", {"starts_at": "2030-01-01T10:00:00"})
    errors = _errors(response)
    assert "time zone" in errors["starts_at"][0]


def test_unknown_focus_area_slugs_are_named(api, engagement, held_meeting):
    errors = _errors(api.post(f"/api/engagements/{engagement.uid}/meetings", {
        "starts_at": "2030-01-01T10:00:00Z", "focus_areas": ["business", "astrology"]}))
    assert "astrology" in errors["focus_areas"][0] and "relationships" in errors["focus_areas"][0]
    errors = _errors(api.patch(f"/api/meetings/{held_meeting.uid}", {"focus_areas": ["nope"]}))
    assert "focus_areas" in errors


def test_engagement_moves_name_the_field(api, engagement):
    url = f"/api/engagements/{engagement.uid}/moves"
    assert "check_back_on" in _errors(api.post(url, {"to_state": "paused"}))
    assert "to_state" in _errors(api.post(url, {"to_state": "on_holiday"}))
    past = (TODAY - timedelta(days=1)).isoformat()
    assert "check_back_on" in _errors(api.post(url, {"to_state": "paused", "check_back_on": past}))
    assert "__all__" in _errors(api.post(f"/api/engagements/{engagement.uid}/reengage", {}))


def test_agreement_rules_name_the_field(api, engagement, agreement):
    url = f"/api/engagements/{engagement.uid}/agreements"
    terms = {"came_for": "x", "primary_focus": "business", "meeting_cadence": "weekly",
             "call_to_action": "y"}
    assert "renegotiation_reason" in _errors(api.post(url, terms))
    assert "primary_focus" in _errors(api.post(url, {**terms, "primary_focus": "zzz"}))
    errors = _errors(api.post(url, {**terms, "renegotiation_reason": "why",
                                    "goals": [{"title": "G", "level_plus_1": "more"}]}))
    assert "goals" in errors
    assert "fee_amount" in _errors(api.post(url, {**terms, "renegotiation_reason": "r",
                                                  "fee_amount": "-5"}))
    assert "typed_name" in _errors(api.post(f"/api/agreements/{agreement.uid}/acknowledgement",
                                            {"typed_name": "Someone Else"}))


def test_meeting_patch_refuses_null_and_illegal_moves(api, held_meeting):
    url = f"/api/meetings/{held_meeting.uid}"
    assert "client_summary" in _errors(api.patch(url, {"client_summary": None}))
    assert "status" in _errors(api.patch(url, {"status": "planned"}))
    assert "duration_minutes" in _errors(api.patch(url, {"duration_minutes": 2}))


def test_commitment_filter_names_the_parameter(api, engagement):
    assert "outcome" in _errors(api.get(f"/api/engagements/{engagement.uid}/commitments", outcome="done"))


def test_review_errors_point_at_the_row_and_nothing_is_saved(api, review_meeting, commitment, agreement):
    goal = agreement.goals.get()
    events = Event.objects.count()
    errors = _errors(api.post(f"/api/meetings/{review_meeting.uid}/review", {
        "reviews": [{"commitment": str(commitment.uid), "outcome": "partly_kept"}],
        "new_commitments": [
            {"description": "Fine", "due_on": SOON},
            {"description": "Too early", "due_on": (TODAY - timedelta(days=3)).isoformat()},
        ],
        "goal_scores": [{"goal": str(goal.uid), "level": 5}],
    }))
    assert set(errors) == {"reviews.0.kept_fraction", "new_commitments.1.due_on", "goal_scores.0.level"}
    assert Event.objects.count() == events
    commitment.refresh_from_db()
    assert commitment.outcome == "open"
    assert review_meeting.commitments_made.count() == 0


def test_review_names_unknown_and_repeated_records(api, review_meeting, commitment, colleague_client):
    other = colleague_client.engagements.get()
    errors = _errors(api.post(f"/api/meetings/{review_meeting.uid}/review", {
        "reviews": [{"commitment": str(commitment.uid), "outcome": "kept"},
                    {"commitment": str(commitment.uid), "outcome": "kept"},
                    {"commitment": str(other.uid), "outcome": "kept"}],
        "goal_scores": [{"goal": "00000000-0000-0000-0000-000000000000", "level": 0}],
    }))
    assert set(errors) == {"reviews.1.commitment", "reviews.2.commitment", "goal_scores.0.goal"}


def test_waived_needs_the_clients_reason(api, review_meeting, commitment):
    errors = _errors(api.post(f"/api/meetings/{review_meeting.uid}/review", {
        "reviews": [{"commitment": str(commitment.uid), "outcome": "waived"}]}))
    assert "reviews.0.client_reason" in errors


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"text"', b"null", b"\xff\xfe"])
def test_malformed_bodies_are_422_not_500(api, engagement, body):
    response = api.client.post(f"/api/engagements/{engagement.uid}/meetings", body,
                               content_type="application/json", headers=api._headers())
    assert response.status_code in (400, 422)


def test_nul_characters_are_refused_before_they_reach_the_database(api, engagement):
    errors = _errors(api.post(f"/api/engagements/{engagement.uid}/meetings", {
        "starts_at": "2030-01-01T10:00:00Z", "private_notes": "a\x00b", "focus_areas": ["busi\x00ness"]}))
    assert set(errors) == {"private_notes", "focus_areas"}


# --- fuzzing -------------------------------------------------------------------------

junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["", "2025-13-01", "2025-02-30", "0000-01-01", "9999-12-31", "1e9", "NaN",
                     "-Infinity", "0.999", "1.5", "kept", "partly_kept", "open", "2030-01-01T10:00:00",
                     "2030-01-01T10:00:00+25:00", "P1D", "\x00", "0" * 400]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _send(api, path, payload):
    # allow_nan: NaN and Infinity are not JSON, but clients send them anyway.
    body = json.dumps(payload, allow_nan=True, default=str)
    response = api.client.post(path, body, content_type="application/json", headers=api._headers())
    assert response.status_code < 500
    return response


def _check_unsaved(response, events_before):
    if response.status_code == 422:
        assert response.json()["errors"], response.content
        assert Event.objects.count() == events_before


@FUZZ
@given(outcome=junk, fraction=junk, reason=junk, description=junk, due_on=junk, planned_at=junk,
       minutes=junk, level=junk)
def test_fuzzed_reviews_never_500_and_never_half_save(api, review_meeting, commitment, agreement, outcome,
                                                      fraction, reason, description, due_on, planned_at,
                                                      minutes, level):
    events = Event.objects.count()
    made = Commitment.objects.filter(made_at=review_meeting).count()
    response = _send(api, f"/api/meetings/{review_meeting.uid}/review", {
        "reviews": [{"commitment": str(commitment.uid), "outcome": outcome, "kept_fraction": fraction,
                     "client_reason": reason}],
        "new_commitments": [{"description": description, "due_on": due_on, "planned_at": planned_at,
                             "minutes_needed": minutes}],
        "goal_scores": [{"goal": str(agreement.goals.get().uid), "level": level}],
    })
    _check_unsaved(response, events)
    if response.status_code == 422:
        assert Commitment.objects.filter(made_at=review_meeting).count() == made


@FUZZ
@given(starts_at=junk, status=junk, duration=junk, focus=junk, paid=junk)
def test_fuzzed_meetings_never_500_and_never_half_save(api, engagement, starts_at, status, duration, focus,
                                                       paid):
    events = Event.objects.count()
    response = _send(api, f"/api/engagements/{engagement.uid}/meetings", {
        "starts_at": starts_at, "status": status, "duration_minutes": duration, "focus_areas": focus,
        "paid": paid})
    _check_unsaved(response, events)


@FUZZ
@given(to_state=junk, check_back_on=junk, note=junk)
def test_fuzzed_moves_never_500_and_never_half_save(api, engagement, to_state, check_back_on, note):
    events = Event.objects.count()
    response = _send(api, f"/api/engagements/{engagement.uid}/moves",
                     {"to_state": to_state, "check_back_on": check_back_on, "note": note})
    _check_unsaved(response, events)


@FUZZ
@given(full_name=junk, email=junk, tz=junk, started_on=junk)
def test_fuzzed_new_clients_never_500_and_never_half_save(api, coach, full_name, email, tz, started_on):
    events = Event.objects.count()
    response = _send(api, "/api/clients", {"full_name": full_name, "email": email, "timezone": tz,
                                           "started_on": started_on})
    _check_unsaved(response, events)
