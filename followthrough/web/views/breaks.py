"""Planned breaks on the coach's side: recording one for a client and cancelling it. The
rules are the service's, as in the portal and the API."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement, PlannedBreak
from followthrough.clients.services import planned_break_cancel, planned_break_record
from followthrough.portal.forms import PlannedBreakForm
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted

from .common import file_url


@coach_required
@require_http_methods(["GET", "POST"])
def planned_break_create(request, uid):
    engagement = get_visible_or_404(Engagement.objects.select_related("client", "coach"), request.user, uid)
    form = PlannedBreakForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            brk = planned_break_record(engagement=engagement, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            waived = brk.waived_commitments.count()
            messages.success(request, f"Planned break recorded: {brk.words}. "
                                      f"{waived} open commitment{'s' if waived != 1 else ''} due in it "
                                      f"{'were' if waived != 1 else 'was'} waived for the break.")
            return redirect(file_url(engagement.client, engagement, "breaks"))
    breaks = list(engagement.planned_breaks.select_related("engagement__client").order_by("-starts_on", "-pk"))
    return render(request, "web/planned_break_form.html", {
        "engagement": engagement, "form": form, "breaks": breaks, "today": engagement.client.today(),
    })


@coach_required
@require_POST
def planned_break_cancel_view(request, uid):
    brk = get_visible_or_404(PlannedBreak.objects.select_related("engagement__client"), request.user, uid)
    engagement = brk.engagement
    try:
        planned_break_cancel(planned_break=brk, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, f"Planned break {brk.words} is cancelled; the commitments it waived and no "
                               "meeting has reviewed are open again.")
    return redirect(file_url(engagement.client, engagement, "breaks"))
