"""The protocol scenarios again, through the API, and who may call what."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from followthrough.accounts.tokens import api_token_create
from followthrough.commitments.models import Commitment
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh
from followthrough.history.models import Event
from followthrough.practice.services import coach_create
from followthrough.protocol.models import Intervention, InterventionStep, Notification
from tests.conftest import PASSWORD

from .conftest import Api

PREFIX = "/api/"


def token_for(coach):
    return api_token_create(coach=coach, name="tests", by=coach.user)[1]


@pytest.fixture
def api(client, coach):
    return Api(client, PREFIX, token_for(coach))


def three_missed(story):
    story.held([], new=["Email five wedding planners"])
    for _ in range(3):
        story.held(["missed"], new=["Email five wedding planners"])
    engagement_refresh(engagement=story.engagement)


def open_from_flag(api, engagement):
    flag = Flag.objects.get(engagement=engagement, cleared_at__isnull=True)
    response = api.post(f"engagements/{engagement.uid}/interventions", {"flag": str(flag.uid)})
    assert response.status_code == 201, response.json()
    return response.json()


def new_goal_payload(engagement, **overrides):
    source = Commitment.objects.filter(engagement=engagement, outcome="missed").order_by("-due_on", "-pk").first()
    today = timezone.localdate()
    payload = {"mode": "reinstate", "source": str(source.uid), "due_on": (today + timedelta(days=5)).isoformat(),
               "planned_at": (timezone.now() + timedelta(days=3)).isoformat(), "minutes_needed": 45,
               "has_tools": False, "tools_needed": "the list of planners"}
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def test_the_protocol_through_the_api(story, api, engagement):
    three_missed(story)
    opened = open_from_flag(api, engagement)
    uid = opened["uid"]
    assert opened["trigger"] == "nonproductive" and len(opened["trigger_evidence"]["meetings"]) == 3
    assert opened["recommended_step"] == "reaffirm" and opened["recommended_reason"]
    assert opened["allowed_steps"] == ["refer", "reaffirm", "review_file", "new_goal", "final_review"]

    moved = api.post(f"interventions/{uid}/steps/reaffirm", {"response": "renegotiate",
                                                              "work_request": "Write the emails?"}).json()
    assert moved["intervention"]["recommended_step"] == "review_file"
    assert moved["intervention"]["steps"][0]["details"]["work_request_declined"] is True
    reviewed = api.post(f"interventions/{uid}/steps/review_file", {"meetings_count": 3, "share_with_client": True})
    review_uid = reviewed.json()["file_review"]
    assert reviewed.json()["intervention"]["recommended_step"] == "new_goal"
    report = api.get(f"file-reviews/{review_uid}").json()
    # Due at the last three meetings: three missed; the one agreed at the newest is still open.
    assert (report["totals"]["missed"], report["totals"]["open"]) == (3, 1) and report["shared_at"]
    listed = [c for m in report["meetings"] for c in m["commitments"]] + report["still_open"]
    assert len(listed) == sum(report["totals"].values())
    assert all("Private" not in m["client_summary"] for m in report["meetings"])

    goal = api.post(f"interventions/{uid}/steps/new_goal", new_goal_payload(engagement))
    assert goal.status_code == 200, goal.json()
    assert len(goal.json()["commitments"]) == 2  # the missing tool became its own commitment
    assert goal.json()["intervention"]["recommended_step"] == "final_review"

    back = api.post(f"interventions/{uid}/steps/reaffirm", {"response": "recommits"})
    assert back.status_code == 422 and "next step can be" in back.json()["errors"]["step"][0]
    unknown = api.post(f"interventions/{uid}/steps/pray", {})
    assert unknown.status_code == 422 and "not a protocol step" in unknown.json()["errors"]["step"][0]

    story.held(["missed", "missed"])
    closed = api.post(f"interventions/{uid}/steps/final_review",
                      {"outcome": "pause", "check_back_on": (timezone.localdate() + timedelta(days=60)).isoformat()})
    assert closed.json()["intervention"]["outcome"] == "paused"
    letter = api.post(f"interventions/{uid}/letters", {"kind": "pause"})
    assert letter.status_code == 201 and not letter.json()["is_sent"]
    letter_uid = letter.json()["uid"]
    edited = api.patch(f"letters/{letter_uid}", {"subject": "Pausing for now", "body": "Dear Bob, ..."})
    assert edited.json()["subject"] == "Pausing for now"
    assert api.patch(f"letters/{letter_uid}", {"subject": "", "body": ""}).json()["errors"].keys() == {
        "subject", "body"}
    sent = api.post(f"letters/{letter_uid}/send")
    assert sent.json()["is_sent"] and mail.outbox[-1].subject == "Pausing for now"
    after = api.patch(f"letters/{letter_uid}", {"subject": "x", "body": "y"})
    assert after.status_code == 422 and "kept as it was sent" in str(after.json())
    assert [i["uid"] for i in api.get(f"engagements/{engagement.uid}/interventions").json()] == [uid]


def test_reinstating_without_a_plan_is_422_and_saves_nothing(story, api, engagement):
    three_missed(story)
    uid = open_from_flag(api, engagement)["uid"]
    before = (Event.objects.count(), Commitment.objects.count(), InterventionStep.objects.count())
    response = api.post(f"interventions/{uid}/steps/new_goal",
                        new_goal_payload(engagement, planned_at=None, minutes_needed=None, has_tools=None,
                                         tools_needed=None))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"planned_at", "minutes_needed", "has_tools"}
    assert (Event.objects.count(), Commitment.objects.count(), InterventionStep.objects.count()) == before


def test_recovered_after_two_kept_meetings(story, api, engagement,
                                           django_capture_on_commit_callbacks):
    three_missed(story)
    uid = open_from_flag(api, engagement)["uid"]
    api.post(f"interventions/{uid}/steps/new_goal", new_goal_payload(engagement, has_tools=True, tools_needed=""))
    for outcomes in (["kept", "waived"], ["kept", "kept"]):
        with django_capture_on_commit_callbacks(execute=True):
            story.held(outcomes)
    detail = api.get(f"interventions/{uid}").json()
    assert (detail["outcome"], detail["is_open"], detail["recommended_step"]) == ("recovered", False, None)


def test_drift_referral_through_the_api(story, api, client, engagement, colleague, practice, focus, coach):
    coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                 password=PASSWORD, specialties=[focus["relationships"]], accepts_referrals=False)
    story.held([], focus=["business"])
    for _ in range(3):
        story.held(["kept"], focus=["relationships"], summary="Home life.", notes="Private: strain at home.")
    engagement_refresh(engagement=engagement)
    flag = Flag.objects.get(kind="focus_drift")
    uid = api.post(f"engagements/{engagement.uid}/interventions", {"flag": str(flag.uid)}).json()["uid"]
    assert api.get(f"interventions/{uid}").json()["recommended_step"] == "refer"
    ranked = api.get(f"engagements/{engagement.uid}/referral-candidates", focus_area="relationships").json()
    assert [(c["display_name"], c["accepts_referrals"]) for c in ranked][:2] == [("Cara Lind", True),
                                                                                  ("Rita Moss", False)]
    amend = api.post(f"interventions/{uid}/steps/refer", {"choice": "amend", "focus_area": "relationships",
                                                          "reason": "Home comes first"})
    assert amend.status_code == 422 and "focus_area" in amend.json()["errors"]
    offered = api.post(f"interventions/{uid}/steps/refer", {"choice": "refer", "focus_area": "relationships",
                                                            "to_coach": ranked[0]["uid"]}).json()
    referral_uid = offered["referral"]

    cara = Api(client, PREFIX, token_for(colleague))
    assert cara.get(f"referrals/{referral_uid}").json()["shared"] == {"agreement": None, "summaries": [],
                                                                      "commitments": []}
    assert cara.post(f"referrals/{referral_uid}/consent", {"shares_agreement": True}).status_code == 404
    assert api.post(f"referrals/{referral_uid}/accept").status_code == 404
    api.post(f"referrals/{referral_uid}/consent", {"shares_summaries": True, "consent_note": "Said yes today"})
    shared = cara.get(f"referrals/{referral_uid}").json()["shared"]
    assert [s["summary"] for s in shared["summaries"]][:1] == ["Home life."] and shared["agreement"] is None
    assert "strain" not in str(shared)
    assert cara.post(f"referrals/{referral_uid}/accept").json()["status"] == "accepted"
    engagement.refresh_from_db()
    assert engagement.state == "referred_out"
    assert Intervention.objects.get().outcome == "referred"
    assert cara.post(f"referrals/{referral_uid}/complete", {"note": "Done"}).json()["status"] == "completed"
    assert Notification.objects.filter(coach=coach, text__contains="may come back").exists()


@pytest.fixture
def api_records(story, api, engagement, coach, practice, focus):
    three_missed(story)
    uid = open_from_flag(api, engagement)["uid"]
    api.post(f"interventions/{uid}/steps/reaffirm", {"response": "recommits"})
    review = api.post(f"interventions/{uid}/steps/review_file", {"meetings_count": 2}).json()["file_review"]
    letter = api.post(f"interventions/{uid}/letters", {"kind": "reaffirmation"}).json()["uid"]
    rita = coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                        password=PASSWORD, specialties=[focus["relationships"]])
    referral = api.post(f"interventions/{uid}/steps/refer", {"choice": "refer", "focus_area": "relationships",
                                                             "to_coach": str(rita.uid)}).json()["referral"]
    return {"engagement": str(engagement.uid), "intervention": uid, "review": review, "letter": letter,
            "referral": referral}


def api_routes(r):
    e, i, fr, lt, rf = r["engagement"], r["intervention"], r["review"], r["letter"], r["referral"]
    gets = [f"engagements/{e}/interventions", f"interventions/{i}", f"interventions/{i}/letters", f"letters/{lt}",
            f"referrals/{rf}", f"file-reviews/{fr}", f"engagements/{e}/referral-candidates?focus_area=business",
            f"interventions/{i}/steps/new_goal/options"]
    posts = [f"engagements/{e}/interventions", f"engagements/{e}/referrals", f"interventions/{i}/letters",
             f"letters/{lt}/send", f"file-reviews/{fr}/share", f"referrals/{rf}/consent", f"referrals/{rf}/accept",
             f"referrals/{rf}/decline", f"referrals/{rf}/complete"]
    posts += [f"interventions/{i}/steps/{step}" for step in ("refer", "reaffirm", "review_file", "new_goal",
                                                              "final_review", "other")]
    return gets, posts, [f"letters/{lt}"]


PAYLOAD = {"trigger": "manual", "response": "recommits", "meetings_count": 2, "outcome": "end", "kind": "pause",
           "subject": "x", "body": "y", "choice": "refer", "focus_area": "business", "to_coach": "x",
           "mode": "trim", "source": "x", "shares_agreement": True, "consent_note": "ok"}


@pytest.mark.parametrize("persona", ["colleague", "outsider", "client_user"])
def test_other_people_get_404_from_every_route(api_records, persona, request, client):
    user = request.getfixturevalue(persona)
    if persona == "client_user":
        client.force_login(user)  # a client's browser session: the API is for coaches
        caller = Api(client, PREFIX)
    else:
        caller = Api(client, PREFIX, token_for(user))
    gets, posts, patches = api_routes(api_records)
    before = Event.objects.count()
    for path in gets:
        assert caller.get(path).status_code == 404, path
    for path in posts:
        assert caller.post(path, PAYLOAD).status_code == 404, path
    for path in patches:
        assert caller.patch(path, PAYLOAD).status_code == 404, path
    assert Event.objects.count() == before


def test_no_token_no_entry(api_records, client):
    gets, posts, _ = api_routes(api_records)
    anonymous = Api(client, PREFIX)
    assert {anonymous.get(path).status_code for path in gets} == {401}


def test_the_router_documents_itself(api):
    schema = api.get("openapi.json").json()
    paths = schema["paths"]
    assert "/api/interventions/{uid}/steps/new_goal" in paths
    assert "/api/interventions/{uid}/steps/{step}" not in paths  # the catch-all stays out of the docs
    assert paths["/api/interventions/{uid}"]["get"]["summary"].startswith("An intervention")
