"""A referral, seen from both sides: the referring coach records the client's consent; the
associate accepts, declines and completes, seeing only what the client agreed to share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from followthrough.access import get_visible_or_404
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors

from .. import selectors
from ..forms import ConsentForm, ReferralNoteForm
from ..models import Referral
from ..referrals import referral_accept, referral_complete, referral_decline, referral_record_consent
from .common import page


def _referral(request, uid):
    return get_visible_or_404(
        Referral.objects.select_related("from_engagement__client", "from_engagement__coach", "to_coach",
                                        "focus_area", "intervention", "associate_engagement"),
        request.user, uid)


def _render(request, referral, consent_form=None, note_form=None):
    data = selectors.referral_page(referral, request.coach)
    if data["is_referrer"] and referral.status in (Referral.Status.OFFERED, Referral.Status.ACCEPTED):
        data["consent_form"] = consent_form or ConsentForm(initial={
            "shares_agreement": referral.shares_agreement, "shares_summaries": referral.shares_summaries,
            "shares_commitments": referral.shares_commitments, "consent_note": referral.consent_note})
    if data["is_associate"]:
        data["note_form"] = note_form or ReferralNoteForm()
    return page(request, "protocol/referral.html", data)


@coach_required
def referral_detail(request, uid):
    return _render(request, _referral(request, uid))


@coach_required
@require_POST
def referral_consent(request, uid):
    referral = _referral(request, uid)
    if referral.from_engagement.coach_id != request.coach.pk:
        raise Http404("No such record")
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            referral_record_consent(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The client's consent is recorded; the associate now sees the parts "
                                      "of the file the client agreed to share.")
            return redirect("protocol:referral", uid=referral.uid)
    return _render(request, referral, consent_form=form)


def _associate_move(move, success):
    @coach_required
    @require_POST
    def view(request, uid):
        referral = _referral(request, uid)
        # Only the associate answers a referral; to the referring coach this action does not exist.
        if referral.to_coach_id != request.coach.pk:
            raise Http404("No such record")
        form = ReferralNoteForm(request.POST)
        form.is_valid()
        try:
            move(referral, request.user, form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return _render(request, referral, note_form=form)
        messages.success(request, success)
        return redirect("protocol:referral", uid=referral.uid)

    view.__name__ = f"referral_{move.__name__.strip('_')}"
    return view


def _accept(referral, by, note):
    referral_accept(referral=referral, by=by)


def _decline(referral, by, note):
    referral_decline(referral=referral, by=by, note=note)


def _complete(referral, by, note):
    referral_complete(referral=referral, by=by, note=note)


referral_accept_view = _associate_move(
    _accept, "You have taken the client on: they are in your caseload as a new engagement.")
referral_decline_view = _associate_move(_decline, "The referral is declined; the referring coach is told.")
referral_complete_view = _associate_move(
    _complete, "The referral is completed. The referring coach is told the client may come back.")
