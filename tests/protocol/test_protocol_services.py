"""The protocol's rules, through its services: the same rules the pages and the API use."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.services import engagement_move, engagement_reengage
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.history.models import Event
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.services import meeting_create
from followthrough.practice.services import coach_create
from followthrough.protocol.letters import blame_words_in, letter_draft, letter_send, letter_update
from followthrough.protocol.models import Intervention, InterventionStep, Notification
from followthrough.protocol.referrals import (
    referral_accept,
    referral_candidates,
    referral_complete,
    referral_offer,
    referral_record_consent,
)
from followthrough.protocol.services import (
    intervention_close_if_recovered,
    intervention_open,
    step_final_review,
    step_new_goal,
    step_reaffirm,
    step_review_file,
)
from tests.conftest import PASSWORD


@pytest.fixture
def missed(engagement, commitment, coach):
    meeting = meeting_create(engagement=engagement, focus_areas=on_focus(engagement),
                             by=coach.user, status="held", starts_at=timezone.now())
    meeting_review(meeting=meeting, by=coach.user, review=MeetingReview(
        reviews=[Review(commitment, "missed", None, "Busy with the move")]))
    commitment.refresh_from_db()
    return commitment


@pytest.fixture
def intervention(engagement, coach, missed):
    return intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")


def plan(**overrides):
    values = {"planned_at": timezone.now() + timedelta(days=2), "minutes_needed": 60, "has_tools": True,
              "tools_needed": "", "due_on": date.today() + timedelta(days=5)}
    values.update(overrides)
    return values


def test_recommendation_moves_on_with_each_step(intervention, coach, missed):
    assert intervention.recommended_step()[0] == "reaffirm"
    step_reaffirm(intervention=intervention, by=coach.user, response="recommits",
                  work_request="Could you write the emails for me?")
    assert intervention.recommended_step()[0] == "review_file"
    step_review_file(intervention=intervention, by=coach.user, meetings_count=3, client_reaction="Fair enough")
    assert intervention.recommended_step()[0] == "new_goal"
    step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed, **plan())
    assert intervention.recommended_step()[0] == "final_review"
    steps = list(InterventionStep.objects.filter(intervention=intervention).values_list("step", flat=True))
    assert steps == ["reaffirm", "review_file", "new_goal"]
    reaffirm = InterventionStep.objects.get(step="reaffirm")
    assert reaffirm.details["work_request_declined"] is True


def test_an_illegal_move_says_what_is_allowed(intervention, coach):
    step_reaffirm(intervention=intervention, by=coach.user, response="recommits")
    step_review_file(intervention=intervention, by=coach.user, meetings_count=2)
    with pytest.raises(ValidationError) as exc:
        step_reaffirm(intervention=intervention, by=coach.user, response="recommits")
    assert "next step can be: refer, set a new goal, final review" in str(exc.value)


def test_drift_recommends_referral_first(engagement, coach):
    drift = intervention_open(engagement=engagement, by=coach.user, trigger="drift")
    assert drift.recommended_step()[0] == "refer"


def test_only_one_open_intervention_per_engagement(intervention, engagement, coach):
    with pytest.raises(ValidationError, match="already has an open intervention"):
        intervention_open(engagement=engagement, by=coach.user)


@pytest.mark.parametrize("missing", ["planned_at", "minutes_needed", "has_tools"])
def test_reinstating_without_the_plan_is_refused_and_saves_nothing(intervention, coach, missed, missing):
    before = (Event.objects.count(), Commitment.objects.count())
    with pytest.raises(ValidationError) as exc:
        step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                      **plan(**{missing: None}))
    assert missing in exc.value.message_dict
    assert (Event.objects.count(), Commitment.objects.count()) == before
    assert not InterventionStep.objects.exists()


def test_a_missing_tool_becomes_its_own_preparation_commitment(intervention, coach, missed):
    prep, again = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                                **plan(has_tools=False, tools_needed="a list of wedding planners"))
    assert (prep.derivation, again.derivation) == ("preparation", "reinstated")
    assert prep.due_on <= again.due_on and "wedding planners" in prep.description
    assert again.derived_from == missed


def test_a_trimmed_commitment_must_be_smaller(intervention, coach, missed):
    with pytest.raises(ValidationError) as exc:
        step_new_goal(intervention=intervention, by=coach.user, mode="trim", source=missed,
                      description="Email two planners", **plan(minutes_needed=90))
    assert "try 45" in exc.value.message_dict["minutes_needed"][0]
    (trimmed,) = step_new_goal(intervention=intervention, by=coach.user, mode="trim", source=missed,
                               description="Email two planners", **plan(minutes_needed=45))
    assert trimmed.derivation == "trimmed" and trimmed.minutes_needed < missed.minutes_needed


def test_final_review_pause_then_re_engage(intervention, engagement, coach, client_record):
    step_final_review(intervention=intervention, by=coach.user, outcome="pause",
                      check_back_on=date.today() + timedelta(days=120))
    engagement.refresh_from_db()
    intervention.refresh_from_db()
    assert engagement.state == "paused" and intervention.outcome == "paused"
    letter = letter_draft(engagement=engagement, intervention=intervention, by=coach.user, kind="pause")
    assert blame_words_in(letter.body) == []
    assert "write to me" in letter.body  # how to come back
    assert "7 years" in letter.body
    fresh = engagement_reengage(previous=engagement, by=coach.user)
    assert fresh.previous == engagement


def test_recovery_closes_the_intervention(intervention, engagement):
    later = intervention.opened_at + timedelta(days=1)
    assert intervention_close_if_recovered(engagement=engagement, figures=[(later, 1.0)], threshold=0.5,
                                           meetings_needed=2) is None
    closed = intervention_close_if_recovered(
        engagement=engagement, figures=[(later, 1.0), (later + timedelta(days=7), 0.5)], threshold=0.5,
        meetings_needed=2)
    assert closed.outcome == "recovered"


def test_letters_are_editable_until_sent_then_kept(intervention, engagement, coach):
    step_reaffirm(intervention=intervention, by=coach.user, response="renegotiate")
    letter = letter_draft(engagement=engagement, intervention=intervention, by=coach.user, kind="reaffirmation")
    letter_update(letter=letter, by=coach.user, subject="Our agreement", body=letter.body + "\nP.S. See you soon.")
    letter_send(letter=letter, by=coach.user)
    assert mail.outbox[-1].to == ["bob@example.org"]
    assert mail.outbox[-1].alternatives[0][1] == "text/html"
    with pytest.raises(ValidationError, match="kept as it was sent"):
        letter_update(letter=letter, by=coach.user, subject="x", body="y")


@pytest.mark.parametrize("kind", ["pause", "ending", "back_on_track", "new_goal"])
def test_letters_use_no_blame_words(kind, engagement, coach, agreement):
    letter = letter_draft(engagement=engagement, by=coach.user, kind=kind)
    assert letter.body.strip() and blame_words_in(letter.body) == []


def test_referral_round_trip(engagement, coach, colleague, focus, practice):
    busy = coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                        password=PASSWORD, specialties=[focus["relationships"]], accepts_referrals=False)
    ranked = referral_candidates(engagement=engagement, focus_area=focus["relationships"])
    assert [c.display_name for c in ranked] == ["Cara Lind", "Rita Moss"]
    assert busy.pk == ranked[1].pk
    drift = intervention_open(engagement=engagement, by=coach.user, trigger="drift")
    referral = referral_offer(engagement=engagement, by=coach.user, to_coach=colleague,
                              focus_area=focus["relationships"], intervention=drift)
    referral_record_consent(referral=referral, by=coach.user, shares_agreement=True, shares_summaries=False,
                            shares_commitments=False, consent_note="Agreed in our meeting today")
    referral_accept(referral=referral, by=colleague.user)
    engagement.refresh_from_db()
    drift.refresh_from_db()
    assert engagement.state == "referred_out" and drift.outcome == "referred"
    assert referral.associate_engagement.coach == colleague
    referral_complete(referral=referral, by=colleague.user, note="Relationship work done")
    note = Notification.objects.filter(coach=coach).first()
    assert "may come back" in note.text
    assert any("may come back" in m.subject for m in mail.outbox)
    engagement_move(engagement=engagement, to_state="active", by=coach.user, note="Back for the business")
    assert verify_chain() is None and verify_records() == []


def test_referral_to_a_coach_not_accepting_is_refused(engagement, coach, practice, focus):
    busy = coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                        password=PASSWORD, accepts_referrals=False)
    with pytest.raises(ValidationError, match="does not accept referrals"):
        referral_offer(engagement=engagement, by=coach.user, to_coach=busy, focus_area=focus["relationships"])


def test_partial_credit_survives_in_file_review_letter(intervention, engagement, coach, missed):
    step_reaffirm(intervention=intervention, by=coach.user, response="recommits")
    step_review_file(intervention=intervention, by=coach.user, meetings_count=5)
    letter = letter_draft(engagement=engagement, intervention=intervention, by=coach.user, kind="file_review")
    assert "Email five wedding planners: missed" in letter.body
    assert "1 not done" in letter.body
    assert Intervention.objects.get().last_step == "review_file"
