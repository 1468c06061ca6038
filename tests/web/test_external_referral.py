"""A solo coach refers a client to an associate outside the practice: only with the
client's consent recorded, and the engagement waits as referred out."""

import pytest
from django.core import mail
from django.urls import reverse

from followthrough.practice.services import associate_create
from followthrough.web.models import ExternalReferral

from .conftest import field_errors


@pytest.fixture
def rae(coach, focus):
    return associate_create(practice=coach.practice, by=coach.user, name="Rae Moss", email="rae@example.net",
                            specialties=[focus["relationships"]])


@pytest.fixture
def far(coach, focus):
    return associate_create(practice=coach.practice, by=coach.user, name="Abe Far", phone="+44 20 0000",
                            specialties=[focus["health"]])


def test_associates_with_the_focus_are_offered_first(as_coach, engagement, rae, far):
    response = as_coach.get(reverse("external_referral_create", args=[engagement.uid]), {"focus": "relationships"})
    assert [uid for uid, _ in response.context["form"].fields["associate"].choices] == [rae.uid, far.uid]


def test_without_consent_nothing_is_sent_and_the_engagement_stays_active(as_coach, engagement, rae,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coach.post(reverse("external_referral_create", args=[engagement.uid]), {
            "associate": str(rae.uid), "focus_area": "relationships", "shares_agreement": "on"})
    assert "consent_note" in field_errors(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coach.post(reverse("external_referral_create", args=[engagement.uid]), {
            "associate": str(rae.uid), "focus_area": "relationships", "consent_note": "agreed on 3 May"})
    assert "shares_agreement" in field_errors(response)
    engagement.refresh_from_db()
    assert engagement.state == "active" and mail.outbox == [] and not ExternalReferral.objects.exists()


def test_with_consent_the_letter_goes_out_and_the_engagement_waits(as_coach, engagement, rae,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coach.post(reverse("external_referral_create", args=[engagement.uid]), {
            "associate": str(rae.uid), "focus_area": "relationships", "shares_summaries": "on",
            "consent_note": "agreed in the meeting of 3 May", "message": "Bob wants help with his marriage."})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.state == "referred_out"
    [letter] = mail.outbox
    assert letter.to == ["rae@example.net"] and "Bob Stone" in letter.body and "meeting summaries" in letter.body
    assert "help with his marriage" in letter.body
    assert ExternalReferral.objects.get().letter_sent_at is not None


def _refer(as_coach, engagement, associate, captured):
    with captured(execute=True):
        return as_coach.post(reverse("external_referral_create", args=[engagement.uid]), {
            "associate": str(associate.uid), "focus_area": "relationships", "shares_agreement": "on",
            "consent_note": "agreed in the meeting of 3 May"})


def test_the_file_shows_the_referral_and_the_way_back_and_resuming_brings_the_client_back(
        as_coach, engagement, coach, rae, django_capture_on_commit_callbacks):
    from followthrough.clients.services import engagement_move

    _refer(as_coach, engagement, rae, django_capture_on_commit_callbacks)
    text = as_coach.get(reverse("client_file", args=[engagement.client.uid])).content.decode()
    assert "Referred outside the practice" in text and "Rae Moss" in text
    assert "The letter went to rae@example.net" in text and "comes back, resume it" in text
    engagement.refresh_from_db()
    engagement_move(engagement=engagement, to_state="active", by=coach.user, note="Back from Rae")
    engagement.refresh_from_db()
    assert engagement.state == "active"
    assert "comes back, resume it" not in as_coach.get(
        reverse("client_file", args=[engagement.client.uid])).content.decode()


def test_without_an_email_the_coach_gets_the_letter_to_send_by_hand(as_coach, engagement, far,
                                                                   django_capture_on_commit_callbacks):
    from followthrough.practice.services import associate_update

    associate_update(associate=far, by=engagement.coach.user, specialties=list(far.specialties.all())
                     + [engagement.client.practice.focus_areas.get(slug="relationships")])
    _refer(as_coach, engagement, far, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    text = as_coach.get(reverse("client_file", args=[engagement.client.uid])).content.decode()
    assert "send the letter yourself (+44 20 0000)" in text and "Dear Abe Far," in text
