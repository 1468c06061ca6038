"""Every route, every persona: the owner gets an answer, everyone else the same 404 a
missing record gets (or 401 with no credentials at all), and nothing is written."""

from datetime import date, timedelta

import pytest

from followthrough.clients.services import engagement_end
from followthrough.history.models import Event

SOON = (date.today() + timedelta(days=30)).isoformat()


def _end(world):
    engagement_end(engagement=world["engagement"], by=world["coach"].user)


# (method, path, payload, setup): paths are formatted with the uids of the fixture world.
ROUTES = [
    ("get", "/api/clients/{client}", None, None),
    ("get", "/api/clients/{client}/history", None, None),
    ("get", "/api/engagements/{engagement}", None, None),
    ("post", "/api/engagements/{engagement}/moves", {"to_state": "paused", "check_back_on": SOON}, None),
    ("post", "/api/engagements/{engagement}/reengage", {}, _end),
    ("get", "/api/engagements/{engagement}/agreements", None, None),
    ("post", "/api/engagements/{engagement}/agreements", {
        "came_for": "Catering", "primary_focus": "business", "meeting_cadence": "Monthly",
        "call_to_action": "Five enquiries", "renegotiation_reason": "A lower bar",
    }, None),
    ("post", "/api/agreements/{agreement}/acknowledgement", {"typed_name": "Bob Stone"}, None),
    ("get", "/api/engagements/{engagement}/meetings", None, None),
    ("post", "/api/engagements/{engagement}/meetings", {"starts_at": "2030-01-01T10:00:00+00:00"}, None),
    ("get", "/api/meetings/{meeting}", None, None),
    ("patch", "/api/meetings/{meeting}", {"client_summary": "Revised summary"}, None),
    ("get", "/api/engagements/{engagement}/commitments", None, None),
    ("get", "/api/commitments/{commitment}", None, None),
    ("get", "/api/meetings/{meeting}/due", None, None),
    ("post", "/api/meetings/{meeting}/review", {
        "new_commitments": [{"description": "Call two caterers", "due_on": SOON}],
    }, None),
    ("get", "/api/engagements/{engagement}/external-referrals", None, None),
]
IDS = [f"{method.upper()} {path}" for method, path, _, _ in ROUTES]


@pytest.fixture
def world(commitment, coach, agreement):
    engagement = commitment.engagement
    return {
        "coach": coach, "engagement": engagement,
        "uids": {"client": engagement.client.uid, "engagement": engagement.uid,
                 "agreement": agreement.uid, "meeting": commitment.made_at.uid,
                 "commitment": commitment.uid},
    }


def _call(api, method, path, payload, world):
    url = path.format(**world["uids"])
    return api.get(url) if method == "get" else api.send(method, url, payload)


@pytest.mark.parametrize(("method", "path", "payload", "setup"), ROUTES, ids=IDS)
def test_the_coach_holding_the_engagement_gets_an_answer(api, world, method, path, payload, setup):
    if setup:
        setup(world)
    response = _call(api, method, path, payload, world)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize(("method", "path", "payload", "setup"), ROUTES, ids=IDS)
@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_other_coaches_get_404_and_write_nothing(request, api_for, world, persona, method, path,
                                                 payload, setup):
    if setup:
        setup(world)
    stranger = api_for(request.getfixturevalue(persona))
    events = Event.objects.count()
    response = _call(stranger, method, path, payload, world)
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not Found"}
    assert Event.objects.count() == events


@pytest.mark.parametrize(("method", "path", "payload", "setup"), ROUTES, ids=IDS)
def test_the_client_signed_in_in_a_browser_gets_404(client, api_for, client_user, world, method,
                                                   path, payload, setup):
    if setup:
        setup(world)
    client.force_login(client_user)
    events = Event.objects.count()
    response = _call(api_for(), method, path, payload, world)
    assert response.status_code == 404, response.content
    assert Event.objects.count() == events


@pytest.mark.parametrize(("method", "path", "payload", "setup"), ROUTES, ids=IDS)
def test_no_credentials_gets_401(anonymous_api, world, method, path, payload, setup):
    response = _call(anonymous_api, method, path, payload, world)
    assert response.status_code == 401


def test_unknown_and_malformed_uids_are_404(api):
    for path in ("/api/clients/00000000-0000-0000-0000-000000000000", "/api/clients/not-a-uid",
                 "/api/meetings/1", "/api/engagements/%20/meetings"):
        assert api.get(path).status_code == 404, path


def test_the_client_list_shows_only_your_own_clients(api, colleague_api, client_record, colleague_client):
    mine = [c["full_name"] for c in api.get("/api/clients").json()["items"]]
    theirs = [c["full_name"] for c in colleague_api.get("/api/clients").json()["items"]]
    assert mine == ["Bob Stone"]
    assert theirs == ["Dee Hart"]


def test_a_client_in_a_browser_cannot_list_or_add_clients(client, api_for, client_user):
    client.force_login(client_user)
    assert client.get("/api/clients").status_code == 404
    assert api_for().post("/api/clients", {"full_name": "Mallory"}).status_code == 404


def test_history_leaves_out_another_coachs_records_of_a_referred_client(
    api, colleague, client_record, held_meeting
):
    from followthrough.clients.services import engagement_start
    from followthrough.meetings.services import meeting_create

    # Bob also works with Cara; her meeting notes are hers, even in Bob's file.
    theirs = engagement_start(client=client_record, coach=colleague, by=colleague.user,
                              started_on=held_meeting.starts_at.date())
    meeting = meeting_create(engagement=theirs, by=colleague.user, starts_at=held_meeting.starts_at,
                             private_notes="Cara's private note")
    events = api.get(f"/api/clients/{client_record.uid}/history", limit=100).json()["items"]
    shown = {e["object_uid"] for e in events}
    assert str(held_meeting.uid) in shown
    assert str(meeting.uid) not in shown and str(theirs.uid) not in shown
    assert "Cara's private note" not in str(events)
