"""Protocol fixtures: a clock to move through weeks of coaching, a way to write an
engagement's history meeting by meeting through the real services, and API clients."""

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.meetings.services import meeting_create

WEEK = timedelta(days=7)


class Clock:
    """`django.utils.timezone.now`, held at a chosen moment and creeping forward a
    microsecond a call, so records keep their order while a test moves through months."""

    def __init__(self, monkeypatch, start):
        self.current = start
        monkeypatch.setattr(timezone, "now", self.now)

    def now(self):
        self.current += timedelta(microseconds=1)
        return self.current

    def advance(self, **delta):
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture(autouse=True)
def test_settings(settings):
    # Tests move the clock through months; a sign-in should not expire on the way.
    settings.SESSION_COOKIE_AGE = 10 * 365 * 86400
    settings.FT_SESSION_IDLE_MINUTES = 10 * 365 * 24 * 60


@pytest.fixture
def clock(monkeypatch):
    real_now = timezone.now()
    return Clock(monkeypatch, real_now - timedelta(days=120))


@dataclass
class Story:
    """Writes one engagement's meetings a week apart, as the coach would record them.

    `held(["missed"], new=["Call two caterers"])` records a held meeting that reviews the
    open commitments due by then with those outcomes (in due order; a float is a partly
    kept share, "waived" gets a reason) and agrees the new ones, due in six days.
    """

    engagement: object
    coach: object
    focus: dict
    clock: Clock

    def held(self, outcomes=(), new=("Call two caterers",), focus=("business",), minutes=60,
             summary="We looked at the week and planned the next one.", notes="Private: seemed tired."):
        now = self.clock.advance(days=7)
        meeting = meeting_create(engagement=self.engagement, by=self.coach.user, status="held",
                                 starts_at=now - timedelta(hours=1), client_summary=summary,
                                 private_notes=notes, focus_areas=[self.focus[slug] for slug in focus])
        due = list(Commitment.objects.filter(engagement=self.engagement, outcome="open",
                                             due_on__lte=meeting.starts_at.date()).order_by("due_on", "pk"))
        reviews = []
        for commitment, outcome in zip(due, outcomes, strict=False):
            if isinstance(outcome, float):
                reviews.append(Review(commitment, "partly_kept", Decimal(str(outcome))))
            elif outcome == "waived":
                reviews.append(Review(commitment, "waived", None, "In hospital that week."))
            else:
                reviews.append(Review(commitment, outcome, None, "The week ran away." if outcome == "missed" else ""))
        new_commitments = [{"description": text, "due_on": timezone.localdate() + timedelta(days=6),
                            "minutes_needed": minutes, "has_tools": True} for text in new]
        meeting_review(meeting=meeting, by=self.coach.user,
                       review=MeetingReview(reviews=reviews, new_commitments=new_commitments))
        return meeting

    def no_show(self):
        now = self.clock.advance(days=7)
        return meeting_create(engagement=self.engagement, by=self.coach.user, status="no_show",
                              starts_at=now - timedelta(hours=1))


@pytest.fixture
def story(clock, engagement, coach, focus, agreement):
    # `clock` first, so the agreement is written at the story's start, not today.
    return Story(engagement, coach, focus, clock)


@pytest.fixture
def make_story(clock, focus):
    return lambda engagement, coach: Story(engagement, coach, focus, clock)


@pytest.fixture
def as_coach(client, coach):
    client.force_login(coach.user)
    return client


class Api:
    """Django's test client speaking JSON with a bearer token (or none)."""

    def __init__(self, client, prefix, raw=None):
        self.client, self.prefix, self.raw = client, prefix, raw

    def _headers(self):
        return {"Authorization": f"Bearer {self.raw}"} if self.raw else {}

    def get(self, path, **params):
        return self.client.get(self.prefix + path, params, headers=self._headers())

    def send(self, method, path, payload=None):
        body = json.dumps(payload if payload is not None else {}, default=str)
        return getattr(self.client, method)(self.prefix + path, body, content_type="application/json",
                                            headers=self._headers())

    def post(self, path, payload=None):
        return self.send("post", path, payload)

    def patch(self, path, payload=None):
        return self.send("patch", path, payload)


def text(response):
    return response.content.decode()
