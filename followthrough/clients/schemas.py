"""What the API reads and writes about clients, engagements and agreements. Records are
named by uid and focus areas by slug."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from ninja.orm import create_schema

from followthrough.ui.api import In, uid_of

from .models import LAPSE_PLAN, REMINDER_TERMS, Agreement, Engagement

EngagementState = Literal[tuple(Engagement.State.values)]


class EngagementSummary(Schema):
    uid: UUID
    state: EngagementState
    started_on: date
    check_back_on: date | None
    ended_on: date | None


class ClientOut(Schema):
    uid: UUID
    full_name: str
    preferred_name: str
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
    preferred_name: str = Field("", description="What letters and emails call them; their first name when empty.")
    email: str = ""
    email_shared: bool = Field(False, description="Another client of the practice is a different person "
                                                  "with the same email.")
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
        return uid_of(obj.previous)

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
    keep_planned_meetings: bool = Field(False, description="A pause only: leave planned meetings planned.")
    confirmed: bool = Field(False, description="Needed to end: you have seen what the move closes "
                                               "(GET .../moves/preview).")


class ConsequenceOut(Schema):
    what: str
    items: list[str]


class MovePreviewOut(Schema):
    to_state: str
    consequences: list[ConsequenceOut]


class ReengageIn(In):
    started_on: date | None = None


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


# The reminder terms are generated from the model's own fields (labels, bounds and all),
# so the API takes exactly what the agreement page takes.
ReminderTermsOut = create_schema(Agreement, name="ReminderTermsOut", fields=list(REMINDER_TERMS))
ReminderTermsIn = create_schema(Agreement, name="ReminderTermsIn", fields=list(REMINDER_TERMS),
                                optional_fields=list(REMINDER_TERMS))

# The lapse plan likewise: the model's own choices and labels, so page and API take the same.
LapsePlanOut = create_schema(Agreement, name="LapsePlanOut", fields=list(LAPSE_PLAN))
LapsePlanIn = create_schema(Agreement, name="LapsePlanIn", fields=list(LAPSE_PLAN), optional_fields=list(LAPSE_PLAN))


class AgreementOut(ReminderTermsOut, LapsePlanOut):
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
    lapse_plan_words: str = Field(description="The lapse plan in the client's own words, as the portal shows it.")

    @staticmethod
    def resolve_engagement_uid(obj):
        return obj.engagement.uid

    @staticmethod
    def resolve_primary_focus(obj):
        return obj.primary_focus.slug

    @staticmethod
    def resolve_goals(obj):
        return list(obj.goals.all())


class AgreementIn(In, ReminderTermsIn, LapsePlanIn):
    """A first version, or a renegotiation (then `renegotiation_reason` is required).
    Without `goals`, a renegotiation carries the previous version's goals over; reminder
    terms and the lapse plan left out keep the previous version's (or, for a first version,
    the defaults)."""

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


class PlannedBreakOut(Schema):
    uid: UUID
    engagement_uid: UUID
    starts_on: date
    ends_on: date
    reason: str
    in_force: bool
    cancelled_at: datetime | None
    created_at: datetime
    waived_commitments: list[UUID] = Field(description="The commitments waived because they fell due in it.")

    @staticmethod
    def resolve_engagement_uid(obj):
        return obj.engagement.uid

    @staticmethod
    def resolve_waived_commitments(obj):
        return [c.uid for c in obj.waived_commitments.all()]


class PlannedBreakIn(In):
    starts_on: date = Field(description="The first day of the break (the client's day).")
    ends_on: date = Field(description="The last day of the break, inclusive.")
    reason: str = Field(description="What the break is for, e.g. holiday or surgery.")
