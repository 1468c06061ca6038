"""The meeting check's one rule set: four whole answers from 0 to 10, once per held meeting,
from the portal, the email's links or a reply; its signed link names one meeting."""

import pytest
from django.core.exceptions import ValidationError

from followthrough.history import clock
from followthrough.history.models import Event
from followthrough.meetings.checks import check_token, check_url, meeting_of_check_token, one_tap_links
from followthrough.meetings.models import MeetingCheck
from followthrough.meetings.services import meeting_check_record, meeting_create

ANSWERS = {"on_what_matters": 8, "plan_fits_week": 6, "felt_heard": 9, "sure_to_do_it": 7}


def test_a_held_meetings_check_is_recorded_with_its_score_and_logged(held_meeting, client_user):
    check = meeting_check_record(meeting=held_meeting, answers=ANSWERS, by=client_user)

    assert check.score == 7.5
    assert check.answered_via == MeetingCheck.Via.PORTAL
    assert Event.objects.filter(action="meeting_check.answered", object_uid=check.uid).exists()


def test_a_check_is_answered_once(held_meeting, client_user):
    meeting_check_record(meeting=held_meeting, answers=ANSWERS, by=client_user)

    with pytest.raises(ValidationError, match="already answered"):
        meeting_check_record(meeting=held_meeting, answers={**ANSWERS, "felt_heard": 2}, by=client_user)
    assert MeetingCheck.objects.get().felt_heard == 9


@pytest.mark.parametrize("bad", [11, -1, "7.5", "seven", None, True, 7.0])
def test_an_answer_outside_0_to_10_is_refused_on_its_question(held_meeting, bad):
    with pytest.raises(ValidationError) as refused:
        meeting_check_record(meeting=held_meeting, answers={**ANSWERS, "plan_fits_week": bad})

    assert set(refused.value.message_dict) == {"plan_fits_week"}
    assert not MeetingCheck.objects.exists()


def test_answers_given_as_text_digits_are_accepted(held_meeting):
    check = meeting_check_record(meeting=held_meeting, answers={k: str(v) for k, v in ANSWERS.items()})

    assert check.answers() == ANSWERS


def test_a_planned_meeting_has_no_check_yet(engagement, coach, agreement):
    planned = meeting_create(engagement=engagement, by=coach.user,
                             starts_at=clock.now().replace(year=clock.now().year + 1))

    with pytest.raises(ValidationError, match="held"):
        meeting_check_record(meeting=planned, answers=ANSWERS)


def test_the_signed_link_opens_its_meeting_and_a_forged_one_nothing(held_meeting):
    token = check_token(held_meeting)

    assert meeting_of_check_token(token) == held_meeting
    assert meeting_of_check_token(token[:-2] + "xx") is None
    assert meeting_of_check_token("not-a-token") is None
    assert check_url(held_meeting, question="felt_heard", answer=4).endswith(f"/check/{token}/?felt_heard=4")


def test_one_tap_links_offer_every_question_from_0_to_10(held_meeting):
    links = one_tap_links(held_meeting)

    assert [name for name, _wording, _links in links] == list(ANSWERS)
    assert [value for value, _url in links[0][2]] == list(range(11))
