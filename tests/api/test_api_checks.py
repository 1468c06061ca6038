"""Meeting checks over the API: coaches read their clients' checks; the signed link is
answered without credentials through the same service, with the same errors."""

from datetime import timedelta

import pytest
from django.core import signing

from followthrough.history import clock
from followthrough.meetings.checks import CHECK_SALT, check_token
from followthrough.meetings.models import MeetingCheck
from followthrough.meetings.services import meeting_check_record
from followthrough.practice.services import coach_update

ANSWERS = {"on_what_matters": 8, "plan_fits_week": 6, "felt_heard": 9, "sure_to_do_it": 7}


def test_a_coach_lists_the_checks_of_an_engagement_newest_first(api, held_meeting):
    meeting_check_record(meeting=held_meeting, answers=ANSWERS, via=MeetingCheck.Via.EMAIL_REPLY)

    body = api.get(f"/api/engagements/{held_meeting.engagement.uid}/checks").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["meeting_uid"] == str(held_meeting.uid)
    assert (item["score"], item["felt_heard"], item["answered_via"]) == (7.5, 9, "email_reply")
    assert api.get(f"/api/meetings/{held_meeting.uid}/check").json()["score"] == 7.5


def test_a_meeting_without_a_check_has_none(api, held_meeting):
    assert api.get(f"/api/meetings/{held_meeting.uid}/check").status_code == 404


def test_the_signed_link_shows_the_questions_and_records_the_answers_once(anonymous_api, held_meeting):
    path = f"/api/checks/{check_token(held_meeting)}"

    shown = anonymous_api.get(path).json()
    assert shown["answered"] is False and len(shown["questions"]) == 4
    assert "not a validated questionnaire" in shown["note"]
    assert held_meeting.engagement.client.full_name not in str(shown)

    answered = anonymous_api.post(path, ANSWERS)
    assert answered.status_code == 201 and answered.json()["answered"] is True
    assert MeetingCheck.objects.get().answered_via == MeetingCheck.Via.EMAIL_LINK

    again = anonymous_api.post(path, {**ANSWERS, "felt_heard": 1})
    assert again.status_code == 422
    assert "already answered" in again.json()["errors"]["__all__"][0]
    assert MeetingCheck.objects.get().felt_heard == 9


@pytest.mark.parametrize("bad, message", [(11, "Choose a whole number from 0 to 10"), (7.5, "whole number"),
                                          (None, "Choose a number from 0 to 10.")])
def test_a_wrong_answer_is_refused_on_its_question_with_the_pages_words(anonymous_api, held_meeting, bad,
                                                                        message):
    response = anonymous_api.post(f"/api/checks/{check_token(held_meeting)}", {**ANSWERS, "plan_fits_week": bad})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["plan_fits_week"]
    assert message in response.json()["errors"]["plan_fits_week"][0]
    assert not MeetingCheck.objects.exists()


def test_a_forged_link_is_404_and_an_expired_one_410(anonymous_api, held_meeting, monkeypatch):
    assert anonymous_api.get("/api/checks/not-a-token").status_code == 404
    assert anonymous_api.post("/api/checks/not-a-token", ANSWERS).status_code == 404
    signed_at = (clock.now() - timedelta(days=31)).timestamp()
    monkeypatch.setattr(signing.time, "time", lambda: signed_at)
    old = signing.dumps(str(held_meeting.uid), salt=CHECK_SALT, compress=True)
    monkeypatch.undo()

    assert anonymous_api.get(f"/api/checks/{old}").status_code == 410
    assert anonymous_api.post(f"/api/checks/{old}", ANSWERS).status_code == 410
    assert not MeetingCheck.objects.exists()


def test_any_credentials_get_the_same_signed_answer(api, colleague_api, held_meeting):
    """The link is the credential: a coach's token neither adds nor takes away anything."""
    path = f"/api/checks/{check_token(held_meeting)}"
    assert api.get(path).json() == colleague_api.get(path).json()


def test_thresholds_can_be_read_and_set_over_the_api(api, coach):
    body = api.get("/api/thresholds").json()
    assert body["effective"]["alliance_drop_points"] == 2.0 and body["own"]["alliance_drop_points"] is None

    changed = api.send("put", "/api/thresholds/own", {"alliance_drop_points": 1.5, "alliance_falls_in_row": 3})
    assert changed.status_code == 200
    assert changed.json()["effective"]["alliance_drop_points"] == 1.5

    refused = api.send("put", "/api/thresholds/own", {"alliance_drop_points": 0})
    assert refused.status_code == 422
    assert "more than 0 and at most 10 points" in refused.json()["errors"]["alliance_drop_points"][0]


def test_only_a_practice_admin_sets_the_practices_thresholds(api, coach):
    assert api.send("put", "/api/thresholds/practice", {"alliance_falls_in_row": 4}).status_code == 403
    coach_update(coach=coach, by=None, is_practice_admin=True)
    done = api.send("put", "/api/thresholds/practice", {"alliance_falls_in_row": 4})
    assert done.status_code == 200 and done.json()["practice"]["alliance_falls_in_row"] == 4
