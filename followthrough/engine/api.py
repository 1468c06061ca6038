"""The engine's API: follow-through figures and flags, for coaches.

It relies on the API's authentication to set `request.user`, and answers 404 to anyone who is not the
coach holding the engagement, exactly as for an unknown record.
"""

from datetime import datetime

from ninja import Router, Schema

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.ui.api import ErrorsOut, In, answer, api_coach

from .metrics import engagement_followthrough, thresholds_for
from .models import THRESHOLD_FIELDS, CoachThresholds, Defaults, PracticeThresholds
from .selectors import engagement_flags, flag_reason, open_flags_for
from .services import coach_thresholds_set, practice_thresholds_set

router = Router(tags=["follow-through"])


class FigureOut(Schema):
    meeting: str
    starts_at: datetime
    due: int
    kept: float
    figure: float
    weighted: float


class RepeatMissOut(Schema):
    description: str
    misses: int
    commitments: list[str]
    missed: list[str]


class ThresholdsOut(Schema):
    followthrough_below: float
    nonproductive_meetings: int
    drift_meetings: int
    drift_share: float
    no_show_run: int
    alliance_drop_points: float
    alliance_falls_in_row: int


class ThresholdsIn(In):
    """Only the fields sent are changed. For a coach's own, null removes the override so
    the practice's value applies; for the practice, null is its default."""

    followthrough_below: float | None = None
    nonproductive_meetings: int | None = None
    drift_meetings: int | None = None
    drift_share: float | None = None
    no_show_run: int | None = None
    alliance_drop_points: float | None = None
    alliance_falls_in_row: int | None = None


class ThresholdsSetOut(Schema):
    """Each level's stored values (null: not set there), and the ones in force for you."""

    practice: dict
    own: dict
    effective: ThresholdsOut
    can_edit_practice: bool


class FollowthroughOut(Schema):
    engagement: str
    thresholds: ThresholdsOut
    figures: list[FigureOut]
    current_run: int
    repeat_misses: list[RepeatMissOut]
    weight_if_unknown: float


class FlagOut(Schema):
    uid: str
    kind: str
    reason: str
    engagement: str
    client: str
    raised_at: datetime
    cleared_at: datetime | None
    evidence: dict
    url: str


def _flag_out(flag):
    return {
        "uid": str(flag.uid), "kind": flag.kind, "reason": flag_reason(flag),
        "engagement": str(flag.engagement.uid), "client": str(flag.engagement.client.uid),
        "raised_at": flag.raised_at, "cleared_at": flag.cleared_at, "evidence": flag.evidence,
        "url": flag.get_absolute_url(),
    }


def _engagement(request, uid):
    api_coach(request)
    return get_visible_or_404(Engagement.objects.select_related("client", "coach"), request.user, uid)


@router.get("/engagements/{uid}/followthrough", response=FollowthroughOut)
def followthrough(request, uid: str):
    """Follow-through per reviewed meeting (plain and minutes-weighted), the current run of
    meetings below the threshold, and commitments missed more than once."""
    engagement = _engagement(request, uid)
    data = engagement_followthrough(engagement)
    return {
        "engagement": str(engagement.uid),
        "thresholds": data["thresholds"].__dict__,
        "figures": [f.as_dict() for f in data["figures"]],
        "current_run": data["current_run"],
        "repeat_misses": data["repeat_misses"],
        "weight_if_unknown": float(data["weight_if_unknown"]),
    }


@router.get("/engagements/{uid}/flags", response=list[FlagOut])
def flags_of_engagement(request, uid: str):
    """Every flag the engagement has had, open ones first."""
    engagement = _engagement(request, uid)
    flags = engagement_flags(engagement).select_related("engagement__client")
    return [_flag_out(flag) for flag in flags]


@router.get("/flags", response=list[FlagOut])
def open_flags(request):
    """The requesting coach's open flags, longest waiting first."""
    return [_flag_out(flag) for flag in open_flags_for(api_coach(request))]



# Thresholds ---------------------------------------------------------------------


def _stored(row):
    return {name: getattr(row, name) if row is not None else None for name in THRESHOLD_FIELDS}


def _thresholds_out(coach):
    return {
        "practice": _stored(PracticeThresholds.objects.filter(practice_id=coach.practice_id).first()),
        "own": _stored(CoachThresholds.objects.filter(coach=coach).first()),
        "effective": thresholds_for(coach).__dict__, "can_edit_practice": coach.is_practice_admin,
    }


@router.get("/thresholds", response=ThresholdsSetOut, summary="The thresholds: the practice's, your own, in force")
def thresholds(request):
    return _thresholds_out(api_coach(request))


@router.put("/thresholds/own", response={200: ThresholdsSetOut, 422: ErrorsOut},
            summary="Set your own thresholds (null: use the practice's)")
def thresholds_own(request, payload: ThresholdsIn):
    coach = api_coach(request)
    coach_thresholds_set(coach=coach, by=request.user, **payload.dict(exclude_unset=True))
    return _thresholds_out(coach)


@router.put("/thresholds/practice", response={200: ThresholdsSetOut, 403: ErrorsOut, 422: ErrorsOut},
            summary="Set the practice's thresholds (practice admins; null: the product's default)")
def thresholds_practice(request, payload: ThresholdsIn):
    coach = api_coach(request)
    if not coach.is_practice_admin:
        return answer(403, {"errors": {"__all__": ["Only a practice admin sets the practice's thresholds."]}})
    values = {name: getattr(Defaults, name) if value is None else value
              for name, value in payload.dict(exclude_unset=True).items()}
    practice_thresholds_set(practice=coach.practice, by=request.user, **values)
    return _thresholds_out(coach)
