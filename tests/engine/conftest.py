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
        meeting = meeting_create(engagement=self.engagement, by=self.coach.user, status=status,
                                 starts_at=starts_at,
                                 focus_areas=[self.focus[slug] for slug in focus])
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
