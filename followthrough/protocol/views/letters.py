"""Letters: drafted from a step, edited while a draft, sent by email, then kept as sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.web.decorators import coach_required

from .. import selectors
from ..forms import LetterDraftForm, LetterForm
from ..letters import blame_words_in, letter_draft, letter_send, letter_update
from ..models import Letter, Step
from .common import intervention_url, load_intervention, page, service_failed
from .interventions import commitments_of_step


def draft_for(intervention, kind, by):
    """Draft the letter of `kind` from what the intervention recorded."""
    commitments = commitments_of_step(intervention, Step.NEW_GOAL) if kind == Letter.Kind.NEW_GOAL else ()
    review = intervention.file_reviews.order_by("-created_at").first() if kind == Letter.Kind.FILE_REVIEW else None
    return letter_draft(engagement=intervention.engagement, by=by, kind=kind, intervention=intervention,
                        commitments=commitments, file_review=review)


@coach_required
@require_POST
def letter_create(request, uid):
    intervention = load_intervention(request, uid)
    form = LetterDraftForm(request.POST)
    offered = {kind for kind, _ in selectors.letter_kinds(intervention)}
    if not form.is_valid() or form.cleaned_data["kind"] not in offered:
        messages.error(request, "That letter does not follow from a step recorded here yet.")
        return redirect(intervention_url(intervention, "letters"))
    try:
        letter = draft_for(intervention, form.cleaned_data["kind"], request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(intervention_url(intervention, "letters"))
    messages.success(request, "The letter is drafted from the record. Read it through and adjust it before sending.")
    return redirect("protocol:letter", uid=letter.uid)


def _letter(request, uid):
    return get_visible_or_404(Letter.objects.select_related("engagement__client", "engagement__coach",
                                                            "intervention"), request.user, uid)


@coach_required
@require_http_methods(["GET", "POST"])
def letter_detail(request, uid):
    letter = _letter(request, uid)
    form = None
    if not letter.is_sent:
        form = LetterForm(request.POST if request.method == "POST" else None,
                          initial={"subject": letter.subject, "body": letter.body})
    elif request.method == "POST":
        raise Http404("A sent letter is kept as it was sent")
    if request.method == "POST" and form.is_valid():
        try:
            letter_update(letter=letter, by=request.user, subject=form.cleaned_data["subject"],
                          body=form.cleaned_data["body"])
        except ValidationError as exc:
            service_failed(form, exc)
        else:
            messages.success(request, "The draft is saved.")
            return redirect("protocol:letter", uid=letter.uid)
    text = form.data.get("body", letter.body) if form is not None and form.is_bound else letter.body
    return page(request, "protocol/letter.html", {
        "letter": letter, "form": form, "client": letter.engagement.client,
        "blame_words": blame_words_in(text),
    })


@coach_required
@require_POST
def letter_send_view(request, uid):
    letter = _letter(request, uid)
    try:
        letter_send(letter=letter, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The letter is sent to {letter.sent_to}. It is kept here exactly as sent.")
    return redirect("protocol:letter", uid=letter.uid)
