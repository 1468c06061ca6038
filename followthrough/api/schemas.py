"""What the API reads and writes. Records are named by uid and focus areas by slug;
datetimes carry their time zone, so a naive one is refused rather than guessed at."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, field_validator

from followthrough.clients.models import Engagement
from followthrough.commitments.models import Commitment
from followthrough.meetings.models import Meeting

EngagementState = Literal[tuple(Engagement.State.values)]
MeetingStatus = Literal[tuple(Meeting.Status.values)]
CommitmentOutcome = Literal[tuple(Commitment.Outcome.values)]
ReviewOutcome = Literal[tuple(v for v in Commitment.Outcome.values if v != Commitment.Outcome.OPEN)]


def _uid(related):
    return related.uid if related is not None else None


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list) and any(_has_nul(item) for item in value)


class In(Schema):
    """Input: text with a NUL character is refused here, since PostgreSQL cannot store it
    and would otherwise fail the request with a server error."""

    @field_validator("*")
    @classmethod
    def no_nul_characters(cls, value):
        if _has_nul(value):
            raise ValueError("Text cannot contain NUL characters.")
        return value


class ErrorsOut(Schema):
    """422: each field path (e.g. `reviews.0.kept_fraction`, `__all__` for the whole
    request) with its messages; schema errors also keep ninja's `detail` list."""

    errors: dict[str, list[str]]
    detail: list[dict] | None = None


# Clients and engagements

class EngagementSummary(Schema):
    uid: UUID
    state: EngagementState
    started_on: date
    check_back_on: date | None
    ended_on: date | None


class ClientOut(Schema):
    uid: UUID
    full_name: str
    email: str
    phone: str
    timezone: str
    created_at: datetime
    current_engagement: EngagementSummary | None

    @staticmethod
    def resolve_current_engagement(obj):
        # Filled by the view from a prefetch of the engagements this coach may see.
        engagements = obj.visible_engagements
        return engagements[0] if engagements else None


class ClientDetail(ClientOut):
    engagements: list[EngagementSummary]

    @staticmethod
    def resolve_engagements(obj):
        return obj.visible_engagements


class ClientIn(In):
    full_name: str
    email: str = ""
    phone: str = ""
    timezone: str = "UTC"
    started_on: date | None = None


class TransitionOut(Schema):
    from_state: EngagementState
    to_state: EngagementState
    at: datetime
    note: str
    check_back_on: date | None


class EngagementOut(EngagementSummary):
    client_uid: UUID
    client_name: str
    coach_name: str
    previous_uid: UUID | None
    allowed_moves: list[EngagementState]
    transitions: list[TransitionOut]

    @staticmethod
    def resolve_client_uid(obj):
        return obj.client.uid

    @staticmethod
    def resolve_client_name(obj):
        return obj.client.full_name

    @staticmethod
    def resolve_coach_name(obj):
        return obj.coach.display_name

    @staticmethod
    def resolve_previous_uid(obj):
        return _uid(obj.previous)

    @staticmethod
    def resolve_allowed_moves(obj):
        return [str(state) for state in obj.allowed_moves()]

    @staticmethod
    def resolve_transitions(obj):
        return list(obj.transitions.all())


class MoveIn(In):
    to_state: str = Field(description="active, paused, referred_out or ended")
    note: str = ""
    check_back_on: date | None = Field(None, description="Needed for a pause.")


class ReengageIn(In):
    started_on: date | None = None


# Agreements and goals

class GoalOut(Schema):
    uid: UUID
    title: str
    measure: str
    level_minus_2: str
    level_minus_1: str
    level_0: str
    level_plus_1: str
    level_plus_2: str
    position: int


class GoalIn(In):
    title: str
    measure: str = ""
    level_minus_2: str = ""
    level_minus_1: str = ""
    level_0: str = ""
    level_plus_1: str = ""
    level_plus_2: str = ""


class AgreementOut(Schema):
    uid: UUID
    engagement_uid: UUID
    version: int
    came_for: str
    primary_focus: str
    meeting_cadence: str
    fee_amount: Decimal | None
    fee_currency: str
    fee_terms: str
    call_to_action: str
    client_responsibilities: str
    coach_scope: str
    review_terms: str
    renegotiation_reason: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_name: str
    goals: list[GoalOut]

    @staticmethod
    def resolve_engagement_uid(obj):
        return obj.engagement.uid

    @staticmethod
    def resolve_primary_focus(obj):
        return obj.primary_focus.slug

    @staticmethod
    def resolve_goals(obj):
        return list(obj.goals.all())


class AgreementIn(In):
    """A first version, or a renegotiation (then `renegotiation_reason` is required).
    Without `goals`, a renegotiation carries the previous version's goals over."""

    came_for: str
    primary_focus: str = Field(description="Focus area slug, e.g. business")
    meeting_cadence: str
    call_to_action: str
    fee_amount: Decimal | None = None
    fee_currency: str = "EUR"
    fee_terms: str = ""
    client_responsibilities: str = Field(None, description="Defaults to the standard wording.")
    coach_scope: str = Field(None, description="Defaults to the standard wording.")
    review_terms: str = Field(None, description="Defaults to the standard wording.")
    renegotiation_reason: str = ""
    goals: list[GoalIn] = []


class AcknowledgementIn(In):
    typed_name: str = Field(description="The client's name, typed as on file.")


# Meetings

class MeetingOut(Schema):
    uid: UUID
    engagement_uid: UUID
    status: MeetingStatus
    starts_at: datetime
    duration_minutes: int
    focus_areas: list[str]
    private_notes: str
    client_summary: str
    paid: bool
    reviewed_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_engagement_uid(obj):
        return obj.engagement.uid

    @staticmethod
    def resolve_focus_areas(obj):
        return [area.slug for area in obj.focus_areas.all()]


class MeetingIn(In):
    starts_at: AwareDatetime
    status: MeetingStatus = "planned"
    duration_minutes: int = 60
    focus_areas: list[str] = Field([], description="Focus area slugs")
    private_notes: str = ""
    client_summary: str = ""
    paid: bool = False


class MeetingPatch(In):
    """Only the fields sent are changed; null is not a value any of them takes."""

    status: MeetingStatus = None
    starts_at: AwareDatetime = None
    duration_minutes: int = None
    focus_areas: list[str] = Field(None, description="Focus area slugs; replaces the list")
    private_notes: str = None
    client_summary: str = None
    paid: bool = None


# Commitments and reviews

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
        return _uid(obj.made_at)

    @staticmethod
    def resolve_reviewed_in_uid(obj):
        return _uid(obj.reviewed_in)

    @staticmethod
    def resolve_derived_from_uid(obj):
        return _uid(obj.derived_from)


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


# History

class EventOut(Schema):
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_uid: str
    before: dict | None
    after: dict | None
    hash: str
