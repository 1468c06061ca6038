"""Reminders' part in a lifecycle move: nothing is sent about an engagement that stopped."""

from followthrough.clients.signals import Consequence
from followthrough.history import clock

from .models import Reminder


def _pending(move):
    if not move.stops:
        return Reminder.objects.none()
    return Reminder.objects.filter(commitment__engagement=move.engagement, sent_at=None, cancelled_at=None)


def cancel_pending_reminders(sender, *, move, **kwargs):
    _pending(move).update(cancelled_at=clock.now(), cancel_reason="closed")


def pending_reminders_consequence(sender, *, move, **kwargs):
    count = _pending(move).count()
    if not count:
        return []
    return [Consequence(f"{count} pending reminder{'s' if count != 1 else ''} will not be sent")]
