"""Writing an agreement version, renegotiating it, and recording the client's acknowledgement."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.access import get_visible_or_404
from followthrough.clients import services
from followthrough.clients.models import Agreement, Engagement
from followthrough.clients.services import AGREEMENT_TERMS
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted
from followthrough.web.forms.clients import (
    AcknowledgeForm,
    AgreementForm,
    GoalFormSet,
    goal_initial,
)

from .common import file_url


@coach_required
@require_http_methods(["GET", "POST"])
def agreement_create(request, uid):
    engagement = get_visible_or_404(
        Engagement.objects.select_related("client__practice", "coach"), request.user, uid)
    current = engagement.agreements.prefetch_related("goals").order_by("-version").first()
    renegotiating = current is not None
    initial = ({name: getattr(current, name) for name in AGREEMENT_TERMS} if current
               else engagement.client.practice.agreement_defaults())
    form = AgreementForm(posted(request), initial=initial, practice=engagement.client.practice,
                         renegotiating=renegotiating)
    goals = GoalFormSet(posted(request), prefix="goals",
                        initial=goal_initial(current) if current else None)
    # Both are validated even when the first fails, so every mistake shows at once.
    if request.method == "POST" and all([form.is_valid(), goals.is_valid()]):
        submitted = [goal for goal in (f.goal() for f in goals.forms) if goal]
        # Goals handed back unchanged are carried over rather than rewritten, so each keeps
        # its link to the version it came from.
        unchanged = current is not None and submitted == goal_initial(current)
        try:
            agreement = services.agreement_create(
                engagement=engagement, by=request.user,
                goals=() if unchanged else submitted,
                renegotiation_reason=form.cleaned_data.get("renegotiation_reason", ""),
                **form.terms(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Agreement version {agreement.version} is written. "
                                      "Record the client's acknowledgement when they accept it.")
            return redirect(file_url(engagement.client, engagement, "agreement"))
    notice = ("This engagement has ended; its agreement stays as it was. Re-engage the client "
              "to agree anew." if engagement.state == Engagement.State.ENDED else "")
    return render(request, "web/agreement_form.html", {
        "engagement": engagement, "form": form, "goals": goals, "current": current,
        "renegotiating": renegotiating, "notice": notice,
    })


@coach_required
@require_http_methods(["GET", "POST"])
def agreement_acknowledge(request, uid):
    agreement = get_visible_or_404(
        Agreement.objects.select_related("engagement__client"), request.user, uid)
    engagement = agreement.engagement
    form = AcknowledgeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_acknowledge(agreement=agreement, by=request.user,
                                           typed_name=form.cleaned_data["typed_name"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Version {agreement.version} is acknowledged by "
                                      f"{engagement.client.full_name}.")
            return redirect(file_url(engagement.client, engagement, "agreement"))
    return render(request, "web/agreement_acknowledge.html",
                  {"agreement": agreement, "engagement": engagement, "form": form})
