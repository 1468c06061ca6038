"""Engine fixtures: a way to write an engagement's history meeting by meeting, through
the real services, so every scenario also leaves a verifiable event log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from followthrough.commitments.services import MeetingReview, Review, commitment_create, meeting_review
from followthrough.meetings.services import meeting_create

WEEK = timedelta(days=7)


class Timeline:
    """Appends meetings to one engagement, one week apart, ending a day ago.

    `meeting("held", ["kept", "missed"], focus=["business"], goal=0)` records a held
    meeting at which two commitments were reviewed with those outcomes (a float such as
    0.4 means partly kept by that share), the focus areas discussed and a goal score.
    """

    def __init__(self, engagement, coach, focus, goal, start=None):
        self.engagement, self.coach, self.focus, self.goal = engagement, coach, focus, goal
        self.start = start or timezone.now() - 60 * WEEK
        self.meetings = []
        self.commitments = []

    def meeting(self, status="held", outcomes=(), *, focus=("business",), goal=None, minutes=None,
                reason="It snowed in; nobody could travel.", at=None):
        starts_at = at or self.start + len(self.meetings) * WEEK
        untagged = status == "held" and not focus
        meeting = meeting_create(engagement=self.engagement, by=self.coach.user, status=status,
                                 starts_at=starts_at,
                                 focus_areas=[self.focus[slug] for slug in (("business",) if untagged else focus)])
        if untagged:
            # A held meeting with no focus areas can no longer be recorded, but records from
            # before that rule (or imported) can be so: the engine must still judge them.
            meeting.focus_areas.clear()
        self.meetings.append(meeting)
        if status != "held":
            return meeting
        reviews = []
        for index, outcome in enumerate(outcomes):
            commitment = commitment_create(
                engagement=self.engagement, by=self.coach.user,
                description=f"Action {len(self.commitments) + 1}",
                due_on=(starts_at - timedelta(days=1)).date(),
                minutes_needed=(minutes[index] if minutes else None),
            )
            self.commitments.append(commitment)
            if isinstance(outcome, float):
                reviews.append(Review(commitment, "partly_kept", Decimal(str(outcome))))
            else:
                reviews.append(Review(commitment, outcome,
                                      client_reason=reason if outcome == "waived" else ""))
        goal_scores = {self.goal: goal} if goal is not None else {}
        meeting_review(meeting=meeting, by=self.coach.user,
                       review=MeetingReview(reviews=reviews, goal_scores=goal_scores))
        return meeting


@pytest.fixture
def timeline(engagement, coach, focus, agreement):
    return Timeline(engagement, coach, focus, agreement.goals.get())


@pytest.fixture
def make_timeline(focus):
    """A timeline for any engagement (and its coach); needs an agreement with one goal."""
    def make(engagement, coach, start=None):
        goal = engagement.agreements.order_by("-version").first().goals.first()
        return Timeline(engagement, coach, focus, goal, start=start)
    return make


def bulk_world(coach, focus, clients, *, meetings=3, outcome="missed", start=None):
    """`clients` engagements for `coach`, written with bulk inserts (no event log: these
    worlds test how the engine scales, not the history). Each has `meetings` held
    meetings, one commitment reviewed at each with `outcome`, all on the agreed focus."""
    from followthrough.clients.models import Agreement, Client, Engagement
    from followthrough.commitments.models import Commitment
    from followthrough.meetings.models import Meeting

    start = start or timezone.now() - 60 * WEEK
    made = Client.objects.bulk_create(
        Client(practice=coach.practice, full_name=f"Client {i:04d}") for i in range(clients))
    engagements = Engagement.objects.bulk_create(
        Engagement(client=c, client_name=c.full_name, client_email=c.email, coach=coach, started_on=start.date())
        for c in made)
    Agreement.objects.bulk_create(
        Agreement(engagement=e, version=1, came_for="Grow", primary_focus=focus["business"],
                  meeting_cadence="Weekly", call_to_action="Act") for e in engagements)
    held = Meeting.objects.bulk_create(
        Meeting(engagement=e, status="held", starts_at=start + i * WEEK)
        for e in engagements for i in range(meetings))
    Meeting.focus_areas.through.objects.bulk_create(
        Meeting.focus_areas.through(meeting_id=m.pk, focusarea_id=focus["business"].pk) for m in held)
    Commitment.objects.bulk_create(
        Commitment(engagement_id=m.engagement_id, description="Act", due_on=m.starts_at.date(),
                   outcome=outcome, reviewed_in=m, reviewed_at=m.starts_at) for m in held)
    return engagements
