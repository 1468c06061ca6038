"""The practice's outcomes over the API: the figures the outcomes page shows, counts only
(no other coach's client is named)."""

from ninja import Router, Schema

from followthrough.ui.api import api_coach

from . import selectors

router = Router(tags=["protocol"])


class CountOut(Schema):
    label: str
    count: int


class SignalOut(Schema):
    signal: str
    came_back_after: list[CountOut]


class AllianceBeforeOut(Schema):
    days: int
    nonproductive: int
    preceded: int
    alliance_drops: int
    followed: int
    rule: str


class OutcomesOut(Schema):
    opened: int
    open_now: int
    closed: int
    mean_days: float | None
    median_days: float | None
    by_outcome: list[CountOut]
    by_trigger: list[CountOut]
    recovered_after: list[CountOut]
    back_by_signal: list[SignalOut]
    alliance_before_nonproductive: AllianceBeforeOut


def _counts(pairs):
    return [{"label": label, "count": count} for label, count in pairs]


@router.get("/practice/outcomes", response=OutcomesOut,
            summary="How the practice's interventions ended, per signal, and how often an alliance drop came first")
def outcomes(request):
    data = selectors.practice_outcomes(api_coach(request))
    before = data["alliance_before_nonproductive"]
    return {
        **{key: data[key] for key in ("opened", "open_now", "closed", "mean_days", "median_days")},
        "by_outcome": _counts(data["by_outcome"]), "by_trigger": _counts(data["by_trigger"]),
        "recovered_after": _counts(data["recovered_after"]),
        "back_by_signal": [{"signal": label, "came_back_after": _counts(rows)}
                           for label, rows in data["back_by_signal"]],
        "alliance_before_nonproductive": {
            **before, "rule": f"An alliance drop came before a nonproductive phase when its flag was raised in the "
                              f"same engagement in the {before['days']} days before the nonproductive flag."},
    }
