"""What the coach shares with the client: sent letters and file reviews marked shared.

Drafts and unshared reviews stay with the coach: the querysets below only ever contain
what was sent or shared, so a client guessing an id of a draft gets 404 like any stranger.
"""

from django.shortcuts import render

from followthrough.access import get_visible_or_404
from followthrough.history.access_log import Kind, record_view
from followthrough.protocol.models import FileReview, Letter
from followthrough.protocol.reports import file_review_pdf_response
from followthrough.protocol.selectors import file_review_data
from followthrough.ui.decorators import client_required


def shared_with(user):
    return {
        "shared_letters": list(Letter.objects.visible_to(user).sent().order_by("-sent_at")),
        "shared_reviews": list(FileReview.objects.visible_to(user).shared()
                               .select_related("engagement__coach").order_by("-shared_at")),
    }


def _shared_review(request, uid):
    return get_visible_or_404(
        FileReview.objects.shared().select_related("engagement__client", "engagement__coach"), request.user, uid)


@client_required
def letter(request, uid):
    sent = get_visible_or_404(Letter.objects.sent().select_related("engagement__coach"), request.user, uid)
    return render(request, "portal/letter.html", {"letter": sent})


@client_required
def file_review(request, uid):
    review = _shared_review(request, uid)
    record_view(request, client=review.engagement.client, kind=Kind.FILE_REVIEW, obj=review)
    return render(request, "portal/file_review.html", file_review_data(review))


@client_required
def file_review_pdf(request, uid):
    review = _shared_review(request, uid)
    record_view(request, client=review.engagement.client, kind=Kind.FILE_REVIEW_PDF, obj=review)
    return file_review_pdf_response(request, review, for_client=True)
