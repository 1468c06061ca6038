"""Planned breaks: what falls due in one is waived with the break as the reason, nothing
in it counts either way, and cancelling it opens again what it waived."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from followthrough.clients.models import PlannedBreak
from followthrough.clients.services import engagement_pause, planned_break_cancel, planned_break_record
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, commitment_create, meeting_review
from followthrough.engine.metrics import engagement_followthrough
from followthrough.history.models import Event
from followthrough.history.services import tracked_create, verify_records
from followthrough.meetings.services import meeting_create
from followthrough.protocol.models import FileReview
from followthrough.protocol.selectors import file_review_rows

pytestmark = pytest.mark.django_db


def _today(engagement):
    return engagement.client.today()


def _open(engagement, coach, description, due_on):
    return commitment_create(engagement=engagement, by=coach.user, description=description, due_on=due_on)


def _break(engagement, coach, start, end, reason="holiday"):
    return planned_break_record(engagement=engagement, starts_on=start, ends_on=end, reason=reason, by=coach.user)


def test_recording_a_break_waives_each_open_commitment_due_in_it_with_the_break_as_reason(engagement, coach):
    today = _today(engagement)
    inside = _open(engagement, coach, "Call the printer", today + timedelta(days=5))
    before = _open(engagement, coach, "Send the invoice", today + timedelta(days=1))
    after = _open(engagement, coach, "Post the menu", today + timedelta(days=20))
    brk = _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    for c in (inside, before, after):
        c.refresh_from_db()
    assert inside.outcome == Commitment.Outcome.WAIVED
    assert inside.waived_for_break == brk
    assert inside.client_reason == f"planned break: {brk.words}"
    assert "holiday" in inside.client_reason
    assert before.is_open and after.is_open
    assert Event.objects.filter(action="commitment.waived_for_break", object_uid=str(inside.uid)).exists()


def test_a_break_wholly_in_the_past_is_refused_and_writes_nothing(engagement, coach):
    today = _today(engagement)
    with pytest.raises(ValidationError) as error:
        _break(engagement, coach, today - timedelta(days=10), today - timedelta(days=3))
    assert "already over" in error.value.message_dict["ends_on"][0]
    assert not PlannedBreak.objects.exists()


def test_a_break_already_running_may_be_recorded(engagement, coach):
    today = _today(engagement)
    due_yesterday = _open(engagement, coach, "Call the printer", today - timedelta(days=1))
    _break(engagement, coach, today - timedelta(days=2), today + timedelta(days=4), reason="surgery")
    due_yesterday.refresh_from_db()
    assert due_yesterday.outcome == Commitment.Outcome.WAIVED


def test_an_overlapping_break_is_refused_naming_the_one_it_overlaps(engagement, coach):
    today = _today(engagement)
    _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        _break(engagement, coach, today + timedelta(days=10), today + timedelta(days=12), reason="move house")
    assert "overlaps the planned break holiday" in error.value.message_dict["starts_on"][0]
    assert PlannedBreak.objects.count() == 1


def test_a_cancelled_break_no_longer_blocks_a_new_one_in_its_days(engagement, coach):
    today = _today(engagement)
    first = _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    planned_break_cancel(planned_break=first, by=coach.user)
    second = _break(engagement, coach, today + timedelta(days=4), today + timedelta(days=6))
    assert second.in_force


def test_a_break_needs_an_active_engagement(engagement, coach):
    today = _today(engagement)
    engagement_pause(engagement=engagement, until=today + timedelta(days=30), by=coach.user)
    with pytest.raises(ValidationError) as error:
        _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    assert "needs an active engagement" in error.value.messages[0]


def test_a_break_needs_its_reason_and_ends_after_it_starts(engagement, coach):
    today = _today(engagement)
    with pytest.raises(ValidationError) as error:
        _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=5), reason=" ")
    assert "Say what the break is for" in error.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as error:
        _break(engagement, coach, today + timedelta(days=5), today + timedelta(days=3))
    assert "cannot end before it starts" in error.value.message_dict["ends_on"][0]
    assert not PlannedBreak.objects.exists()


def test_a_break_of_a_paused_engagement_cannot_be_cancelled_so_nothing_reopens(engagement, coach):
    today = _today(engagement)
    inside = _open(engagement, coach, "Call the printer", today + timedelta(days=5))
    brk = _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    engagement_pause(engagement=engagement, until=today + timedelta(days=30), by=coach.user)
    with pytest.raises(ValidationError, match="needs an active engagement"):
        planned_break_cancel(planned_break=brk, by=coach.user)
    inside.refresh_from_db()
    assert inside.outcome == Commitment.Outcome.WAIVED


def test_a_commitment_due_in_a_break_is_refused_offering_the_day_after(engagement, coach):
    today = _today(engagement)
    brk = _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        _open(engagement, coach, "Call the printer", today + timedelta(days=4))
    message = error.value.message_dict["due_on"][0]
    after = brk.ends_on + timedelta(days=1)
    assert "planned break" in message and f"{after.day} {after:%b}" in message
    assert not Commitment.objects.exists()


def test_cancelling_a_break_reopens_what_it_waived_and_nothing_else(engagement, coach):
    today = _today(engagement)
    inside = _open(engagement, coach, "Call the printer", today + timedelta(days=5))
    outside = _open(engagement, coach, "Post the menu", today + timedelta(days=20))
    brk = _break(engagement, coach, today + timedelta(days=3), today + timedelta(days=10))
    planned_break_cancel(planned_break=brk, by=coach.user)
    inside.refresh_from_db()
    outside.refresh_from_db()
    brk.refresh_from_db()
    assert inside.is_open and inside.waived_for_break is None and inside.client_reason == ""
    assert outside.is_open
    assert brk.cancelled_at is not None
    assert Event.objects.filter(action="commitment.reopened_break_cancelled").count() == 1
    with pytest.raises(ValidationError, match="already cancelled"):
        planned_break_cancel(planned_break=brk, by=coach.user)


def test_a_break_s_commitments_count_neither_way_and_cancelling_restores_them(engagement, coach, agreement, focus):
    """The Done-when scenario: engine figure and file review leave a break's commitments out;
    cancelling the break puts them back to be reviewed like any other."""
    start = timezone.now() - timedelta(days=20)
    made = meeting_create(engagement=engagement, by=coach.user, status="held", starts_at=start,
                          focus_areas=[focus["business"]])
    today = _today(engagement)
    kept, in_break = meeting_review(meeting=made, by=coach.user, review=MeetingReview(new_commitments=[
        {"description": "Email five planners", "due_on": today - timedelta(days=12)},
        {"description": "Bake a tasting box", "due_on": today + timedelta(days=4)},
    ]))
    brk = _break(engagement, coach, today + timedelta(days=2), today + timedelta(days=9))
    in_break.refresh_from_db()
    assert in_break.outcome == Commitment.Outcome.WAIVED and in_break.waived_for_break == brk

    review_at = meeting_create(engagement=engagement, by=coach.user, status="held",
                               starts_at=timezone.now() - timedelta(days=1), focus_areas=[focus["business"]])
    meeting_review(meeting=review_at, by=coach.user, review=MeetingReview(reviews=[Review(kept, "kept")]))
    figures = engagement_followthrough(engagement)["figures"]
    assert [(f.due, float(f.figure)) for f in figures] == [(1, 1.0)]

    review = tracked_create(FileReview(engagement=engagement, meeting_uids=[str(made.uid), str(review_at.uid)],
                                       meetings_count=2), by=coach.user, action="file_review.created")
    rows = file_review_rows(review)
    listed = [c for row in rows["rows"] for c in row["commitments"]] + rows["still_open"]
    assert in_break not in listed
    assert rows["totals"] == {"kept": 1, "partly": 0, "missed": 0, "waived": 0, "open": 0}

    planned_break_cancel(planned_break=brk, by=coach.user)
    in_break.refresh_from_db()
    assert in_break.is_open
    assert in_break in file_review_rows(review)["still_open"]
    assert verify_records() == []
