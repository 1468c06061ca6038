"""Step 3, reviewing the file (its report, shared with the client and as a PDF), and
step 5, the final review over the whole intervention."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.history.access_log import Kind, record_view
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted

from .. import selectors, services
from ..forms import FileReviewChooseForm, FinalReviewForm, ReviewFileForm
from ..letters import letter_draft
from ..models import FileReview, Step
from ..reports import file_review_context, file_review_pdf_response
from .common import intervention_url, load_intervention, page

CLOSING_LETTER = {"pause": "pause", "end": "ending", "back_on_track": "back_on_track"}


def _preview(engagement, count):
    """The report for the last `count` meetings before anything is saved: the same rows and
    template as the saved review, so what the coach shows is what gets recorded."""
    meetings = services.file_review_meetings(engagement, count)
    draft = FileReview(engagement=engagement, meetings_count=count, meeting_uids=[str(m.uid) for m in meetings])
    return selectors.file_review_data(draft)


@coach_required
@require_http_methods(["GET", "POST"])
def review_file(request, uid):
    intervention = load_intervention(request, uid)
    engagement = intervention.engagement
    if request.method == "POST":
        form = ReviewFileForm(request.POST)
        count = form.data.get("meetings_count")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    review, _ = services.step_review_file(
                        intervention=intervention, by=request.user, meetings_count=data["meetings_count"],
                        client_reaction=data["client_reaction"], share_with_client=data["share_with_client"],
                        note=data["note"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                shared = " It is shared in the client's portal." if review.shared_at else ""
                messages.success(request, "The file review is recorded." + shared)
                return redirect("protocol:file_review", uid=review.uid)
        choose = FileReviewChooseForm({"meetings": count})
    else:
        choose = FileReviewChooseForm(request.GET if "meetings" in request.GET else None, initial={"meetings": 3})
        form = None
    count = choose.cleaned_data["meetings"] if choose.is_bound and choose.is_valid() else 3
    if form is None:
        form = ReviewFileForm(initial={"meetings_count": count})
    report = _preview(engagement, count) if not choose.errors else None
    return page(request, "protocol/review_file.html", {
        "intervention": intervention, "engagement": engagement, "client": engagement.client,
        "choose": choose, "form": form, "report": report, "count": count,
        "allowed": Step.REVIEW_FILE in intervention.allowed_steps(),
    })


def _file_review(request, uid):
    return get_visible_or_404(FileReview.objects.select_related("engagement__client", "engagement__coach",
                                                                "intervention"), request.user, uid)


@coach_required
def file_review_detail(request, uid):
    review = _file_review(request, uid)
    record_view(request, client=review.engagement.client, kind=Kind.FILE_REVIEW, obj=review)
    return page(request, "protocol/file_review.html", file_review_context(review, pdf=False))


@coach_required
def file_review_pdf(request, uid):
    review = _file_review(request, uid)
    record_view(request, client=review.engagement.client, kind=Kind.FILE_REVIEW_PDF, obj=review)
    return file_review_pdf_response(request, review)


@coach_required
@require_POST
def file_review_share(request, uid):
    review = _file_review(request, uid)
    services.file_review_share(file_review=review, by=request.user)
    messages.success(request, "The file review is shared in the client's portal.")
    return redirect("protocol:file_review", uid=review.uid)


@coach_required
@require_http_methods(["GET", "POST"])
def final_review(request, uid):
    intervention = load_intervention(request, uid)
    form = FinalReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The outcome and its letter are one change: both are saved or neither is.
            with transaction.atomic():
                services.step_final_review(intervention=intervention, by=request.user, outcome=data["outcome"],
                                           check_back_on=data["check_back_on"], note=data["note"])
                letter = None
                if data["draft_letter"] and data["outcome"] in CLOSING_LETTER:
                    intervention.engagement.refresh_from_db()
                    letter = letter_draft(engagement=intervention.engagement, by=request.user,
                                          kind=CLOSING_LETTER[data["outcome"]], intervention=intervention)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _after_final_review(request, intervention, data["outcome"], letter)
        intervention.refresh_from_db()
    return page(request, "protocol/final_review.html", {
        **selectors.final_review_page(intervention), **selectors.intervention_page(intervention),
        "form": form, "allowed": Step.FINAL_REVIEW in intervention.allowed_steps(),
    })


def _after_final_review(request, intervention, outcome, letter):
    if outcome == "refer":
        messages.success(request, "The final review is recorded. Now choose the associate to refer the client to.")
        return redirect(intervention_url(intervention, "refer"))
    text = {"pause": "The engagement is paused until the check-back date.",
            "end": "The engagement has ended; the client can come back as a new engagement.",
            "back_on_track": "The client carries on as agreed."}[outcome]
    if letter is not None:
        messages.success(request, f"{text} The letter is drafted: read it through, adjust it, and send it.")
        return redirect(reverse("protocol:letter", args=[letter.uid]))
    messages.success(request, text)
    return redirect(intervention_url(intervention))
