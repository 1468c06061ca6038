"""A whole engagement recorded through the API, the published schema, and list costs."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followthrough.clients.services import client_create
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.services import meeting_create

TODAY = date.today()


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_a_full_engagement_recorded_through_the_api(api):
    client = _ok(api.post("/api/clients", {"full_name": "Fay Quinn", "email": "fay@example.org",
                                           "timezone": "Europe/London",
                                           "started_on": (TODAY - timedelta(days=30)).isoformat()}), 201)
    engagement = client["current_engagement"]
    assert engagement["state"] == "active" and len(client["engagements"]) == 1
    e_url = f"/api/engagements/{engagement['uid']}"

    agreement = _ok(api.post(f"{e_url}/agreements", {
        "came_for": "Launch a consulting side line", "primary_focus": "business",
        "meeting_cadence": "Every two weeks", "fee_amount": "120.00", "call_to_action": "Three pilots",
        "goals": [{"title": "Pilot clients", "level_minus_1": "one", "level_0": "three", "level_plus_1": "five"}],
    }), 201)
    assert agreement["version"] == 1 and agreement["primary_focus"] == "business"
    assert "does not do my actions" in agreement["coach_scope"]
    goal_uid = agreement["goals"][0]["uid"]
    acked = _ok(api.post(f"/api/agreements/{agreement['uid']}/acknowledgement", {"typed_name": "fay  QUINN"}))
    assert acked["acknowledged_at"] is not None

    first = _ok(api.post(f"{e_url}/meetings", {
        "starts_at": (timezone.now() - timedelta(days=21)).isoformat(), "status": "held",
        "focus_areas": ["business"], "private_notes": "Keen.", "client_summary": "Planned pilots."}), 201)
    assert _ok(api.get(f"/api/meetings/{first['uid']}/due"))["commitments"] == []
    review = _ok(api.post(f"/api/meetings/{first['uid']}/review", {"new_commitments": [
        {"description": "Draft the pilot offer", "due_on": (TODAY - timedelta(days=8)).isoformat(),
         "planned_at": (timezone.now() - timedelta(days=15)).isoformat(), "minutes_needed": 120,
         "tools_needed": "laptop", "has_tools": True},
        {"description": "Ask three former colleagues", "due_on": (TODAY - timedelta(days=8)).isoformat()},
    ]}))
    assert [c["made_at_uid"] for c in review["created"]] == [first["uid"]] * 2

    second = _ok(api.post(f"{e_url}/meetings", {
        "starts_at": (timezone.now() - timedelta(hours=2)).isoformat()}), 201)
    assert second["status"] == "planned"
    second = _ok(api.patch(f"/api/meetings/{second['uid']}", {
        "status": "held", "focus_areas": ["business", "career"], "client_summary": "Offer drafted.",
        "paid": True}))
    assert second["focus_areas"] == ["business", "career"] and second["paid"] is True
    due = _ok(api.get(f"/api/meetings/{second['uid']}/due"))
    assert len(due["commitments"]) == 2 and due["goals"][0]["uid"] == goal_uid
    offer, ask = (c["uid"] for c in due["commitments"])
    review = _ok(api.post(f"/api/meetings/{second['uid']}/review", {
        "reviews": [{"commitment": offer, "outcome": "partly_kept", "kept_fraction": "0.5",
                     "client_reason": "Half done"},
                    {"commitment": ask, "outcome": "waived", "client_reason": "In hospital"}],
        "new_commitments": [{"description": "Finish the offer", "due_on": (TODAY + timedelta(days=7)).isoformat()}],
        "goal_scores": [{"goal": goal_uid, "level": -1}],
    }))
    assert {c["outcome"] for c in review["reviewed"]} == {"partly_kept", "waived"}
    assert review["meeting"]["reviewed_at"] is not None
    assert _ok(api.get(f"/api/meetings/{second['uid']}/due"))["goals"][0]["level"] == -1

    partly = _ok(api.get(f"{e_url}/commitments", outcome="partly_kept"))
    assert partly["count"] == 1 and partly["items"][0]["kept_fraction"] == "0.50"
    assert _ok(api.get(f"{e_url}/commitments"))["count"] == 3
    assert _ok(api.get(f"/api/commitments/{offer}"))["reviewed_in_uid"] == second["uid"]

    renegotiated = _ok(api.post(f"{e_url}/agreements", {
        "came_for": "Launch a consulting side line", "primary_focus": "business",
        "meeting_cadence": "Monthly", "call_to_action": "One pilot",
        "renegotiation_reason": "A lower bar for now"}), 201)
    assert renegotiated["version"] == 2 and renegotiated["goals"][0]["title"] == "Pilot clients"
    assert [a["version"] for a in _ok(api.get(f"{e_url}/agreements"))["items"]] == [2, 1]

    check_back = (TODAY + timedelta(days=60)).isoformat()
    paused = _ok(api.post(f"{e_url}/moves", {"to_state": "paused", "check_back_on": check_back,
                                             "note": "Busy season"}))
    assert paused["state"] == "paused" and paused["check_back_on"] == check_back
    assert paused["transitions"][-1]["note"] == "Busy season"
    again = _ok(api.post(f"{e_url}/reengage", {}), 201)
    assert again["previous_uid"] == engagement["uid"] and again["state"] == "active"
    assert _ok(api.get(e_url))["state"] == "ended"
    assert _ok(api.get(f"/api/engagements/{again['uid']}/agreements"))["items"][0]["call_to_action"] == "One pilot"

    client = _ok(api.get(f"/api/clients/{client['uid']}"))
    assert client["current_engagement"]["uid"] == again["uid"] and len(client["engagements"]) == 2

    history = _ok(api.get(f"/api/clients/{client['uid']}/history", limit=500))
    actions = {e["action"] for e in history["items"]}
    assert {"client.created", "agreement.acknowledged", "commitment.reviewed", "meeting.reviewed",
            "goal_score.recorded", "engagement.moved"} <= actions
    seqs = [e["seq"] for e in history["items"]]
    assert seqs == sorted(seqs, reverse=True)
    # References inside the log are shown as uids and slugs, as everywhere else in the API.
    created_meeting = next(e for e in history["items"] if e["object_uid"] == first["uid"]
                           and e["action"] == "meeting.created")
    assert created_meeting["after"]["engagement"] == engagement["uid"]
    assert created_meeting["after"]["focus_areas"] == ["business"]
    assert verify_chain() is None and verify_records() == []


def test_reengage_accepts_a_start_date(api, engagement, coach):
    api.post(f"/api/engagements/{engagement.uid}/moves", {"to_state": "ended", "confirmed": True})
    start = (TODAY + timedelta(days=3)).isoformat()
    again = _ok(api.post(f"/api/engagements/{engagement.uid}/reengage", {"started_on": start}), 201)
    assert again["started_on"] == start


def test_the_openapi_schema_lists_every_route(client):
    schema = _ok(client.get("/api/openapi.json"))
    expected = {
        "/api/clients": {"get", "post"}, "/api/clients/{uid}": {"get"},
        "/api/clients/{uid}/history": {"get"}, "/api/engagements/{uid}": {"get"},
        "/api/engagements/{uid}/moves": {"post"}, "/api/engagements/{uid}/reengage": {"post"},
        "/api/engagements/{uid}/agreements": {"get", "post"},
        "/api/agreements/{uid}/acknowledgement": {"post"},
        "/api/engagements/{uid}/meetings": {"get", "post"}, "/api/meetings/{uid}": {"get", "patch"},
        "/api/engagements/{uid}/commitments": {"get"}, "/api/commitments/{uid}": {"get"},
        "/api/meetings/{uid}/due": {"get"}, "/api/meetings/{uid}/review": {"post"},
    }
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    assert {path: ops for path, ops in paths.items() if path in expected} == expected
    # The engine's and the protocol's routers are mounted on the same API.
    assert {"/api/engagements/{uid}/followthrough", "/api/flags", "/api/interventions/{uid}"} <= set(paths)
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert client.get("/api/docs").status_code == 200


def _queries(api, path):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path, limit=100)
    assert response.status_code == 200
    return len(ctx), response.json()["count"]


def _add_clients(coach, n):
    for i in range(n):
        client = client_create(coach=coach, by=coach.user, full_name=f"Client {i:03}")
        meeting_create(engagement=client.engagements.get(), by=coach.user,
                       starts_at=timezone.now(), focus_areas=list(coach.specialties.all()))


@pytest.mark.parametrize("path", [
    "/api/clients", "/api/engagements/{e}/meetings", "/api/engagements/{e}/commitments",
    "/api/engagements/{e}/agreements", "/api/clients/{c}/history",
])
def test_lists_cost_the_same_queries_for_10_or_50_rows(api, coach, engagement, agreement, held_meeting,
                                                       path, django_assert_num_queries,
                                                       django_assert_max_num_queries):
    from followthrough.clients.services import agreement_create
    from followthrough.commitments.services import commitment_create

    url = path.format(e=engagement.uid, c=engagement.client.uid)

    def grow(n):
        _add_clients(coach, n)
        for i in range(n):
            meeting_create(engagement=engagement, by=coach.user, focus_areas=list(coach.specialties.all()),
                           starts_at=timezone.now() + timedelta(days=i + 1))
            commitment_create(engagement=engagement, by=coach.user, description=f"Step {i}",
                              due_on=TODAY + timedelta(days=i))
        for i in range(n // 10):
            agreement_create(engagement=engagement, by=coach.user, renegotiation_reason=f"round {i}",
                             came_for="x", primary_focus=agreement.primary_focus, meeting_cadence="m",
                             call_to_action="c", goals=[{"title": "A"}, {"title": "B"}])

    grow(10)
    api.get("/api/clients")  # the first call of the minute records the token's use
    small, small_count = _queries(api, url)
    grow(40)
    # History pages cost one query per kind of record on the page, so a page of only
    # meetings can be cheaper than a mixed one; never dearer, however long the file.
    assert_queries = django_assert_max_num_queries if "history" in path else django_assert_num_queries
    with assert_queries(small):
        response = api.get(url, limit=100)
    assert response.json()["count"] > small_count
