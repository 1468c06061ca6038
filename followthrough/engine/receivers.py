"""The engine's part in a lifecycle move: flags follow the engagement's state at once.

An engagement that is not active raises no flag, so refreshing it clears every open one
in the move's own transaction (no waiting for the next scan); a resumed one is judged
again straight away.
"""

from followthrough.clients.signals import Consequence

from .models import Flag
from .selectors import flag_reason
from .services import engagement_refresh


def refresh_after_move(sender, *, move, **kwargs):
    engagement_refresh(engagement=move.engagement.pk)


def open_flags_consequence(sender, *, move, **kwargs):
    if not move.stops:
        return []
    flags = list(Flag.objects.open().filter(engagement=move.engagement).order_by("raised_at"))
    if not flags:
        return []
    return [Consequence(f"{len(flags)} open flag{'s' if len(flags) != 1 else ''} will clear",
                        [flag_reason(flag) for flag in flags])]
