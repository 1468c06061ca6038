"""Referring a client to an associate outside the practice, from the client's file."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted
from followthrough.web.forms.practice import ExternalReferralForm
from followthrough.web.services import external_candidates, external_referral_create

from .common import file_url


@coach_required
@require_http_methods(["GET", "POST"])
def external_referral_create_view(request, uid):
    engagement = get_visible_or_404(Engagement.objects.select_related("client__practice", "coach__user"),
                                    request.user, uid)
    practice = engagement.client.practice
    current = engagement.agreements.select_related("primary_focus").order_by("-version").first()
    wanted = request.POST.get("focus_area") or request.GET.get("focus")
    focus = ((practice.focus_areas.filter(slug=wanted).first() if wanted else None)
             or (current.primary_focus if current else practice.focus_areas.first()))
    candidates = external_candidates(engagement=engagement, focus_area=focus)
    form = ExternalReferralForm(posted(request), initial={"focus_area": focus}, candidates=candidates,
                                practice=practice)
    if request.method == "POST" and form.is_valid():
        try:
            referral = external_referral_create(engagement=engagement, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            sent = f" The letter goes to {referral.letter_to}." if referral.letter_to else (
                " The associate has no email address listed: send them the letter yourself.")
            messages.success(request, f"{engagement.client} is referred to {referral.associate}.{sent}")
            return redirect(file_url(engagement.client, engagement))
    return render(request, "web/external_referral.html", {
        "engagement": engagement, "form": form, "focus": focus, "has_candidates": bool(candidates)})
