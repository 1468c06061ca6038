"""A file review as a document: the page's context, and the same template laid out for
paper as a PDF, for the coach's pages and the client's portal alike."""

from django.http import HttpResponse
from django.template.loader import render_to_string

from . import selectors


def file_review_context(review, *, pdf, for_client=False):
    return {**selectors.file_review_data(review), "pdf": pdf, "for_client": for_client,
            "base_template": "protocol/pdf_base.html" if pdf else "base.html"}


def file_review_pdf_response(request, review, *, for_client=False):
    """The same template as the page, laid out for paper by its PDF base (coach and client
    alike; the client's copy speaks to them)."""
    from weasyprint import HTML  # slow to import: only a PDF request pays for it

    html = render_to_string("protocol/file_review.html", file_review_context(review, pdf=True, for_client=for_client),
                            request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"file-review-{review.created_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
