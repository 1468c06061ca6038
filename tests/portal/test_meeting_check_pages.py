"""The meeting check as a client answers it: in the portal after a held meeting, and on
the signed page the invitation email links to, without signing in."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client as BrowserClient
from django.urls import reverse

from followthrough.history import clock
from followthrough.meetings.checks import CHECK_SALT, check_token, check_url
from followthrough.meetings.models import CHECK_QUESTIONS, MeetingCheck
from followthrough.meetings.services import meeting_check_record

from .conftest import path_of

ANSWERS = {"on_what_matters": "8", "plan_fits_week": "6", "felt_heard": "9", "sure_to_do_it": "7"}


def test_after_a_held_meeting_the_home_page_asks_how_it_went(bob, held_meeting):
    page = bob.get(reverse("portal_home")).content.decode()

    assert "How did this meeting go?" in page
    for wording in CHECK_QUESTIONS.values():
        assert wording in page
    assert "not a validated questionnaire" in page
    assert page.count('type="radio"') == 44  # four rows of 0 to 10
    assert "<script>" not in page and 'style="' not in page


def test_answering_on_the_meeting_page_saves_the_check_and_thanks_the_client(bob, held_meeting):
    page = bob.get(reverse("portal_meeting", args=[held_meeting.uid])).content.decode()
    assert "How did this meeting go?" in page

    response = bob.post(reverse("portal_check", args=[held_meeting.uid]), ANSWERS, follow=True)

    check = MeetingCheck.objects.get(meeting=held_meeting)
    assert (check.score, check.answered_via) == (7.5, MeetingCheck.Via.PORTAL)
    page = response.content.decode()
    assert "Thank you" in page and "You answered this meeting's check" in page
    assert "How did this meeting go?" not in bob.get(reverse("portal_home")).content.decode()


def test_a_missing_answer_is_shown_on_its_question_and_nothing_is_saved(bob, held_meeting):
    response = bob.post(reverse("portal_check", args=[held_meeting.uid]), {**ANSWERS, "felt_heard": ""})

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(r'id="id_felt_heard-error">(.*?)</div>', page, re.S)
    assert error and "Choose a number from 0 to 10." in error.group(1)
    assert not MeetingCheck.objects.exists()


def test_another_clients_meeting_cannot_be_checked(bob, dee):
    response = bob.post(reverse("portal_check", args=[dee["meeting"].uid]), ANSWERS)

    assert response.status_code == 404
    assert not MeetingCheck.objects.exists()


def test_the_signed_link_opens_the_check_without_signing_in_and_preselects_the_tapped_answer(held_meeting):
    visitor = BrowserClient()
    response = visitor.get(path_of(check_url(held_meeting)) + "?felt_heard=3")

    page = response.content.decode()
    assert response.status_code == 200
    assert "How did this meeting go?" in page
    assert re.search(r'name="felt_heard" value="3"[^>]*checked', page)
    assert page.count("checked") == 1
    assert "PRIVATE" not in page


def test_answering_by_the_signed_link_thanks_and_a_second_time_says_it_is_answered(held_meeting):
    visitor = BrowserClient(enforce_csrf_checks=True)
    path = path_of(check_url(held_meeting))
    visitor.get(path)
    token = visitor.cookies["csrftoken"].value

    thanked = visitor.post(path, {**ANSWERS, "csrfmiddlewaretoken": token})
    assert "Thank you." in thanked.content.decode()
    check = MeetingCheck.objects.get(meeting=held_meeting)
    assert check.answered_via == MeetingCheck.Via.EMAIL_LINK

    again = visitor.get(path)
    assert "already answered" in again.content.decode()
    posted_again = visitor.post(path, {**ANSWERS, "felt_heard": "1", "csrfmiddlewaretoken": token})
    assert "already answered" in posted_again.content.decode()
    assert MeetingCheck.objects.get().felt_heard == 9


def test_the_signed_page_refuses_a_post_without_its_csrf_token(held_meeting):
    visitor = BrowserClient(enforce_csrf_checks=True)

    response = visitor.post(path_of(check_url(held_meeting)), ANSWERS)

    assert response.status_code == 403
    assert not MeetingCheck.objects.exists()


def test_a_wrong_answer_on_the_signed_page_is_shown_on_its_question(held_meeting):
    response = BrowserClient().post(path_of(check_url(held_meeting)), {**ANSWERS, "plan_fits_week": "12"})

    assert response.status_code == 400
    assert re.search(r'id="id_plan_fits_week-error">.*Choose', response.content.decode(), re.S)
    assert not MeetingCheck.objects.exists()


@pytest.mark.parametrize("how", ["forged", "expired"])
def test_a_forged_or_expired_link_says_so_and_shows_no_ones_data(held_meeting, how, monkeypatch):
    token = check_token(held_meeting)
    if how == "forged":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    else:
        signed_at = (clock.now() - timedelta(days=31)).timestamp()
        monkeypatch.setattr(signing.time, "time", lambda: signed_at)
        token = signing.dumps(str(held_meeting.uid), salt=CHECK_SALT, compress=True)
        monkeypatch.undo()

    response = BrowserClient().get(f"/check/{token}/")

    assert response.status_code == (404 if how == "forged" else 410)
    page = response.content.decode()
    assert ("does not work" if how == "forged" else "has expired") in page
    coach = held_meeting.engagement.coach
    assert coach.display_name not in page and held_meeting.engagement.client.full_name not in page
    assert 'type="radio"' not in page


def test_a_check_recorded_elsewhere_leaves_the_portal_saying_it_is_answered(bob, held_meeting):
    meeting_check_record(meeting=held_meeting, answers=ANSWERS, via=MeetingCheck.Via.EMAIL_REPLY)

    page = bob.get(reverse("portal_meeting", args=[held_meeting.uid])).content.decode()
    assert "You answered this meeting's check" in page and 'type="radio"' not in page


def test_a_meeting_long_past_is_not_asked_about(bob, held_meeting):
    from followthrough.meetings.models import Meeting

    Meeting.objects.filter(pk=held_meeting.pk).update(starts_at=clock.now() - timedelta(days=45))

    assert "How did this meeting go?" not in bob.get(reverse("portal_home")).content.decode()
    assert "How did this meeting go?" not in bob.get(
        reverse("portal_meeting", args=[held_meeting.uid])).content.decode()
