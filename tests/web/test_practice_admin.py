"""A practice admin runs the practice from the pages: settings, coaches, invitations,
focus areas, associates outside the practice, and an overview of every engagement."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from followthrough.clients.models import Engagement, EngagementTransition
from followthrough.history.models import Event
from followthrough.practice.invitations import invitation_create, invitation_token
from followthrough.practice.models import Coach, CoachInvitation, ExternalAssociate

from .conftest import field_errors, page_text


@pytest.fixture
def admin(coach):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    return coach


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin.user)
    return client


def _link_path(message):
    return re.search(r"https?://[^/\s]+(/join/\S+/)", message.body).group(1)


def test_an_invited_coach_chooses_a_password_and_is_signed_in(as_admin, admin, client,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(reverse("practice_coaches"), {
            "display_name": "Dan Wu", "email": "dan@example.org"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["dan@example.org"]]
    path = _link_path(mail.outbox[0])
    client.logout()
    assert "Join Harbour Coaching" in page_text(client.get(path))
    response = client.post(path, {"username": "dan", "password": "a long enough passphrase",
                                  "password_again": "a long enough passphrase"})
    assert response.status_code == 302 and response["Location"] == reverse("coach_profile")
    dan = Coach.objects.get(user__username="dan")
    assert dan.practice == admin.practice and dan.display_name == "Dan Wu" and not dan.is_practice_admin
    assert dan.user.check_password("a long enough passphrase")
    assert client.get(reverse("caseload")).status_code == 200
    assert Event.objects.filter(action="coach_invitation.accepted").count() == 1
    client.logout()
    assert client.get(path).status_code == 404, "the link works once"


def test_an_invitation_refuses_a_weak_password_and_saves_nothing(client, admin):
    invitation = invitation_create(practice=admin.practice, email="dan@example.org", display_name="Dan Wu",
                                   by=admin.user)
    path = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = client.post(path, {"username": "dan", "password": "coaching1", "password_again": "coaching1"})
    assert response.status_code == 200 and "password" in field_errors(response)
    assert not Coach.objects.filter(user__username="dan").exists()


def test_a_forged_revoked_or_expired_invitation_is_not_found(client, as_admin, admin):
    invitation = invitation_create(practice=admin.practice, email="dan@example.org", display_name="Dan Wu",
                                   by=admin.user)
    token = invitation_token(invitation)
    assert client.get(reverse("invitation_accept", args=[token[:-2] + "xx"])).status_code == 404
    CoachInvitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at - timedelta(days=1))
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404
    CoachInvitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.expires_at)
    as_admin.post(reverse("practice_invitation_revoke", args=[invitation.uid]))
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_inviting_an_address_a_coach_already_has_is_refused_on_the_field(as_admin, colleague):
    response = as_admin.post(reverse("practice_coaches"), {"display_name": "Cara", "email": "cara@example.org"})
    assert "already has this email" in str(field_errors(response)["email"])
    assert not CoachInvitation.objects.exists()


def test_the_admin_sets_a_coachs_specialties_referrals_capacity_and_role(as_admin, colleague, focus):
    response = as_admin.post(reverse("practice_coach", args=[colleague.uid]), {
        "display_name": "Cara Lind", "specialties": ["health", "career"], "caseload_capacity": "12",
        "is_practice_admin": "on"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert {a.slug for a in colleague.specialties.all()} == {"health", "career"}
    assert colleague.caseload_capacity == 12 and colleague.is_practice_admin and not colleague.accepts_referrals
    assert Event.objects.filter(action="coach.updated").exists()


def test_the_only_admin_cannot_give_up_the_role(as_admin, admin):
    response = as_admin.post(reverse("practice_coach", args=[admin.uid]), {
        "display_name": "Ana Perez", "caseload_capacity": "20"})
    assert "only admin" in str(field_errors(response)["is_practice_admin"])
    admin.refresh_from_db()
    assert admin.is_practice_admin


def test_deactivating_a_coach_hands_their_engagements_over_first(client, admin, colleague, colleague_client):
    client.force_login(admin.user)
    url = reverse("practice_coach_deactivate", args=[colleague.uid])
    assert "Dee Hart" in page_text(client.get(url))
    response = client.post(url, {"to_coach": str(admin.uid), "note": "Cara is leaving"})
    assert response.status_code == 302
    engagement = Engagement.objects.get(client=colleague_client)
    assert engagement.coach == admin and engagement.state == "active"
    move = EngagementTransition.objects.get(engagement=engagement)
    assert move.note == "Handed over from Cara Lind to Ana Perez. Cara is leaving"
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert "Dee Hart" in page_text(client.get(reverse("caseload")))
    client.force_login(colleague.user)
    assert client.get(reverse("caseload")).status_code == 404


def test_a_coach_holding_engagements_cannot_be_deactivated_without_a_hand_over(admin, colleague,
                                                                              colleague_client):
    from django.core.exceptions import ValidationError

    from followthrough.practice.services import coach_deactivate

    with pytest.raises(ValidationError, match="hand them to another coach first"):
        coach_deactivate(coach=colleague, by=admin.user)
    colleague.refresh_from_db()
    assert colleague.is_active


def test_the_practice_settings_are_where_new_agreements_start(as_admin, admin, engagement):
    response = as_admin.post(reverse("practice_settings"), {
        "name": "Harbour Coaching", "timezone": "Europe/Dublin", "currency": "gbp",
        "default_coach_scope": "I coach; you do the work.", "default_reminder_days_before": "3",
        "default_reminder_overdue": "on", "default_lapse_reminders": "firm", "default_lapse_contact": "reach_out"})
    assert response.status_code == 302
    admin.practice.refresh_from_db()
    assert admin.practice.timezone == "Europe/Dublin" and admin.practice.currency == "GBP"
    form = as_admin.get(reverse("agreement_create", args=[engagement.uid])).context["form"]
    assert form["fee_currency"].value() == "GBP"
    assert form["coach_scope"].value() == "I coach; you do the work."
    assert form["reminder_days_before"].value() == 3 and form["reminder_before"].value() is False
    assert (form["lapse_reminders"].value(), form["lapse_contact"].value()) == ("firm", "reach_out")


def test_a_currency_that_is_not_a_code_is_refused_on_its_field(as_admin, admin):
    response = as_admin.post(reverse("practice_settings"), {
        "name": "Harbour Coaching", "timezone": "UTC", "currency": "E1", "default_reminder_days_before": "1",
        "default_lapse_reminders": "normal", "default_lapse_contact": "next_meeting"})
    assert "currency" in field_errors(response)
    admin.practice.refresh_from_db()
    assert admin.practice.currency == "EUR" and admin.practice.timezone == "Europe/London"


def test_focus_areas_are_added_once_and_retired_not_deleted(as_admin, admin):
    assert as_admin.post(reverse("practice_focus_areas"), {"name": "Parenting"}).status_code == 302
    response = as_admin.post(reverse("practice_focus_areas"), {"name": "parenting"})
    assert "already has a focus area" in str(field_errors(response)["name"])
    area = admin.practice.focus_areas.get(slug="parenting")
    as_admin.post(reverse("practice_focus_areas"), {"toggle": str(area.uid)})
    area.refresh_from_db()
    assert not area.is_active


def test_an_external_associate_needs_a_way_to_be_reached(as_admin, admin):
    response = as_admin.post(reverse("practice_associates"), {"name": "Rae Moss", "specialties": ["health"]})
    assert "email" in field_errors(response)
    assert not ExternalAssociate.objects.exists()
    as_admin.post(reverse("practice_associates"), {"name": "Rae Moss", "specialties": ["health"],
                                                   "email": "rae@example.net", "accepts_referrals": "on",
                                                   "is_active": "on"})
    associate = ExternalAssociate.objects.get()
    assert [a.slug for a in associate.specialties.all()] == ["health"]
    assert "Rae Moss" in page_text(as_admin.get(reverse("practice_associates")))


def test_the_admin_sees_every_engagement_of_the_practice_and_no_other(as_admin, client_record, colleague_client,
                                                                      outsider):
    from followthrough.clients.services import client_create

    client_create(coach=outsider, by=outsider.user, full_name="Far Away")
    text = page_text(as_admin.get(reverse("practice_engagements")))
    assert "Bob Stone" in text and "Dee Hart" in text and "Far Away" not in text
    colleague = colleague_client.engagements.get().coach
    only = as_admin.get(reverse("practice_engagements"), {"coach": str(colleague.uid)}).context["page"]
    assert [e.client.full_name for e in only] == ["Dee Hart"]


def test_a_coach_sets_their_own_profile_but_not_their_role(as_coach, coach):
    response = as_coach.post(reverse("coach_profile"), {
        "display_name": "Ana P.", "specialties": ["business", "leadership"], "accepts_referrals": "on",
        "caseload_capacity": "15", "email_preference": "never", "is_practice_admin": "on"})
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.display_name == "Ana P." and coach.email_preference == "never"
    assert {a.slug for a in coach.specialties.all()} == {"business", "leadership"}
    assert not coach.is_practice_admin
