"""What the API reads and writes about commitments and the review of a meeting."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from followthrough.clients.schemas import GoalOut
from followthrough.meetings.schemas import MeetingOut
from followthrough.ui.api import In, uid_of

from .models import Commitment

CommitmentOutcome = Literal[tuple(Commitment.Outcome.values)]
ReviewOutcome = Literal[tuple(v for v in Commitment.Outcome.values if v != Commitment.Outcome.OPEN)]


class CommitmentOut(Schema):
    uid: UUID
    engagement_uid: UUID
    made_at_uid: UUID | None
    description: str
    due_on: date
    planned_at: datetime | None
    minutes_needed: int | None
    tools_needed: str
    has_tools: bool | None
    outcome: CommitmentOutcome
    kept_fraction: Decimal | None
    client_reason: str
    reviewed_at: datetime | None
    reviewed_in_uid: UUID | None
    derived_from_uid: UUID | None
    derivation: str
    created_at: datetime

    @staticmethod
    def resolve_engagement_uid(obj):
        return obj.engagement.uid

    @staticmethod
    def resolve_made_at_uid(obj):
        return uid_of(obj.made_at)

    @staticmethod
    def resolve_reviewed_in_uid(obj):
        return uid_of(obj.reviewed_in)

    @staticmethod
    def resolve_derived_from_uid(obj):
        return uid_of(obj.derived_from)


class DueGoalOut(GoalOut):
    level: int | None = Field(description="The level already recorded at this meeting, if any.")


class DueOut(Schema):
    meeting_uid: UUID
    commitments: list[CommitmentOut]
    goals: list[DueGoalOut]


class ReviewItemIn(In):
    commitment: UUID
    outcome: ReviewOutcome
    kept_fraction: Decimal | None = Field(None, description="0.01 to 0.99, for partly_kept")
    client_reason: str = ""


class NewCommitmentIn(In):
    description: str
    due_on: date
    planned_at: AwareDatetime | None = None
    minutes_needed: int | None = None
    tools_needed: str = ""
    has_tools: bool | None = None


class GoalScoreIn(In):
    goal: UUID
    level: int | None = Field(description="-2 to +2; null leaves the goal unscored")


class ReviewIn(In):
    reviews: list[ReviewItemIn] = []
    new_commitments: list[NewCommitmentIn] = []
    goal_scores: list[GoalScoreIn] = []


class ReviewOut(Schema):
    meeting: MeetingOut
    reviewed: list[CommitmentOut]
    created: list[CommitmentOut]
