"""Letters drafted from the records: editable while a draft, unchanged once sent."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks

from followthrough.history import clock, signing
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.ui import mail

from .models import FileReview, Letter, Step
from .referrals import referral_candidates
from .selectors import commitments_of_step, file_review_rows

SUBJECTS = {
    Letter.Kind.REAFFIRMATION: "Our agreement, in brief",
    Letter.Kind.FILE_REVIEW: "The record we looked at together",
    Letter.Kind.NEW_GOAL: "Your plan until our next meeting",
    Letter.Kind.PAUSE: "Pausing our coaching for now",
    Letter.Kind.ENDING: "Closing our coaching relationship, with the door open",
    Letter.Kind.BACK_ON_TRACK: "Carrying on together",
}

# Words that assign blame. Letters are written so that none of them appears; tests hold us to it.
BLAME_WORDS = ("fail", "failed", "failure", "lazy", "refuse", "refused", "excuse", "excuses", "fault",
               "blame", "unwilling", "disappoint", "disappointed", "disappointing", "noncompliant",
               "non-compliant", "careless", "irresponsible", "broken promise", "let me down", "should have")


def blame_words_in(text):
    lowered = text.lower()
    return [w for w in BLAME_WORDS if re.search(rf"\b{re.escape(w)}\b", lowered)]


def _associates(engagement):
    focus = engagement.agreements.order_by("-version").values_list("primary_focus", flat=True).first()
    candidates = referral_candidates(engagement=engagement, focus_area=engagement.coach.practice.focus_areas.get(
        pk=focus)) if focus else []
    chosen = [c for c in candidates if c.accepts_referrals][:3]
    for coach in chosen:
        coach.specialty_names = ", ".join(s.name for s in coach.specialties.all())
    return chosen


def letter_context(*, engagement, intervention=None, kind, commitments=(), file_review=None):
    agreement = engagement.agreements.select_related("primary_focus").order_by("-version").first()
    context = {
        "client": engagement.client, "greeting_name": engagement.client.greeting_name,
        "coach": engagement.coach, "engagement": engagement,
        "agreement": agreement, "goals": list(agreement.goals.all()) if agreement else [],
        "commitments": list(commitments), "retention_years": settings.RECORD_RETENTION_YEARS,
        "step": intervention.steps.filter(step="reaffirm").last() if intervention else None,
    }
    if kind in (Letter.Kind.PAUSE, Letter.Kind.ENDING):
        context["associates"] = _associates(engagement)
    if kind == Letter.Kind.FILE_REVIEW:
        file_review = file_review or FileReview.objects.filter(engagement=engagement).first()
        context["review"] = file_review
        context.update(file_review_rows(file_review))
    return context


@transaction.atomic
def letter_draft(*, engagement, by, kind, intervention=None, commitments=(), file_review=None):
    if kind not in Letter.Kind.values:
        raise ValidationError({"kind": f"{kind!r} is not a kind of letter."})
    if kind == Letter.Kind.REAFFIRMATION and (intervention is None or not intervention.steps.filter(
            step="reaffirm").exists()):
        raise ValidationError({"kind": "Record the reaffirmation step before drafting its recap."})
    if kind == Letter.Kind.FILE_REVIEW and file_review is None and not engagement.file_reviews.exists():
        raise ValidationError({"kind": "Review the file before drafting its letter."})
    context = letter_context(engagement=engagement, intervention=intervention, kind=kind,
                             commitments=commitments, file_review=file_review)
    body = render_to_string(f"protocol/letters/{kind}.txt", context).strip() + "\n"
    body = re.sub(r"\n{3,}", "\n\n", body)
    return tracked_create(
        Letter(engagement=engagement, intervention=intervention, kind=kind, subject=SUBJECTS[kind], body=body),
        by=by, action="letter.drafted",
    )


@transaction.atomic
def letter_update(*, letter, by, subject, body):
    lock(letter)
    if letter.is_sent:
        raise ValidationError("This letter was sent and is kept as it was sent.")
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = "A letter needs a subject."
    if not (body or "").strip():
        errors["body"] = "A letter needs some text."
    if errors:
        raise ValidationError(errors)
    return tracked_update(letter, by=by, action="letter.edited",
                          changes={"subject": subject.strip(), "body": body.strip() + "\n"})


@transaction.atomic
def letter_send(*, letter, by):
    lock(letter)
    if letter.is_sent:
        raise ValidationError("This letter was already sent.")
    client = letter.engagement.client
    if not client.email:
        raise ValidationError({"email": f"{client} has no email address on file; add one to send letters."})
    # The log's head as the letter leaves: a copy the database does not hold, with which
    # `followthrough verify --head` later proves the record up to this letter unchanged.
    body = f"{letter.body.rstrip()}\n\n--\nRecord check: {signing.current()}\n"
    message = EmailMultiAlternatives(
        subject=letter.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[client.email],
        reply_to=[letter.engagement.coach.user.email] if letter.engagement.coach.user.email else None,
    )
    message.attach_alternative(
        f"<!doctype html><html><body>{linebreaks(escape(body))}</body></html>", "text/html")
    mail.send(message)
    return tracked_update(letter, by=by, action="letter.sent",
                          changes={"sent_at": clock.now(), "sent_to": client.email})


def letter_draft_from_record(*, intervention, kind, by):
    """Draft the letter of `kind` from what the intervention recorded: the new goal's
    commitments for its letter, the latest file review for the review's letter."""
    commitments = commitments_of_step(intervention, Step.NEW_GOAL) if kind == Letter.Kind.NEW_GOAL else ()
    review = intervention.file_reviews.order_by("-created_at").first() if kind == Letter.Kind.FILE_REVIEW else None
    return letter_draft(engagement=intervention.engagement, by=by, kind=kind, intervention=intervention,
                        commitments=commitments, file_review=review)
