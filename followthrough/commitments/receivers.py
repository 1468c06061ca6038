"""Commitments' part in a lifecycle move: open ones are withdrawn, neither kept nor missed."""

from followthrough.clients.signals import Consequence
from followthrough.history import clock
from followthrough.history.services import tracked_update

from .models import BREAK_REASON_PREFIX, Commitment


def _withdrawn_by(move):
    if not move.stops:
        return Commitment.objects.none()
    return Commitment.objects.filter(engagement=move.engagement, outcome=Commitment.Outcome.OPEN)


def withdraw_open_commitments(sender, *, move, **kwargs):
    now = clock.now()
    for commitment in _withdrawn_by(move).select_for_update():
        tracked_update(commitment, by=move.by, action="commitment.withdrawn", changes={
            "outcome": Commitment.Outcome.WITHDRAWN, "withdrawn_reason": move.reason[:300], "reviewed_at": now,
        }, validate=False)


def open_commitments_consequence(sender, *, move, **kwargs):
    open_ones = list(_withdrawn_by(move).order_by("due_on", "pk"))
    if not open_ones:
        return []
    return [Consequence(f"{len(open_ones)} open commitment{'s' if len(open_ones) != 1 else ''} will be "
                        "withdrawn (counted neither kept nor missed)",
                        [f"{c.description[:80]} (due {c.due_on:%d %b})" for c in open_ones])]


# A planned break: what falls due in it is waived with the break as the reason, and
# cancelling the break opens again what it waived and no meeting has reviewed since.


def break_reason(planned_break):
    return f"{BREAK_REASON_PREFIX}{planned_break.words}"[:300]


def waive_for_break(sender, *, planned_break, by, **kwargs):
    due_in_break = Commitment.objects.filter(
        engagement_id=planned_break.engagement_id, outcome=Commitment.Outcome.OPEN,
        due_on__gte=planned_break.starts_on, due_on__lte=planned_break.ends_on,
    ).select_for_update()
    for commitment in due_in_break:
        tracked_update(commitment, by=by, action="commitment.waived_for_break", changes={
            "outcome": Commitment.Outcome.WAIVED, "waived_for_break": planned_break,
            "client_reason": break_reason(planned_break),
        }, validate=False)


def reopen_after_break_cancelled(sender, *, planned_break, by, **kwargs):
    waived = Commitment.objects.filter(
        waived_for_break=planned_break, outcome=Commitment.Outcome.WAIVED, reviewed_in__isnull=True,
    ).select_for_update()
    for commitment in waived:
        tracked_update(commitment, by=by, action="commitment.reopened_break_cancelled", changes={
            "outcome": Commitment.Outcome.OPEN, "waived_for_break": None, "client_reason": "",
        }, validate=False)
