"""The protocol's part in a lifecycle move: an open intervention closes with the move."""

from followthrough.clients.signals import Consequence

from .models import Intervention
from .services import intervention_close

OUTCOME_OF_MOVE = {
    "paused": Intervention.Outcome.PAUSED,
    "ended": Intervention.Outcome.ENDED,
    "referred_out": Intervention.Outcome.REFERRED,
}


def close_open_intervention(sender, *, move, **kwargs):
    intervention = move.engagement.interventions.open().first() if move.stops else None
    if intervention is not None:
        intervention_close(intervention=intervention, by=move.by, outcome=OUTCOME_OF_MOVE[move.to_state])


def open_intervention_consequence(sender, *, move, **kwargs):
    intervention = move.engagement.interventions.open().first() if move.stops else None
    if intervention is None:
        return []
    outcome = Intervention.Outcome(OUTCOME_OF_MOVE[move.to_state]).label.lower()
    return [Consequence(f"The open intervention will close as “{outcome}”",
                        [f"opened {intervention.opened_at:%d %b %Y}"])]
