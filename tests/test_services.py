"""Rules of the record that hold whichever door (page, API, command) a write comes through."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.models import Engagement, EngagementTransition
from followthrough.clients.services import (
    agreement_acknowledge,
    agreement_create,
    engagement_end,
    engagement_move,
    engagement_pause,
    engagement_reengage,
    goal_add,
)
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, commitment_create, meeting_review
from followthrough.history.models import Event
from followthrough.meetings.services import meeting_create, meeting_update


def next_meeting(engagement, coach, days_ago=0):
    return meeting_create(engagement=engagement, focus_areas=on_focus(engagement), by=coach.user, status="held",
                          starts_at=timezone.now() - timedelta(days=days_ago))


class TestEngagementPipeline:
    def test_each_move_writes_a_transition_row(self, engagement, coach):
        engagement_pause(engagement=engagement, until=date.today() + timedelta(days=30), by=coach.user,
                         note="Moving house")
        engagement_move(engagement=engagement, to_state="active", by=coach.user)
        moves = list(EngagementTransition.objects.filter(engagement=engagement)
                     .values_list("from_state", "to_state", "note"))
        assert moves == [("active", "paused", "Moving house"), ("paused", "active", "")]
        engagement.refresh_from_db()
        assert engagement.state == "active" and engagement.check_back_on is None

    def test_an_illegal_move_is_refused_with_what_is_allowed(self, engagement, coach):
        engagement_end(engagement=engagement, by=coach.user)
        with pytest.raises(ValidationError) as exc:
            engagement_move(engagement=engagement, to_state="active", by=coach.user)
        assert "re-engage the client as a new engagement" in str(exc.value)

    def test_a_pause_needs_a_future_check_back_date(self, engagement, coach):
        with pytest.raises(ValidationError) as exc:
            engagement_move(engagement=engagement, to_state="paused", by=coach.user)
        assert "check_back_on" in exc.value.message_dict
        with pytest.raises(ValidationError):
            engagement_pause(engagement=engagement, until=date.today(), by=coach.user)
        assert Engagement.objects.get(pk=engagement.pk).state == "active"

    def test_re_engaging_a_paused_client_links_a_new_engagement_and_keeps_the_agreement(
        self, engagement, agreement, coach
    ):
        engagement_pause(engagement=engagement, until=date.today() + timedelta(days=90), by=coach.user)
        fresh = engagement_reengage(previous=engagement, by=coach.user)
        engagement.refresh_from_db()
        assert fresh.previous == engagement and fresh.state == "active"
        assert engagement.state == "ended"
        carried = fresh.agreements.get()
        assert (carried.version, carried.came_for) == (1, agreement.came_for)
        assert [g.carried_from for g in carried.goals.all()] == list(agreement.goals.all())
        assert not carried.is_acknowledged


class TestAgreements:
    def test_renegotiation_is_a_new_version_and_needs_a_reason(self, engagement, agreement, coach, focus):
        terms = {"came_for": agreement.came_for, "primary_focus": focus["business"],
                 "meeting_cadence": "Weekly", "call_to_action": "Five enquiries a month"}
        with pytest.raises(ValidationError) as exc:
            agreement_create(engagement=engagement, by=coach.user, **terms)
        assert "renegotiation_reason" in exc.value.message_dict
        second = agreement_create(engagement=engagement, by=coach.user,
                                  renegotiation_reason="Lower the bar for now", **terms)
        assert second.version == 2
        assert [g.title for g in second.goals.all()] == ["Catering revenue"]
        agreement.refresh_from_db()
        assert agreement.call_to_action == "Ten catering enquiries a month"

    def test_acknowledgement_needs_the_clients_own_name_and_happens_once(self, agreement, coach):
        with pytest.raises(ValidationError) as exc:
            agreement_acknowledge(agreement=agreement, typed_name="Rob Stone", by=coach.user)
        assert "typed_name" in exc.value.message_dict
        agreement_acknowledge(agreement=agreement, typed_name="  bob   STONE ", by=coach.user)
        with pytest.raises(ValidationError, match="already acknowledged"):
            agreement_acknowledge(agreement=agreement, typed_name="Bob Stone", by=coach.user)

    def test_goals_of_an_acknowledged_version_change_only_by_renegotiation(self, agreement, coach):
        agreement_acknowledge(agreement=agreement, typed_name="Bob Stone", by=coach.user)
        with pytest.raises(ValidationError, match="renegotiate"):
            goal_add(agreement=agreement, by=coach.user, title="Another")

    def test_attainment_levels_need_the_expected_outcome(self, agreement, coach):
        with pytest.raises(ValidationError) as exc:
            goal_add(agreement=agreement, by=coach.user, title="Fitness", level_plus_2="Marathon")
        assert "level 0" in str(exc.value)


class TestReview:
    def test_review_records_outcomes_and_sets_the_next_commitments(self, engagement, commitment, coach):
        meeting = next_meeting(engagement, coach)
        created = meeting_review(meeting=meeting, by=coach.user, review=MeetingReview(
            reviews=[Review(commitment, "partly_kept", Decimal("0.4"), "Only two planners replied")],
            new_commitments=[{"description": "Call the two who replied", "due_on": date.today() + timedelta(days=7),
                              "minutes_needed": 30, "tools_needed": "", "has_tools": True}],
        ))
        commitment.refresh_from_db()
        assert (commitment.outcome, commitment.kept_fraction, commitment.reviewed_in) == (
            "partly_kept", Decimal("0.40"), meeting)
        assert [c.made_at for c in created] == [meeting]
        meeting.refresh_from_db()
        assert meeting.reviewed_at is not None

    def test_one_bad_row_saves_nothing(self, engagement, commitment, coach):
        meeting = next_meeting(engagement, coach)
        events = Event.objects.count()
        with pytest.raises(ValidationError) as exc:
            meeting_review(meeting=meeting, by=coach.user, review=MeetingReview(
                reviews=[Review(commitment, "kept")],
                new_commitments=[{"description": "", "due_on": date.today()}],
            ))
        assert "new-1-description" in exc.value.message_dict
        commitment.refresh_from_db()
        assert commitment.outcome == "open"
        assert Event.objects.count() == events
        assert Commitment.objects.count() == 1

    @pytest.mark.parametrize(("outcome", "fraction", "reason", "field"), [
        ("partly_kept", None, "", "kept_fraction"),
        ("partly_kept", Decimal("1.5"), "", "kept_fraction"),
        ("partly_kept", Decimal("0"), "", "kept_fraction"),
        ("waived", None, "", "client_reason"),
        ("open", None, "", "outcome"),
        ("finished", None, "", "outcome"),
    ])
    def test_bad_outcomes_name_the_field(self, engagement, commitment, coach, outcome, fraction, reason, field):
        meeting = next_meeting(engagement, coach)
        with pytest.raises(ValidationError) as exc:
            meeting_review(meeting=meeting, by=coach.user,
                           review=MeetingReview(reviews=[Review(commitment, outcome, fraction, reason)]))
        assert f"review-{commitment.uid}-{field}" in exc.value.message_dict

    def test_only_commitments_due_at_the_meeting_can_be_reviewed(self, engagement, coach, held_meeting):
        later = commitment_create(engagement=engagement, by=coach.user, description="Later",
                                  due_on=date.today() + timedelta(days=30))
        with pytest.raises(ValidationError, match="not due at this meeting"):
            meeting_review(meeting=next_meeting(engagement, coach), by=coach.user,
                           review=MeetingReview(reviews=[Review(later, "kept")]))

    def test_a_planned_meeting_is_not_reviewed_until_held(self, engagement, commitment, coach):
        planned = meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now(),
                                 focus_areas=on_focus(engagement))
        with pytest.raises(ValidationError, match="held meeting"):
            meeting_review(meeting=planned, by=coach.user, review=MeetingReview(reviews=[Review(commitment, "kept")]))
        meeting_update(meeting=planned, by=coach.user, status="held")
        meeting_review(meeting=planned, by=coach.user, review=MeetingReview(reviews=[Review(commitment, "kept")]))

    def test_a_held_meeting_cannot_become_planned_again(self, held_meeting, coach):
        with pytest.raises(ValidationError) as exc:
            meeting_update(meeting=held_meeting, by=coach.user, status="planned")
        assert "status" in exc.value.message_dict

    def test_a_reinstated_commitment_keeps_its_lineage(self, engagement, commitment, coach):
        again = commitment_create(engagement=engagement, by=coach.user, description=commitment.description,
                                  due_on=date.today() + timedelta(days=7), derived_from=commitment,
                                  derivation="reinstated")
        assert list(commitment.derived.all()) == [again]

    def test_no_writes_on_a_paused_engagement(self, engagement, coach):
        engagement_pause(engagement=engagement, until=date.today() + timedelta(days=9), by=coach.user)
        with pytest.raises(ValidationError, match="paused"):
            next_meeting(engagement, coach)
