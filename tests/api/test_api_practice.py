"""The practice admin's API does what the pages do, with the same rules and the same 404s."""

import pytest

from followthrough.clients.models import Engagement
from followthrough.practice.models import CoachInvitation


@pytest.fixture
def admin_api(api, coach):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    return api


def test_only_the_practices_admin_reaches_the_practice_api(api, colleague_api, outsider_api, coach):
    assert api.get("/api/practice").status_code == 404
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    assert api.get("/api/practice").json()["timezone"] == "Europe/London"
    assert colleague_api.get("/api/practice/coaches").status_code == 404
    assert outsider_api.get("/api/practice/coaches").status_code == 404


def test_a_bad_currency_is_a_422_on_its_field_and_saves_nothing(admin_api, coach):
    response = admin_api.patch("/api/practice", {"currency": "euro", "timezone": "Europe/Paris"})
    assert response.status_code == 422 and "currency" in response.json()["errors"]
    coach.practice.refresh_from_db()
    assert coach.practice.timezone == "Europe/London"


def test_the_admin_invites_sets_a_coach_and_hands_over_before_deactivating(admin_api, coach, colleague,
                                                                          colleague_client):
    response = admin_api.post("/api/practice/invitations", {"display_name": "Dan Wu", "email": "dan@example.org"})
    assert response.status_code == 201 and response.json()["status"] == "open"
    assert CoachInvitation.objects.get().email == "dan@example.org"
    response = admin_api.patch(f"/api/practice/coaches/{colleague.uid}", {"specialties": ["health"],
                                                                         "caseload_capacity": 8})
    assert response.json()["specialties"] == ["health"] and response.json()["caseload_capacity"] == 8
    response = admin_api.patch(f"/api/practice/coaches/{colleague.uid}", {"specialties": ["astrology"]})
    assert response.status_code == 422 and "specialties" in response.json()["errors"]
    response = admin_api.post(f"/api/practice/coaches/{colleague.uid}/deactivate", {})
    assert response.status_code == 422 and "hand them to another coach" in str(response.json()["errors"])
    response = admin_api.post(f"/api/practice/coaches/{colleague.uid}/deactivate", {"to_coach": str(coach.uid)})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert Engagement.objects.get(client=colleague_client).coach == coach


def test_a_coach_sets_their_own_profile_through_the_api(api, coach):
    response = api.patch("/api/profile", {"email_preference": "at_once", "specialties": ["career"]})
    assert response.status_code == 200
    assert response.json()["email_preference"] == "at_once" and response.json()["specialties"] == ["career"]
    assert api.patch("/api/profile", {"is_practice_admin": True}).json()["is_practice_admin"] is False


def test_associates_outside_the_practice_through_the_api(admin_api):
    response = admin_api.post("/api/practice/associates", {"name": "Rae Moss", "specialties": ["health"]})
    assert response.status_code == 422 and "email" in response.json()["errors"]
    response = admin_api.post("/api/practice/associates", {"name": "Rae Moss", "specialties": ["health"],
                                                           "email": "rae@example.net"})
    assert response.status_code == 201
    assert [a["name"] for a in admin_api.get("/api/practice/associates").json()] == ["Rae Moss"]


def test_the_practice_api_sets_the_lapse_plan_new_agreements_start_from(admin_api, coach):
    changed = admin_api.patch("/api/practice", {"default_lapse_reminders": "quiet"})
    assert changed.status_code == 200 and changed.json()["default_lapse_reminders"] == "quiet"
    refused = admin_api.patch("/api/practice", {"default_lapse_contact": "never"})
    assert refused.status_code == 422 and "default_lapse_contact" in refused.json()["errors"]
