"""A state machine over a whole coaching relationship, driven through the services and the
API alike: meetings held and planned, reviews, the client's own reports, interventions,
pauses (keeping planned meetings or not), referrals out, resumes, endings, re-engagements,
scans and reminder planning.

After every step: an engagement that is not active has no open flag, no pending reminder,
no open intervention, no planned meeting unless a pause kept them on purpose, and no open
commitment; no meeting that took place is in the future; every follow-through figure
equals a plain recomputation from the commitments; the history verifies.
"""

import json
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule, run_state_machine_as_test
from machine_helpers import RolledBackMachine
from meeting_helpers import on_focus

from followthrough.accounts.tokens import api_token_create
from followthrough.clients.models import Engagement
from followthrough.clients.services import (
    agreement_create,
    client_create,
    client_link_account,
    engagement_move,
    engagement_reengage,
)
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, commitment_client_report, meeting_review
from followthrough.engine.metrics import engagement_followthrough
from followthrough.engine.models import Flag
from followthrough.engine.services import scan_pass
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.models import Meeting
from followthrough.meetings.services import meeting_create
from followthrough.notifications.models import Reminder
from followthrough.notifications.schedule import reconcile
from followthrough.protocol.services import intervention_open

User = get_user_model()
OUTCOMES = st.sampled_from(["kept", "missed", "missed", "waived", "partly_kept"])
DOORS = st.sampled_from(["service", "api"])


def credit(commitment):
    if commitment.outcome == "kept":
        return Fraction(1)
    if commitment.outcome == "partly_kept":
        return Fraction(commitment.kept_fraction)
    return Fraction(0)


class RelationshipMachine(RolledBackMachine):
    coach = None


    def _set_up(self):
        coach = self.coach
        self.client = client_create(coach=coach, by=coach.user, full_name="Sam Field", email="sam@example.org",
                                    started_on=date.today() - timedelta(days=400))
        self.engagement = self.client.engagements.get()
        self.client_user = User.objects.create_user("sam", "sam@example.org", "a long pass phrase")
        client_link_account(client=self.client, user=self.client_user, by=None)
        self._agree(self.engagement)
        self.next_held = timezone.now() - timedelta(days=300)
        self.step = timedelta(days=7)
        self.kept_planned = set()
        self.http = Client()
        self.token = api_token_create(coach=coach, name="machine", by=coach.user)[1]


    def _agree(self, engagement):
        agreement_create(engagement=engagement, by=self.coach.user, came_for="A steadier business",
                         primary_focus=on_focus(engagement)[0], meeting_cadence="Weekly",
                         call_to_action="Five calls a week")

    def _api(self, method, path, payload):
        response = getattr(self.http, method)(f"/api/{path}", json.dumps(payload, default=str),
                                              content_type="application/json",
                                              headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code < 500, response.content
        return response

    @property
    def active(self):
        self.engagement.refresh_from_db()
        return self.engagement.state == Engagement.State.ACTIVE

    # Rules ----------------------------------------------------------------------------

    @precondition(lambda self: self.active)
    @rule(outcomes=st.lists(OUTCOMES, max_size=3), new=st.integers(0, 2), door=DOORS)
    def hold_a_meeting(self, outcomes, new, door):
        starts_at = self.next_held
        self.next_held += self.step
        due = list(Commitment.objects.filter(engagement=self.engagement, outcome="open",
                                             due_on__lte=starts_at.date()).order_by("due_on", "pk"))
        fresh = [{"description": f"Task {n}", "due_on": (starts_at + timedelta(days=5)).date(), "minutes_needed": 30}
                 for n in range(new)]
        pairs = list(zip(due, outcomes, strict=False))
        if door == "service":
            meeting = meeting_create(engagement=self.engagement, by=self.coach.user, status="held",
                                     starts_at=starts_at, focus_areas=on_focus(self.engagement))
            meeting_review(meeting=meeting, by=self.coach.user, review=MeetingReview(
                reviews=[Review(c, o, Decimal("0.5") if o == "partly_kept" else None,
                                "In hospital" if o == "waived" else "") for c, o in pairs],
                new_commitments=fresh))
            return
        made = self._api("post", f"engagements/{self.engagement.uid}/meetings", {
            "status": "held", "starts_at": starts_at.isoformat(), "focus_areas": ["business"]})
        assert made.status_code == 201, made.content
        reviewed = self._api("post", f"meetings/{made.json()['uid']}/review", {
            "reviews": [{"commitment": str(c.uid), "outcome": o,
                         **({"kept_fraction": "0.5"} if o == "partly_kept" else {}),
                         **({"client_reason": "In hospital"} if o == "waived" else {})} for c, o in pairs],
            "new_commitments": fresh})
        assert reviewed.status_code == 200, reviewed.content

    @precondition(lambda self: self.active)
    @rule(days=st.integers(1, 20))
    def plan_a_meeting(self, days):
        meeting_create(engagement=self.engagement, by=self.coach.user, starts_at=timezone.now() + timedelta(days=days),
                       focus_areas=on_focus(self.engagement))

    @precondition(lambda self: self.active)
    @rule()
    def the_client_reports_one_done(self):
        commitment = Commitment.objects.filter(engagement=self.engagement, outcome="open",
                                               client_reported_done_at=None).first()
        if commitment is not None:
            commitment_client_report(commitment=commitment, by=self.client_user, note="Done it")

    @precondition(lambda self: self.active and not self.engagement.interventions.open().exists())
    @rule()
    def open_an_intervention(self):
        intervention_open(engagement=self.engagement, by=self.coach.user)

    @precondition(lambda self: self.active)
    @rule(keep=st.booleans(), door=DOORS)
    def pause(self, keep, door):
        until = self.coach.practice.today() + timedelta(days=30)
        if door == "service":
            engagement_move(engagement=self.engagement, to_state="paused", by=self.coach.user,
                            check_back_on=until, keep_planned_meetings=keep)
        else:
            response = self._api("post", f"engagements/{self.engagement.uid}/moves", {
                "to_state": "paused", "check_back_on": until, "keep_planned_meetings": keep})
            assert response.status_code == 200, response.content
        if keep:
            self.kept_planned |= set(self.engagement.meetings.filter(status="planned").values_list("pk", flat=True))

    @precondition(lambda self: self.active)
    @rule()
    def refer_out(self):
        engagement_move(engagement=self.engagement, to_state="referred_out", by=self.coach.user, note="To Cara")

    @precondition(lambda self: not self.active and self.engagement.state != "ended")
    @rule()
    def resume(self):
        engagement_move(engagement=self.engagement, to_state="active", by=self.coach.user)
        self.kept_planned.clear()

    @precondition(lambda self: self.engagement.state != "ended")
    @rule(door=DOORS)
    def end(self, door):
        if door == "service":
            engagement_move(engagement=self.engagement, to_state="ended", by=self.coach.user, confirmed=True)
        else:
            refused = self._api("post", f"engagements/{self.engagement.uid}/moves", {"to_state": "ended"})
            assert refused.status_code == 422
            done = self._api("post", f"engagements/{self.engagement.uid}/moves", {"to_state": "ended",
                                                                                  "confirmed": True})
            assert done.status_code == 200, done.content
        self.kept_planned.clear()

    @precondition(lambda self: self.engagement.state in ("paused", "ended"))
    @rule()
    def re_engage(self):
        self.engagement = engagement_reengage(previous=self.engagement, by=self.coach.user)
        self.kept_planned.clear()
        # The new engagement starts today: its meetings are the last minutes before now.
        start_of_today = datetime.combine(self.coach.practice.today(), time(0, 1),
                                          zoneinfo.ZoneInfo(self.coach.practice.timezone))
        self.next_held = max(timezone.now() - timedelta(minutes=30), start_of_today)
        self.step = timedelta(seconds=20)

    @rule()
    def scan(self):
        scan_pass()

    @rule()
    def plan_reminders(self):
        reconcile()

    # Invariants -----------------------------------------------------------------------

    @invariant()
    def nothing_open_behind_a_stopped_engagement(self):
        for engagement in Engagement.objects.filter(client=self.client).exclude(state="active"):
            assert not Flag.objects.open().filter(engagement=engagement).exists()
            assert not engagement.interventions.open().exists()
            assert not Commitment.objects.filter(engagement=engagement, outcome="open").exists()
            assert not Reminder.objects.filter(commitment__engagement=engagement, sent_at=None,
                                               cancelled_at=None).exists()
            planned = set(engagement.meetings.filter(status="planned").values_list("pk", flat=True))
            assert planned <= (self.kept_planned if engagement == self.engagement else set())

    @invariant()
    def no_meeting_that_took_place_is_in_the_future(self):
        assert not Meeting.objects.filter(engagement__client=self.client, status__in=["held", "no_show"],
                                          starts_at__gt=timezone.now()).exists()

    @invariant()
    def every_figure_is_a_plain_recomputation(self):
        for engagement in Engagement.objects.filter(client=self.client):
            for figure in engagement_followthrough(engagement)["figures"]:
                counted = [c for c in Commitment.objects.filter(reviewed_in=figure.meeting)
                           if c.outcome in ("kept", "partly_kept", "missed")]
                assert Fraction(figure.figure) == sum(map(credit, counted)) / len(counted)

    @invariant()
    def the_history_verifies(self):
        assert verify_chain() is None and verify_records() == []


@pytest.mark.django_db
def test_a_relationship_never_leaves_anything_open_behind_it(coach):
    RelationshipMachine.coach = coach
    run_state_machine_as_test(RelationshipMachine, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
