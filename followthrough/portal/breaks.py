"""The client's planned breaks: recorded ahead (a holiday, surgery) so what falls due in
them is set aside, and cancelled if plans change. The rules are the service's, as on the
coach's page and in the API."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement, PlannedBreak
from followthrough.clients.services import planned_break_cancel, planned_break_record
from followthrough.ui.decorators import client_required
from followthrough.ui.forms import apply_service_errors, posted

from .forms import PlannedBreakForm


def _active_engagements(user):
    return list(Engagement.objects.visible_to(user).filter(state=Engagement.State.ACTIVE)
                .select_related("coach").order_by("-started_on", "pk"))


@client_required
@require_http_methods(["GET", "POST"])
def planned_breaks(request):
    user = request.user
    active = _active_engagements(user)
    form = PlannedBreakForm(posted(request))
    if request.method == "POST" and form.is_valid():
        chosen = next((e for e in active if str(e.uid) == request.POST.get("engagement")),
                      active[0] if active else None)
        try:
            if chosen is None:
                raise ValidationError("Your coaching is not active just now, so there is nothing to take a break from.")
            brk = planned_break_record(engagement=chosen, by=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            waived = brk.waived_commitments.count()
            set_aside = (f"{waived} action{'s' if waived != 1 else ''} due in it "
                         f"{'are' if waived != 1 else 'is'} set aside; " if waived else "")
            messages.success(request, f"Your break ({brk.words}) is noted. {set_aside}"
                                      f"{chosen.coach.display_name} can see it.")
            return redirect("portal_breaks")
    breaks = list(PlannedBreak.objects.visible_to(user).select_related("engagement__coach")
                  .order_by("-starts_on", "-pk"))
    return render(request, "portal/breaks.html", {
        "form": form, "active": active, "breaks": breaks, "today": request.client.today(),
    }, status=400 if form.errors else 200)


@client_required
@require_POST
def planned_break_cancel_view(request, uid):
    brk = get_visible_or_404(PlannedBreak.objects.select_related("engagement__client"), request.user, uid)
    try:
        planned_break_cancel(planned_break=brk, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, f"Your break ({brk.words}) is cancelled; actions it had set aside are open again.")
    return redirect("portal_breaks")
