"""The engine's API: follow-through figures and flags, for coaches.

It relies on the API's authentication to set `request.user`, and answers 404 to anyone who is not the
coach holding the engagement, exactly as for an unknown record.
"""

from datetime import datetime

from ninja import Router, Schema

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.ui.api import api_coach

from .metrics import engagement_followthrough
from .selectors import engagement_flags, flag_reason, open_flags_for

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

