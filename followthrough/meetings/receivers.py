"""Meetings' part in a lifecycle move: planned meetings do not outlive the engagement."""

from followthrough.clients.signals import Consequence
from followthrough.history.services import tracked_update

from .models import Meeting


def _cancelled_by(move):
    if not move.stops or move.keep_planned_meetings:
        return Meeting.objects.none()
    return Meeting.objects.filter(engagement=move.engagement, status=Meeting.Status.PLANNED).order_by("starts_at")


def close_planned_meetings(sender, *, move, **kwargs):
    for meeting in _cancelled_by(move).select_for_update():
        tracked_update(meeting, by=move.by, action="meeting.cancelled_by_move",
                       changes={"status": Meeting.Status.CANCELLED}, validate=False)


def planned_meetings_consequence(sender, *, move, **kwargs):
    meetings = list(_cancelled_by(move))
    if not meetings:
        return []
    return [Consequence(f"{len(meetings)} planned meeting{'s' if len(meetings) != 1 else ''} "
                        "will be cancelled", [f"{m.starts_at:%a %d %b %Y %H:%M}" for m in meetings])]
