"""Letters: drafted from a step, edited while a draft, sent by email, then kept as sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted

from .. import selectors
from ..forms import LetterDraftForm, LetterForm
from ..letters import blame_words_in, letter_draft_from_record, letter_send, letter_update
from ..models import Letter
from .common import intervention_url, load_intervention, page


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
        letter = letter_draft_from_record(intervention=intervention, kind=form.cleaned_data["kind"],
                                          by=request.user)
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
        form = LetterForm(posted(request),
                          initial={"subject": letter.subject, "body": letter.body})
    elif request.method == "POST":
        raise Http404("A sent letter is kept as it was sent")
    if request.method == "POST" and form.is_valid():
        try:
            letter_update(letter=letter, by=request.user, subject=form.cleaned_data["subject"],
                          body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
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
