"""Helpers the protocol views share."""

from django.shortcuts import render
from django.urls import reverse

from followthrough.access import get_visible_or_404

from ..models import Intervention, Notification


def load_intervention(request, uid):
    return get_visible_or_404(
        Intervention.objects.select_related("engagement__client", "engagement__coach__practice", "opened_by"),
        request.user, uid)


def page(request, template, context, *, status=200):
    """Render a protocol page with the coach's unread notification count for the badge."""
    context.setdefault("unread_notifications",
                       Notification.objects.filter(coach=request.coach).unread().count())
    return render(request, template, context, status=status)


def intervention_url(intervention, anchor=""):
    return reverse("protocol:intervention", args=[intervention.uid]) + (f"#{anchor}" if anchor else "")
