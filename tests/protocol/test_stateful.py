"""A state machine over what a coach can do to an engagement's interventions, through the
pages: open, each step with good and bad data, close by recovery, reopen.

After every move: at most one intervention is open, steps only go forward in the
protocol's order, a closed intervention takes nothing more, and a move that succeeded
wrote exactly one step row and one event for it, while a refused one wrote nothing.
"""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule, run_state_machine_as_test
from machine_helpers import RolledBackMachine

from followthrough.clients.services import agreement_create, client_create, engagement_move
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.history.models import Event
from followthrough.meetings.services import meeting_create
from followthrough.protocol.models import Intervention, InterventionStep
from followthrough.protocol.services import intervention_close_if_recovered

ORDER = ["refer", "reaffirm", "review_file", "new_goal", "final_review"]


def allowed_after(last):
    """The protocol's order, written out independently of the model: forward only, and
    referring stays possible until the final review."""
    if last is None:
        return list(ORDER)
    later = ORDER[ORDER.index(last) + 1:]
    if "refer" not in later and last not in ("refer", "final_review"):
        later = ["refer", *later]
    return later


def url(name, *args):
    return reverse(f"protocol:{name}", args=args)


class ProtocolMachine(RolledBackMachine):
    coach = None  # set by the test, from the persona fixtures
    focus = None


    def _set_up(self):
        coach, focus = self.coach, self.focus
        client = client_create(coach=coach, by=coach.user, full_name="Sam Field", email="sam@example.org",
                               started_on=date.today() - timedelta(days=30))
        self.engagement = client.engagements.get()
        agreement_create(engagement=self.engagement, by=coach.user, came_for="A steadier business",
                         primary_focus=focus["business"], meeting_cadence="Weekly", call_to_action="Five calls")
        self.current_focus = "business"
        first = meeting_create(engagement=self.engagement, by=coach.user, status="held",
                               starts_at=timezone.now() - timedelta(days=14), focus_areas=[focus["business"]])
        meeting_review(meeting=first, by=coach.user, review=MeetingReview(new_commitments=[
            {"description": f"Call supplier {n}", "due_on": date.today() - timedelta(days=8), "minutes_needed": 40}
            for n in (1, 2)]))
        second = meeting_create(engagement=self.engagement, by=coach.user, status="held",
                                starts_at=timezone.now() - timedelta(days=7), focus_areas=[focus["business"]])
        meeting_review(meeting=second, by=coach.user, review=MeetingReview(
            reviews=[Review(c, "missed") for c in self.engagement.commitments.all()]))
        self.missed = list(self.engagement.commitments.filter(outcome="missed"))
        self.http = Client()
        self.http.force_login(coach.user)
        self.open_uid = None
        self.last_step = None
        self.latest_uid = None
        self.engagement_active = True
        self.ended = False


    # Helpers --------------------------------------------------------------------------

    def counts(self):
        return Event.objects.count(), InterventionStep.objects.count()

    def post_step(self, step, path, data, valid):
        target = self.open_uid or self.latest_uid
        before_events, before_steps = self.counts()
        response = self.http.post(path.format(uid=target), data)
        expected = valid and self.open_uid is not None and step in allowed_after(self.last_step)
        succeeded = response.status_code == 302
        assert response.status_code in (200, 302), response.status_code
        assert succeeded == expected, (step, data, self.last_step, response.status_code)
        if not succeeded:
            assert self.counts() == (before_events, before_steps), "a refused move wrote something"
            return False
        assert InterventionStep.objects.count() == before_steps + 1
        rows = InterventionStep.objects.filter(intervention__uid=target).order_by("-at", "-pk")
        assert rows.first().step == step
        row_uid = str(rows.first().uid)
        assert Event.objects.filter(action=f"intervention.step.{step}", object_uid=row_uid).count() == 1
        assert Event.objects.filter(action__startswith="intervention.step.",
                                    object_type="protocol.interventionstep").exclude(
            action="intervention.step.updated").count() == InterventionStep.objects.count()
        self.last_step = step
        return True

    # Rules ----------------------------------------------------------------------------

    @rule(trigger=st.sampled_from(["manual", "nonproductive", "drift", "no_shows"]))
    def open_intervention(self, trigger):
        before = Intervention.objects.count()
        response = self.http.post(url("intervention_open", self.engagement.uid), {"trigger": trigger})
        expected = self.open_uid is None and self.engagement_active
        assert (response.status_code == 302) == expected
        if expected:
            intervention = Intervention.objects.get(engagement=self.engagement, closed_at__isnull=True)
            self.open_uid = self.latest_uid = str(intervention.uid)
            self.last_step = None
        else:
            assert Intervention.objects.count() == before

    # One rule for all steps, so their weights can favour moving forward: closing moves are
    # rarer, or most runs would end after a move or two.
    @precondition(lambda self: self.latest_uid is not None)
    @rule(kind=st.sampled_from(["reaffirm"] * 3 + ["review_file"] * 3 + ["new_goal"] * 3
                               + ["final_review", "amend"]),
          valid=st.sampled_from([True, True, True, False]), variant=st.integers(0, 3))
    def take_step(self, kind, valid, variant):
        getattr(self, f"_{kind}")(valid, variant)

    def _reaffirm(self, valid, variant):
        data = {"response": "recommits" if valid else "shrugs",
                "work_request": "Could you make the calls?" if variant % 2 else ""}
        self.post_step("reaffirm", "/interventions/{uid}/steps/reaffirm/", data, valid)

    def _review_file(self, valid, variant):
        # Refused: no meetings chosen, or not gone through with the client.
        data = {"meetings_count": variant + 1 if valid or not variant % 2 else -variant, "client_reaction": "Fair."}
        if valid or variant % 2:
            data["shown"] = "on"
        self.post_step("review_file", "/interventions/{uid}/review-file/", data, valid)

    def _new_goal(self, valid, variant):
        today = timezone.localdate()
        data = {"mode": "trim" if variant % 2 else "reinstate", "source": str(self.missed[variant // 2].uid),
                "due_on": (today + timedelta(days=5)).isoformat(),
                "planned_at_0": (today + timedelta(days=3)).isoformat(), "planned_at_1": "09:00",
                "minutes_needed": "20", "has_tools": "yes", "description": "Call one supplier"}
        if not valid:
            missing = ["planned_at", "minutes_needed", "has_tools", "source"][variant]
            for key in ([f"{missing}_0", f"{missing}_1"] if missing == "planned_at" else [missing]):
                data.pop(key)
        self.post_step("new_goal", "/interventions/{uid}/steps/new_goal/", data, valid)

    def _final_review(self, valid, variant):
        outcome = ["back_on_track", "pause", "end", "refer"][variant]
        data = {"outcome": outcome}
        if valid:
            data["check_back_on"] = (timezone.localdate() + timedelta(days=30)).isoformat()
        elif outcome != "pause":
            data["outcome"] = "shrug"
        if self.post_step("final_review", "/interventions/{uid}/final-review/", data, valid):
            self.open_uid = None
            self.engagement_active = outcome in ("back_on_track", "refer")
            self.ended = self.ended or outcome == "end"

    def _amend(self, valid, variant):
        other = "career" if self.current_focus == "business" else "business"
        data = {"focus_area": self.focus[other].pk}
        if valid:
            data["reason"] = "The focus has moved."
        if self.post_step("refer", "/interventions/{uid}/steps/amend/", data, valid):
            self.open_uid = None
            self.current_focus = other

    @precondition(lambda self: self.open_uid is not None and self.last_step is not None)
    @rule()
    def recover(self):
        intervention = Intervention.objects.get(uid=self.open_uid)
        later = intervention.opened_at + timedelta(minutes=1)
        before_steps = InterventionStep.objects.count()
        closed = intervention_close_if_recovered(engagement=self.engagement, figures=[
            (later, 0.8), (later + timedelta(minutes=1), 1.0)], threshold=0.5, meetings_needed=2)
        assert closed is not None and closed.outcome == "recovered"
        assert InterventionStep.objects.count() == before_steps  # closing is not a step
        self.open_uid = None

    @precondition(lambda self: not self.engagement_active and not self.ended)
    @rule()
    def resume(self):
        engagement_move(engagement=self.engagement, to_state="active", by=self.coach.user, note="Back again")
        self.engagement_active = True

    # Invariants -------------------------------------------------------------------------

    @invariant()
    def at_most_one_open(self):
        open_ = list(Intervention.objects.filter(engagement=self.engagement, closed_at__isnull=True)
                     .values_list("uid", flat=True))
        assert len(open_) <= 1
        assert [str(u) for u in open_] == ([self.open_uid] if self.open_uid else [])

    @invariant()
    def steps_only_forward_and_none_after_closing(self):
        for intervention in Intervention.objects.filter(engagement=self.engagement):
            last = None
            for step in intervention.steps.order_by("at", "pk"):
                assert step.step in allowed_after(last), (last, step.step)
                if intervention.closed_at is not None:
                    assert step.at <= intervention.closed_at
                last = step.step
            assert (intervention.last_step or None) == last
            if intervention.closed_at is not None:
                assert intervention.outcome and intervention.allowed_steps() == ()


@pytest.mark.django_db
def test_interventions_never_reach_an_illegal_state(coach, focus):
    coach.specialties.add(focus["career"])
    ProtocolMachine.coach, ProtocolMachine.focus = coach, focus
    run_state_machine_as_test(ProtocolMachine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
