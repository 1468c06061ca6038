"""Referring outside the practice through the API, with the page's rules: consent first."""

from django.core import mail

from followthrough.practice.services import associate_create
from followthrough.web.models import ExternalReferral


def _rae(coach, focus):
    return associate_create(practice=coach.practice, by=coach.user, name="Rae Moss", email="rae@example.net",
                            specialties=[focus["relationships"]])


def test_without_consent_the_api_refuses_on_the_field_and_writes_nothing(api, coach, engagement, focus):
    rae = _rae(coach, focus)
    response = api.post(f"/api/engagements/{engagement.uid}/external-referrals",
                        {"associate": str(rae.uid), "focus_area": "relationships", "shares_agreement": True})
    assert response.status_code == 422 and "consent_note" in response.json()["errors"]
    response = api.post(f"/api/engagements/{engagement.uid}/external-referrals",
                        {"associate": "not-a-uid", "focus_area": "relationships"})
    assert response.status_code == 422 and "associate" in response.json()["errors"]
    engagement.refresh_from_db()
    assert engagement.state == "active" and not ExternalReferral.objects.exists() and mail.outbox == []


def test_with_consent_the_engagement_waits_and_the_letter_is_listed(api, coach, engagement, focus,
                                                                   django_capture_on_commit_callbacks):
    rae = _rae(coach, focus)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/engagements/{engagement.uid}/external-referrals", {
            "associate": str(rae.uid), "focus_area": "relationships", "shares_summaries": True,
            "consent_note": "agreed on the phone, 4 May"})
    assert response.status_code == 201
    body = response.json()
    assert body["shares"] == ["meeting summaries"] and "Dear Rae Moss," in body["letter"]
    engagement.refresh_from_db()
    assert engagement.state == "referred_out" and [m.to for m in mail.outbox] == [["rae@example.net"]]
    [listed] = api.get(f"/api/engagements/{engagement.uid}/external-referrals").json()
    assert listed["uid"] == body["uid"] and listed["letter_sent_at"]


def test_another_coach_gets_404(colleague_api, coach, engagement, focus):
    rae = _rae(coach, focus)
    path = f"/api/engagements/{engagement.uid}/external-referrals"
    assert colleague_api.get(path).status_code == 404
    assert colleague_api.post(path, {"associate": str(rae.uid), "focus_area": "relationships",
                                     "consent_note": "x", "shares_agreement": True}).status_code == 404
