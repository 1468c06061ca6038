"""The practice's outcomes and the coach's notifications."""

from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from followthrough.history import clock
from followthrough.ui.decorators import coach_required

from .. import selectors
from ..models import Notification
from .common import page


@coach_required
def outcomes(request):
    return page(request, "protocol/outcomes.html", selectors.practice_outcomes(request.coach))


@coach_required
def notifications(request):
    items = list(Notification.objects.filter(coach=request.coach).order_by("-created_at")[:100])
    unread = sum(1 for n in items if n.read_at is None)
    return page(request, "protocol/notifications.html", {"notifications": items,
                                                         "unread_notifications": unread})


@coach_required
@require_POST
def notifications_read(request):
    # Notifications are messages to the coach, not part of any client's record, so marking
    # them read is a plain update with no event.
    Notification.objects.filter(coach=request.coach).unread().update(read_at=clock.now())
    return redirect("protocol:notifications")
