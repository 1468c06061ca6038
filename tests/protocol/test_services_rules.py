"""The protocol's rules at their edges, through the public services a coach's page or the API
calls: what may be reinstated or trimmed and with which plan, what a file review covers, how
the final review leaves the engagement, and when an intervention closes as recovered."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.models import Agreement
from followthrough.clients.services import AGREEMENT_TERMS, client_create
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, commitment_create, meeting_review
from followthrough.engine.services import coach_thresholds_set, practice_thresholds_set
from followthrough.history.models import Event
from followthrough.meetings.models import Meeting
from followthrough.meetings.services import meeting_create, meeting_update
from followthrough.protocol.models import FileReview, Intervention, InterventionStep
from followthrough.protocol.recovery import recovery_check
from followthrough.protocol.services import (
    file_review_share,
    intervention_close_if_recovered,
    intervention_open,
    step_amend_focus,
    step_final_review,
    step_new_goal,
    step_reaffirm,
    step_review_file,
)

TODAY = date.today


def review_as(engagement, coach, commitment, outcome, fraction=None):
    meeting = meeting_create(engagement=engagement, by=coach.user, status="held", starts_at=timezone.now(),
                             focus_areas=on_focus(engagement))
    meeting_review(meeting=meeting, by=coach.user, review=MeetingReview(reviews=[
        Review(commitment, outcome, fraction, "In hospital that week." if outcome == "waived" else "Busy")]))
    commitment.refresh_from_db()
    return commitment


@pytest.fixture
def missed(engagement, commitment, coach):
    return review_as(engagement, coach, commitment, "missed")


@pytest.fixture
def intervention(engagement, coach, missed):
    return intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")


def plan(**overrides):
    values = {"planned_at": timezone.now() + timedelta(days=2), "minutes_needed": 60, "has_tools": True,
              "tools_needed": "", "due_on": TODAY() + timedelta(days=5)}
    values.update(overrides)
    return values


def counts():
    return Event.objects.count(), Commitment.objects.count(), InterventionStep.objects.count()


def refused(fields, **kwargs):
    """Calls step_new_goal; asserts it is refused on exactly `fields` and that nothing was saved."""
    before = counts()
    with pytest.raises(ValidationError) as exc:
        step_new_goal(**kwargs)
    assert sorted(exc.value.message_dict) == sorted(fields)
    assert counts() == before
    return exc.value.message_dict


# --- What may be reinstated or trimmed -------------------------------------------------------

@pytest.mark.parametrize("outcome", ["kept", "waived"])
@pytest.mark.parametrize("mode", ["reinstate", "trim"])
def test_a_kept_or_waived_commitment_cannot_be_reinstated_or_trimmed(outcome, mode, engagement, coach, commitment):
    done = review_as(engagement, coach, commitment, outcome)
    opened = intervention_open(engagement=engagement, by=coach.user)
    errors = refused(["source"], intervention=opened, by=coach.user, mode=mode, source=done,
                     description="Email two planners", **plan(minutes_needed=30))
    assert errors["source"] == ["Only a missed or partly kept commitment can be reinstated or trimmed."]


def test_an_open_commitment_cannot_be_reinstated(engagement, coach, commitment):
    opened = intervention_open(engagement=engagement, by=coach.user)
    refused(["source"], intervention=opened, by=coach.user, mode="reinstate", source=commitment, **plan())


def test_a_partly_kept_commitment_can_be_reinstated(engagement, coach, commitment):
    partly = review_as(engagement, coach, commitment, "partly_kept", Decimal("0.4"))
    opened = intervention_open(engagement=engagement, by=coach.user)
    (again,) = step_new_goal(intervention=opened, by=coach.user, mode="reinstate", source=partly, **plan())
    assert again.derived_from == partly and again.description == partly.description


def test_another_engagements_commitment_cannot_be_reinstated(intervention, coach, colleague, engagement):
    other = client_create(coach=coach, by=coach.user, full_name="Dee Hart").engagements.get()
    theirs = commitment_create(engagement=other, by=coach.user, description="Call the bank",
                               due_on=TODAY() - timedelta(days=1))
    theirs = review_as(other, coach, theirs, "missed")
    errors = refused(["source"], intervention=intervention, by=coach.user, mode="reinstate", source=theirs,
                     **plan())
    assert errors["source"] == ["Choose a missed commitment of this engagement."]
    refused(["source"], intervention=intervention, by=coach.user, mode="reinstate", source=None, **plan())


# --- The plan a reinstated commitment needs --------------------------------------------------

@pytest.mark.parametrize("tools_needed", ["", "   ", None])
def test_no_tools_is_refused_until_the_missing_tools_are_named(tools_needed, intervention, coach, missed):
    errors = refused(["tools_needed"], intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                     **plan(has_tools=False, tools_needed=tools_needed))
    assert errors["tools_needed"] == ["Say which tools or materials are missing."]


def test_having_the_tools_needs_no_list_of_them(intervention, coach, missed):
    (again,) = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                             **plan(has_tools=True, tools_needed=""))
    assert again.has_tools is True and again.tools_needed == ""


@pytest.mark.parametrize("field, value, message", [
    ("planned_at", None, "Which day and time will the client do it?"),
    ("minutes_needed", None, "How many minutes will it take?"),
    ("minutes_needed", 0, "Enter a number of minutes from 1 to 10,000."),
    ("has_tools", None, "Does the client have everything needed to do it?"),
    ("due_on", None, "Give the new due date."),
])
def test_each_unanswered_plan_question_is_asked_by_name(field, value, message, intervention, coach, missed):
    errors = refused([field], intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                     **plan(**{field: value}))
    assert errors[field] == [message]


def test_every_unanswered_question_is_asked_at_once(intervention, coach, missed):
    refused(["planned_at", "minutes_needed", "has_tools", "due_on"], intervention=intervention, by=coach.user,
            mode="reinstate", source=missed,
            **plan(planned_at=None, minutes_needed=None, has_tools=None, due_on=None))


def test_a_planned_time_already_past_is_refused(intervention, coach, missed):
    errors = refused(["planned_at"], intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                     **plan(planned_at=timezone.now() - timedelta(minutes=1)))
    assert errors["planned_at"] == ["The planned day and time must be in the future."]


def test_a_due_date_in_the_past_is_refused_but_today_is_fine(intervention, coach, missed):
    # A planned time still to come is after a due date already past: both are said.
    errors = refused(["due_on", "planned_at"], intervention=intervention, by=coach.user, mode="reinstate",
                     source=missed,
                     **plan(due_on=TODAY() - timedelta(days=1), planned_at=timezone.now() + timedelta(minutes=5)))
    assert errors["due_on"] == ["The new due date cannot be in the past."]
    soon = timezone.localtime() + timedelta(minutes=5)
    if soon.date() == timezone.localdate():
        (again,) = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                                 **plan(due_on=timezone.localdate(), planned_at=soon))
        assert again.due_on == timezone.localdate()


def test_a_planned_day_after_the_due_date_is_refused_but_the_due_day_itself_is_fine(intervention, coach, missed):
    due = TODAY() + timedelta(days=3)
    late = timezone.localtime().replace(hour=10, minute=0) + timedelta(days=4)
    errors = refused(["planned_at"], intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                     **plan(due_on=due, planned_at=late))
    assert errors["planned_at"] == [f"The planned day must be on or before the due date ({due:%-d %B})."]
    (again,) = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                             **plan(due_on=due, planned_at=late - timedelta(days=1)))
    assert again.planned_at.date() == again.due_on == due


def test_an_unknown_mode_is_refused(intervention, coach, missed):
    errors = refused(["mode"], intervention=intervention, by=coach.user, mode="postpone", source=missed, **plan())
    assert errors["mode"] == ["Choose to reinstate the missed commitment or set a trimmed one."]


def test_reinstating_keeps_the_task_with_the_new_plan_and_records_it_on_the_step(intervention, coach, missed):
    when = timezone.now() + timedelta(days=2)
    (again,) = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                             description="ignored for a reinstatement", note="  Agreed on Tuesday  ",
                             **plan(planned_at=when, minutes_needed=40))
    assert (again.description, again.derivation, again.derived_from) == (
        "Email five wedding planners", "reinstated", missed)
    assert (again.planned_at, again.minutes_needed, again.has_tools, again.outcome) == (when, 40, True, "open")
    step = InterventionStep.objects.get(step="new_goal")
    assert step.details == {"mode": "reinstate", "source": str(missed.uid), "commitments": [str(again.uid)]}
    assert step.note == "Agreed on Tuesday" and step.by == coach.user
    intervention.refresh_from_db()
    assert intervention.last_step == "new_goal"


def test_a_missing_tool_is_got_ready_the_day_before_the_planned_day(intervention, coach, missed):
    when = timezone.localtime().replace(hour=10, minute=0) + timedelta(days=3)
    prep, again = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                                **plan(planned_at=when, due_on=TODAY() + timedelta(days=5), has_tools=False,
                                       tools_needed="  a list of wedding planners "))
    assert prep.description == "Get ready: a list of wedding planners"
    assert prep.due_on == when.date() - timedelta(days=1)
    assert (prep.derivation, prep.derived_from, prep.minutes_needed, prep.has_tools) == (
        "preparation", missed, 10, True)
    assert again.tools_needed == "a list of wedding planners" and again.has_tools is False
    details = InterventionStep.objects.get(step="new_goal").details
    assert details["commitments"] == [str(prep.uid), str(again.uid)]


def test_a_missing_tool_for_a_task_planned_today_is_got_ready_today(intervention, coach, missed):
    soon = timezone.localtime() + timedelta(minutes=30)
    if soon.date() != timezone.localdate():
        pytest.skip("too close to midnight for a task planned today")
    prep, _ = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                            **plan(planned_at=soon, due_on=TODAY() + timedelta(days=5), has_tools=False,
                                   tools_needed="stamps"))
    assert prep.due_on == timezone.localdate()


def test_a_renegotiated_lower_bar_writes_a_new_agreement_version(intervention, coach, missed, agreement):
    step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                  renegotiation={**{name: getattr(agreement, name) for name in AGREEMENT_TERMS},
                                 "call_to_action": "Five catering enquiries a month",
                                 "renegotiation_reason": "A lower bar for the winter"}, **plan())
    latest = Agreement.objects.filter(engagement=agreement.engagement).order_by("-version").first()
    assert (latest.version, latest.call_to_action, latest.renegotiation_reason) == (
        2, "Five catering enquiries a month", "A lower bar for the winter")


def test_without_a_renegotiation_the_agreement_stays_as_it_was(intervention, coach, missed, agreement):
    step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed, **plan())
    assert Agreement.objects.filter(engagement=agreement.engagement).count() == 1


# --- Trimming ---------------------------------------------------------------------------------

def test_a_trimmed_commitment_needs_a_description(intervention, coach, missed):
    errors = refused(["description"], intervention=intervention, by=coach.user, mode="trim", source=missed,
                     description="   ", **plan(minutes_needed=30))
    assert errors["description"] == ["Describe the smaller action."]


def test_a_trimmed_commitment_as_long_as_the_missed_one_is_refused_with_a_suggestion(intervention, coach, missed):
    errors = refused(["minutes_needed"], intervention=intervention, by=coach.user, mode="trim", source=missed,
                     description="Email two planners", **plan(minutes_needed=90))
    assert errors["minutes_needed"] == [
        "A trimmed commitment must take less than the 90 minutes of the missed one; try 45."]
    (trimmed,) = step_new_goal(intervention=intervention, by=coach.user, mode="trim", source=missed,
                               description="  Email two planners ", **plan(minutes_needed=89))
    assert (trimmed.description, trimmed.minutes_needed, trimmed.derivation) == ("Email two planners", 89, "trimmed")
    assert InterventionStep.objects.get(step="new_goal").details["mode"] == "trim"


@pytest.mark.parametrize("missed_minutes, suggestion", [(90, 45), (21, 10), (15, 10), (11, 10), (10, 5), (3, 1),
                                                        (1, 1)])
def test_the_suggested_trim_is_half_but_never_below_ten_minutes_unless_the_task_was_shorter(
        missed_minutes, suggestion, engagement, coach):
    source = commitment_create(engagement=engagement, by=coach.user, description="Tidy the stockroom",
                               due_on=TODAY() - timedelta(days=1), minutes_needed=missed_minutes, has_tools=True)
    source = review_as(engagement, coach, source, "missed")
    opened = intervention_open(engagement=engagement, by=coach.user)
    errors = refused(["minutes_needed"], intervention=opened, by=coach.user, mode="trim", source=source,
                     description="Tidy one shelf", **plan(minutes_needed=missed_minutes))
    assert errors["minutes_needed"][0].endswith(f"; try {suggestion}.")


def test_a_missed_commitment_without_a_length_can_be_trimmed_to_any_length(engagement, coach):
    source = commitment_create(engagement=engagement, by=coach.user, description="Tidy the stockroom",
                               due_on=TODAY() - timedelta(days=1))
    source = review_as(engagement, coach, source, "missed")
    opened = intervention_open(engagement=engagement, by=coach.user)
    (trimmed,) = step_new_goal(intervention=opened, by=coach.user, mode="trim", source=source,
                               description="Tidy one shelf", **plan(minutes_needed=500))
    assert trimmed.minutes_needed == 500


def test_a_trimmed_commitment_is_due_before_the_next_meeting(intervention, engagement, coach, missed):
    next_on = timezone.localtime().replace(hour=10, minute=0) + timedelta(days=4)
    meeting_create(engagement=engagement, by=coach.user, status="planned", starts_at=next_on)
    meeting_create(engagement=engagement, by=coach.user, status="planned", starts_at=next_on + timedelta(days=14))
    errors = refused(["due_on"], intervention=intervention, by=coach.user, mode="trim", source=missed,
                     description="Email two planners",
                     **plan(minutes_needed=30, due_on=next_on.date() + timedelta(days=1)))
    assert errors["due_on"] == [f"Due before the next meeting on {next_on:%d %b %Y}."]
    (trimmed,) = step_new_goal(intervention=intervention, by=coach.user, mode="trim", source=missed,
                               description="Email two planners", **plan(minutes_needed=30, due_on=next_on.date()))
    assert trimmed.due_on == next_on.date()


def test_a_reinstated_commitment_may_fall_due_after_the_next_meeting(intervention, engagement, coach, missed):
    next_on = timezone.now() + timedelta(days=4)
    meeting_create(engagement=engagement, by=coach.user, status="planned", starts_at=next_on)
    (again,) = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                             **plan(due_on=next_on.date() + timedelta(days=3)))
    assert again.due_on > next_on.date()


def cancelled(engagement, coach, starts_at):
    meeting = meeting_create(engagement=engagement, by=coach.user, status="planned", starts_at=starts_at)
    return meeting_update(meeting=meeting, by=coach.user, status="cancelled")


def test_a_cancelled_or_overdue_meeting_does_not_bound_a_trim(intervention, engagement, coach, missed):
    cancelled(engagement, coach, timezone.now() + timedelta(days=1))
    meeting_create(engagement=engagement, by=coach.user, status="planned",
                   starts_at=timezone.now() - timedelta(hours=2))
    due = TODAY() + timedelta(days=5)
    (trimmed,) = step_new_goal(intervention=intervention, by=coach.user, mode="trim", source=missed,
                               description="Email two planners", **plan(minutes_needed=30, due_on=due))
    assert trimmed.due_on == due


# --- Reaffirm, file review, final review --------------------------------------------------------

def test_an_unknown_reaffirm_response_is_refused(intervention, coach):
    with pytest.raises(ValidationError) as exc:
        step_reaffirm(intervention=intervention, by=coach.user, response="maybe")
    assert exc.value.message_dict == {"response": ["Choose: recommits, wants to renegotiate, or declines."]}
    assert not InterventionStep.objects.exists()


def test_a_blank_work_request_is_not_recorded_as_one(intervention, coach):
    step = step_reaffirm(intervention=intervention, by=coach.user, response="declines", work_request="   ")
    assert step.details == {"response": "declines"}
    assert step.note == ""  # none was written


def test_a_request_that_the_coach_do_the_work_is_written_down_and_declined(intervention, coach):
    step = step_reaffirm(intervention=intervention, by=coach.user, response="recommits",
                         work_request="  Could you write the emails?  ")
    assert step.details == {"response": "recommits", "work_request": "Could you write the emails?",
                            "work_request_declined": True}


@pytest.mark.parametrize("count", [0, 53, "3", None, 2.0])
def test_a_file_review_covers_one_to_52_meetings(count, intervention, coach):
    with pytest.raises(ValidationError) as exc:
        step_review_file(intervention=intervention, by=coach.user, meetings_count=count)
    assert exc.value.message_dict == {"meetings_count": ["Choose how many recent meetings to review: 1 to 52."]}


def test_a_file_review_of_52_meetings_is_allowed(intervention, coach):
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=52)
    assert review.meetings_count == 52


def test_a_file_review_needs_a_meeting_that_took_place(engagement, coach):
    opened = intervention_open(engagement=engagement, by=coach.user)
    meeting_create(engagement=engagement, by=coach.user, status="planned", starts_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        step_review_file(intervention=opened, by=coach.user, meetings_count=3)
    assert exc.value.message_dict == {"meetings_count": ["There are no held or missed meetings to review yet."]}
    assert not InterventionStep.objects.exists()


def test_a_file_review_lists_the_latest_held_and_missed_meetings_newest_first(intervention, engagement, coach):
    now = timezone.now()
    no_show = meeting_create(engagement=engagement, by=coach.user, status="no_show", starts_at=now - timedelta(days=3))
    cancelled(engagement, coach, now - timedelta(days=2))
    meeting_create(engagement=engagement, by=coach.user, status="planned", starts_at=now + timedelta(days=2))
    held = list(Meeting.objects.filter(engagement=engagement, status="held").order_by("-starts_at"))
    review, step = step_review_file(intervention=intervention, by=coach.user, meetings_count=2,
                                    client_reaction="  Fair enough  ")
    assert review.meeting_uids == [str(held[0].uid), str(no_show.uid)]
    assert (review.meetings_count, review.client_reaction, review.engagement) == (2, "Fair enough", engagement)
    assert review.shown_at is not None and review.shared_at is None
    assert step.details == {"meetings_count": 2, "reaction": "Fair enough"}


def test_a_file_review_shared_at_once_is_in_the_portal_and_sharing_again_changes_nothing(intervention, coach):
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=1, share_with_client=True)
    assert review.shared_at == review.shown_at
    assert list(FileReview.objects.filter(shared_at__isnull=False)) == [review]
    count = Event.objects.count()
    assert file_review_share(file_review=review, by=coach.user).shared_at == review.shared_at
    assert Event.objects.count() == count


def test_sharing_a_file_review_later_puts_it_in_the_portal(intervention, coach):
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=1)
    shared = file_review_share(file_review=review, by=coach.user)
    review.refresh_from_db()
    assert shared.shared_at is not None and review.shared_at == shared.shared_at
    assert Event.objects.filter(action="file_review.shared").count() == 1


@pytest.mark.parametrize("outcome", ["recovered", "", None])
def test_an_unknown_final_outcome_is_refused(outcome, intervention, coach):
    with pytest.raises(ValidationError) as exc:
        step_final_review(intervention=intervention, by=coach.user, outcome=outcome)
    assert exc.value.message_dict == {"outcome": ["Choose: back on track, pause, end, or refer."]}


def test_a_pause_without_a_check_back_date_is_refused(intervention, coach, engagement):
    with pytest.raises(ValidationError) as exc:
        step_final_review(intervention=intervention, by=coach.user, outcome="pause")
    assert exc.value.message_dict == {"check_back_on": ["A pause needs a check-back date."]}
    engagement.refresh_from_db()
    assert engagement.state == "active" and not InterventionStep.objects.exists()


@pytest.mark.parametrize("outcome, closed_as, state", [
    ("pause", "paused", "paused"),
    ("end", "ended", "ended"),
    ("refer", "referred", "active"),
    ("back_on_track", "back_on_track", "active"),
])
def test_the_final_review_closes_the_intervention_and_moves_the_engagement(outcome, closed_as, state,
                                                                            intervention, coach, engagement):
    back = TODAY() + timedelta(days=90)
    closed = step_final_review(intervention=intervention, by=coach.user, outcome=outcome,
                               check_back_on=back if outcome == "pause" else None)
    engagement.refresh_from_db()
    closed.refresh_from_db()
    assert (closed.outcome, closed.closed_at is not None, engagement.state) == (closed_as, True, state)
    assert engagement.check_back_on == (back if outcome == "pause" else None)
    step = InterventionStep.objects.get(step="final_review")
    assert step.details == {"outcome": outcome, "check_back_on": back.isoformat() if outcome == "pause" else None}


def test_a_closed_intervention_takes_no_more_steps(intervention, coach):
    step_final_review(intervention=intervention, by=coach.user, outcome="back_on_track")
    with pytest.raises(ValidationError, match="This intervention is closed"):
        step_reaffirm(intervention=intervention, by=coach.user, response="recommits")


# --- Opening and amending the focus ----------------------------------------------------------

def test_an_intervention_cannot_be_opened_on_a_paused_engagement(engagement, coach):
    from followthrough.clients.services import engagement_pause

    engagement_pause(engagement=engagement, until=TODAY() + timedelta(days=30), by=coach.user)
    with pytest.raises(ValidationError):
        intervention_open(engagement=engagement, by=coach.user)
    assert not Intervention.objects.exists()


def test_an_intervention_opened_from_a_flag_keeps_its_evidence(engagement, coach):
    class Flag:
        uid = "0195f0a2-0000-7000-8000-0000000000aa"
        evidence = {"meetings": ["m1", "m2", "m3"]}

    opened = intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive", flag=Flag())
    opened.refresh_from_db()
    assert (opened.trigger, opened.flag_uid, opened.trigger_evidence) == (
        "nonproductive", Flag.uid, {"meetings": ["m1", "m2", "m3"]})
    assert opened.opened_by == coach.user and opened.closed_at is None


def test_an_intervention_opened_by_hand_has_no_flag(engagement, coach):
    opened = intervention_open(engagement=engagement, by=coach.user)
    assert (opened.trigger, opened.flag_uid, opened.trigger_evidence) == ("manual", "", {})


def test_the_focus_is_amended_only_to_a_specialty_of_the_coach(engagement, coach, focus, agreement):
    opened = intervention_open(engagement=engagement, by=coach.user, trigger="drift")
    with pytest.raises(ValidationError) as exc:
        step_amend_focus(intervention=opened, by=coach.user, focus_area=focus["relationships"], reason="Moved on")
    assert "refer the client to an associate instead" in exc.value.message_dict["focus_area"][0]
    assert Agreement.objects.count() == 1


def test_amending_the_focus_writes_a_new_version_and_closes_the_intervention(engagement, coach, focus, agreement):
    from followthrough.practice.services import coach_update

    coach_update(coach=coach, by=None, specialties=[focus["business"], focus["career"]])
    opened = intervention_open(engagement=engagement, by=coach.user, trigger="drift")
    with pytest.raises(ValidationError) as exc:
        step_amend_focus(intervention=opened, by=coach.user, focus_area=focus["business"], reason="Same")
    assert exc.value.message_dict == {"focus_area": ["The agreement already has this focus."]}
    with pytest.raises(ValidationError) as exc:
        step_amend_focus(intervention=opened, by=coach.user, focus_area=focus["career"], reason="  ")
    assert exc.value.message_dict == {"reason": ["Say why the focus changes, in the client's terms."]}
    new = step_amend_focus(intervention=opened, by=coach.user, focus_area=focus["career"],
                           reason="The bakery is sold; a new job now")
    assert (new.version, new.primary_focus, new.call_to_action) == (2, focus["career"], agreement.call_to_action)
    opened.refresh_from_db()
    assert opened.outcome == "amended" and opened.closed_at is not None
    step = InterventionStep.objects.get(step="refer")
    assert step.details == {"choice": "amend", "focus_area": "career", "agreement_version": 2}


def test_a_focus_cannot_be_amended_without_an_agreement(engagement, coach, focus):
    from followthrough.practice.services import coach_update

    coach_update(coach=coach, by=None, specialties=[focus["business"], focus["career"]])
    opened = intervention_open(engagement=engagement, by=coach.user, trigger="drift")
    with pytest.raises(ValidationError, match="no agreement to amend"):
        step_amend_focus(intervention=opened, by=coach.user, focus_area=focus["career"], reason="New job")


# --- Recovery ---------------------------------------------------------------------------------

def at(intervention, days):
    return intervention.opened_at + timedelta(days=days)


def test_recovery_is_judged_on_the_latest_meetings(intervention, engagement):
    assert intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, 1), 1.0), (at(intervention, 8), 1.0), (at(intervention, 15), 0.2)]) is None
    closed = intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, 1), 0.2), (at(intervention, 8), 1.0), (at(intervention, 15), 0.75)])
    assert closed.outcome == "recovered" and closed.closed_at is not None


def test_meetings_from_before_the_intervention_do_not_count_towards_recovery(intervention, engagement):
    assert intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, -7), 1.0), (at(intervention, 1), 1.0)]) is None
    assert Intervention.objects.get().closed_at is None


def test_a_meeting_at_the_very_moment_the_intervention_opened_counts(intervention, engagement):
    closed = intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, 0), 1.0), (at(intervention, 7), 1.0)])
    assert closed.outcome == "recovered"


def test_follow_through_exactly_at_the_threshold_counts_as_recovered(intervention, engagement):
    closed = intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, 1), 0.5), (at(intervention, 7), 0.5)])
    assert closed.outcome == "recovered"


def test_meetings_where_nothing_was_due_are_skipped(intervention, engagement):
    assert intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, 1), 1.0), (at(intervention, 7), None)]) is None
    closed = intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=2,
        figures=[(at(intervention, 1), 1.0), (at(intervention, 7), None), (at(intervention, 14), 0.9)])
    assert closed.outcome == "recovered"


def test_one_good_meeting_is_enough_when_the_practice_asks_for_one(intervention, engagement):
    assert intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=1, figures=[]) is None
    closed = intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=1, figures=[(at(intervention, 1), 0.6)])
    assert closed.outcome == "recovered"


def test_recovery_needing_no_meetings_closes_nothing(intervention, engagement):
    assert intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=0, figures=[(at(intervention, 1), 1.0)]) is None
    assert Intervention.objects.get().closed_at is None


def test_without_an_open_intervention_recovery_closes_nothing(engagement):
    assert intervention_close_if_recovered(
        engagement=engagement, threshold=0.5, meetings_needed=1,
        figures=[(timezone.now(), 1.0)]) is None


def test_the_client_keeping_their_commitments_for_two_meetings_after_the_new_goal_closes_it_as_recovered(
        story, coach, engagement):
    story.held(["missed"])
    story.held(["missed"])
    story.held(["missed"])
    opened = intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")
    story.held(["kept"])
    assert recovery_check(engagement) is None
    story.held(["kept"])
    closed = recovery_check(engagement)
    assert closed is not None and closed.pk == opened.pk and closed.outcome == "recovered"


def test_two_good_meetings_before_the_intervention_do_not_close_it(story, coach, engagement):
    story.held(["kept"])
    story.held(["kept"])
    intervention_open(engagement=engagement, by=coach.user)
    story.held(["kept"])
    assert recovery_check(engagement) is None


def test_a_coachs_own_threshold_wins_over_the_practices(story, coach, engagement, practice):
    practice_thresholds_set(practice=practice, by=None, followthrough_below=0.5)
    coach_thresholds_set(coach=coach, by=None, followthrough_below=0.9)
    story.held(["missed"])
    intervention_open(engagement=engagement, by=coach.user)
    story.held([0.75])
    story.held([0.75])
    assert recovery_check(engagement) is None  # 75 % meets the practice's bar, not this coach's


def test_a_coachs_own_lower_threshold_wins_over_the_practices(story, coach, engagement, practice):
    practice_thresholds_set(practice=practice, by=None, followthrough_below=0.9)
    coach_thresholds_set(coach=coach, by=None, followthrough_below=0.5)
    story.held(["missed"])
    intervention_open(engagement=engagement, by=coach.user)
    story.held([0.75])
    story.held([0.75])
    assert recovery_check(engagement).outcome == "recovered"


# --- More edges: suggestions, races, who closed it, and the moves' notes -----------------------

@pytest.mark.parametrize("minutes", [None, 0])
def test_a_missed_commitment_of_unknown_length_suggests_a_ten_minute_trim(minutes):
    from followthrough.protocol.services import trimmed_minutes_suggestion

    assert trimmed_minutes_suggestion(minutes) == 10


def test_a_plan_for_this_very_moment_is_not_in_the_future(intervention, coach, missed, monkeypatch):
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    errors = refused(["planned_at"], intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                     **plan(planned_at=frozen))
    assert errors["planned_at"] == ["The planned day and time must be in the future."]


def test_a_preparation_commitment_needs_no_tools_of_its_own(intervention, coach, missed):
    prep, _ = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                            **plan(has_tools=False, tools_needed="stamps"))
    assert (prep.tools_needed, prep.has_tools, prep.planned_at) == ("", True, None)


def test_a_renegotiation_without_a_reason_is_refused_and_nothing_is_saved(intervention, coach, missed, agreement):
    terms = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
    before = counts()
    with pytest.raises(ValidationError) as exc:
        step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                      renegotiation={**terms, "call_to_action": "Five enquiries"}, **plan())
    assert "renegotiation_reason" in exc.value.message_dict
    assert counts() == before


def test_two_coaches_opening_an_intervention_at_once_are_told_to_continue_the_first(engagement, coach, monkeypatch):
    from followthrough.protocol import models as protocol_models

    intervention_open(engagement=engagement, by=coach.user)
    # The second request made its checks before the first one's row existed (both the service's
    # and the model's own); the database's unique constraint still refuses it, in the same words.
    monkeypatch.setattr(protocol_models.InterventionQuerySet, "open", lambda self: self.none())
    monkeypatch.setattr(protocol_models.Intervention, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as exc:
        intervention_open(engagement=engagement, by=coach.user)
    assert exc.value.messages == ["This engagement already has an open intervention; continue that one."]
    assert Intervention.objects.count() == 1


def test_opening_on_an_ended_engagement_says_why(engagement, coach):
    from followthrough.clients.services import engagement_end

    engagement_end(engagement=engagement, by=coach.user)
    with pytest.raises(ValidationError) as exc:
        intervention_open(engagement=engagement, by=coach.user)
    assert exc.value.messages == ["This engagement is ended; opening an intervention needs an active engagement."]


def test_the_second_open_intervention_is_refused_in_words(intervention, engagement, coach):
    with pytest.raises(ValidationError) as exc:
        intervention_open(engagement=engagement, by=coach.user)
    assert exc.value.messages == ["This engagement already has an open intervention; continue that one."]


@pytest.mark.parametrize("outcome, note", [("pause", "Final review: pause"), ("end", "Final review: end")])
def test_the_final_reviews_move_is_recorded_with_its_reason_and_by_whom(outcome, note, intervention, coach,
                                                                       engagement):
    step_final_review(intervention=intervention, by=coach.user, outcome=outcome,
                      check_back_on=TODAY() + timedelta(days=30) if outcome == "pause" else None,
                      note="  Talked it through  ")
    move = engagement.transitions.order_by("-at").first()
    assert (move.note, move.by) == (note, coach.user)
    closing = Event.objects.filter(action="intervention.closed").get()
    assert closing.actor == coach.user
    step = InterventionStep.objects.get(step="final_review")
    assert (step.note, step.by) == ("Talked it through", coach.user)


def test_each_step_is_logged_as_done_by_the_coach(intervention, coach):
    step_reaffirm(intervention=intervention, by=coach.user, response="recommits")
    logged = Event.objects.filter(action__in=["intervention.step.reaffirm", "intervention.moved"])
    assert sorted(e.action for e in logged) == ["intervention.moved", "intervention.step.reaffirm"]
    assert {e.actor for e in logged} == {coach.user}


def test_recovery_closes_as_done_by_the_system_unless_someone_is_named(intervention, engagement, coach):
    intervention_close_if_recovered(engagement=engagement, threshold=0.5, meetings_needed=1,
                                    figures=[(at(intervention, 1), 1.0)])
    closing = Event.objects.filter(action="intervention.closed").get()
    assert (closing.actor, closing.actor_label) == (None, "system")


def test_a_file_review_never_lists_another_clients_meetings(intervention, engagement, coach):
    other = client_create(coach=coach, by=coach.user, full_name="Dee Hart").engagements.get()
    theirs = meeting_create(engagement=other, by=coach.user, status="held", starts_at=timezone.now(),
                            focus_areas=on_focus(other))
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=52)
    own = Meeting.objects.filter(engagement=engagement, status="held")
    assert str(theirs.uid) not in review.meeting_uids
    assert sorted(review.meeting_uids) == sorted(str(m.uid) for m in own)
