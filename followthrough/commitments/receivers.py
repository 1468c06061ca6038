"""Commitments' part in a lifecycle move: open ones are withdrawn, neither kept nor missed."""

from followthrough.clients.signals import Consequence
from followthrough.history import clock
from followthrough.history.services import tracked_update

from .models import Commitment


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
