"""What the protocol API reads and writes, and how records become answers."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime

from followthrough.ui.api import In

from . import selectors
from .models import Intervention, Letter
from .services import FINAL_OUTCOMES, REAFFIRM_RESPONSES

# Out ---------------------------------------------------------------------------------

class StepOut(Schema):
    uid: str
    step: str
    at: datetime
    by: str | None
    note: str
    details: dict

    @staticmethod
    def resolve_uid(obj):
        return str(obj.uid)

    @staticmethod
    def resolve_by(obj):
        return obj.by.get_username() if obj.by_id else None


class InterventionOut(Schema):
    uid: str
    engagement: str
    client: str
    trigger: str
    trigger_evidence: dict
    flag: str | None
    opened_at: datetime
    closed_at: datetime | None
    outcome: str
    last_step: str
    is_open: bool
    recommended_step: str | None
    recommended_reason: str
    allowed_steps: list[str]
    steps: list[StepOut]


def intervention_out(intervention):
    step, reason = intervention.recommended_step()
    return {
        "uid": str(intervention.uid), "engagement": str(intervention.engagement.uid),
        "client": str(intervention.engagement.client.uid), "trigger": intervention.trigger,
        "trigger_evidence": intervention.trigger_evidence, "flag": intervention.flag_uid or None,
        "opened_at": intervention.opened_at, "closed_at": intervention.closed_at,
        "outcome": intervention.outcome, "last_step": intervention.last_step, "is_open": intervention.is_open,
        "recommended_step": str(step) if step else None, "recommended_reason": reason,
        "allowed_steps": [str(s) for s in intervention.allowed_steps()],
        "steps": list(intervention.steps.select_related("by").order_by("at", "pk")),
    }


class StepResultOut(Schema):
    intervention: InterventionOut
    file_review: str | None = None
    commitments: list[str] = []
    agreement_version: int | None = None
    referral: str | None = None


class LetterOut(Schema):
    uid: str
    kind: str
    subject: str
    body: str
    is_sent: bool
    sent_at: datetime | None
    sent_to: str
    intervention: str | None

    @staticmethod
    def resolve_uid(obj):
        return str(obj.uid)

    @staticmethod
    def resolve_intervention(obj):
        return str(obj.intervention.uid) if obj.intervention_id else None


class CandidateOut(Schema):
    uid: str
    display_name: str
    specialty_match: bool
    accepts_referrals: bool
    free_capacity: int
    active_count: int

    @staticmethod
    def resolve_uid(obj):
        return str(obj.uid)


class ReferralOut(Schema):
    uid: str
    status: str
    from_coach: str
    to_coach: str
    focus_area: str
    message: str
    consent_at: datetime | None
    shares_agreement: bool
    shares_summaries: bool
    shares_commitments: bool
    intervention: str | None
    responded_at: datetime | None
    completed_at: datetime | None
    completion_note: str
    shared: dict | None = None


def referral_out(referral, coach):
    """The referral; for the associate, only the parts of the file the client agreed to share."""
    out = {
        "uid": str(referral.uid), "status": referral.status, "from_coach": referral.from_engagement.coach.display_name,
        "to_coach": referral.to_coach.display_name, "focus_area": referral.focus_area.slug,
        "message": referral.message, "consent_at": referral.consent_at,
        "shares_agreement": referral.shares_agreement, "shares_summaries": referral.shares_summaries,
        "shares_commitments": referral.shares_commitments,
        "intervention": str(referral.intervention.uid) if referral.intervention_id else None,
        "responded_at": referral.responded_at, "completed_at": referral.completed_at,
        "completion_note": referral.completion_note,
    }
    data = selectors.referral_page(referral, coach)
    if data["is_associate"]:
        agreement = data["shared_agreement"]
        out["shared"] = {
            "agreement": None if agreement is None else {
                "came_for": agreement.came_for, "focus": agreement.primary_focus.slug,
                "call_to_action": agreement.call_to_action,
                "client_responsibilities": agreement.client_responsibilities,
                "goals": [g.title for g in data["shared_goals"]]},
            "summaries": [{"starts_at": m.starts_at.isoformat(), "summary": m.client_summary}
                          for m in data["shared_meetings"]],
            "commitments": [{"description": c.description, "due_on": c.due_on.isoformat(), "outcome": c.outcome}
                            for c in data["shared_commitments"]],
        }
    return out


class FileReviewCommitmentOut(Schema):
    uid: str
    description: str
    due_on: date
    outcome: str
    kept_fraction: float | None
    client_reason: str
    made_at: str | None = None  # the meeting it was agreed at


class FileReviewMeetingOut(Schema):
    uid: str
    starts_at: datetime
    status: str
    client_summary: str
    figure_percent: int | None
    commitments: list[FileReviewCommitmentOut]


class FileReviewOut(Schema):
    uid: str
    intervention: str | None
    meetings_count: int
    shown_at: datetime | None
    client_reaction: str
    shared_at: datetime | None
    totals: dict[str, int]
    # Each meeting lists the commitments due and reviewed at it; those agreed at the chosen
    # meetings and not yet reviewed are in still_open, so the totals add up to what is listed.
    meetings: list[FileReviewMeetingOut]
    still_open: list[FileReviewCommitmentOut] = []


def _file_review_commitment(c):
    return {"uid": str(c.uid), "description": c.description, "due_on": c.due_on, "outcome": c.outcome,
            "client_reason": c.client_reason, "made_at": str(c.made_at.uid) if c.made_at_id else None,
            "kept_fraction": float(c.kept_fraction) if c.kept_fraction is not None else None}


def file_review_out(review):
    data = selectors.file_review_data(review)
    meetings = [{
        "uid": str(row["meeting"].uid), "starts_at": row["meeting"].starts_at, "status": row["meeting"].status,
        # Client-visible only: the summary, never the private notes.
        "client_summary": row["meeting"].client_summary, "figure_percent": row["figure_percent"],
        "commitments": [_file_review_commitment(c) for c in row["commitments"]],
    } for row in data["rows"]]
    return {"uid": str(review.uid), "intervention": str(review.intervention.uid) if review.intervention_id else None,
            "meetings_count": review.meetings_count, "shown_at": review.shown_at,
            "client_reaction": review.client_reaction, "shared_at": review.shared_at,
            "totals": data["totals"], "meetings": meetings,
            "still_open": [_file_review_commitment(c) for c in data["still_open"]]}


# In ----------------------------------------------------------------------------------

class OpenIn(In):
    trigger: Literal[tuple(Intervention.Trigger.values)] = Intervention.Trigger.MANUAL
    flag: str | None = None


class ReferIn(In):
    choice: Literal["amend", "refer"]
    focus_area: str
    reason: str = ""
    to_coach: str | None = None
    message: str = ""
    note: str = ""


class ReaffirmIn(In):
    response: Literal[tuple(REAFFIRM_RESPONSES)]
    work_request: str = ""
    note: str = ""


class ReviewFileIn(In):
    meetings_count: int
    client_reaction: str = ""
    share_with_client: bool = False
    note: str = ""


class RenegotiationIn(In):
    call_to_action: str
    meeting_cadence: str | None = None
    renegotiation_reason: str


class NewGoalIn(In):
    mode: Literal["reinstate", "trim"]
    source: str
    due_on: date | None = None
    planned_at: AwareDatetime | None = None
    minutes_needed: int | None = None
    has_tools: bool | None = None
    tools_needed: str = ""
    description: str = ""
    renegotiation: RenegotiationIn | None = None
    note: str = ""


class FinalReviewIn(In):
    outcome: Literal[FINAL_OUTCOMES]
    check_back_on: date | None = None
    note: str = ""


class LetterDraftIn(In):
    kind: Literal[tuple(Letter.Kind.values)]


class LetterEditIn(In):
    subject: str
    body: str


class OfferIn(In):
    to_coach: str
    focus_area: str
    message: str = ""
    intervention: str | None = None


class ConsentIn(In):
    shares_agreement: bool = False
    shares_summaries: bool = False
    shares_commitments: bool = False
    consent_note: str = ""


class NoteIn(In):
    note: str = ""


# The new-goal step's options ----------------------------------------------------------

class FreshStartOut(Schema):
    day: date
    kind: str  # monday, first_of_month, next_meeting
    label: str


class MissedOut(Schema):
    uid: str
    description: str
    due_on: date
    outcome: str
    minutes_needed: int | None


class NewGoalOptionsOut(Schema):
    """What the new-goal step can start from, and the fresh-start dates to offer for its due date."""

    missed: list[MissedOut]
    fresh_starts: list[FreshStartOut]
