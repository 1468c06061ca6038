"""A client's records as one JSON document (docs/export-format.md), and the ZIP around it.

Two audiences: the coach's export (on the client's behalf, or a practice's for migration)
carries private notes, marked as such; the client's own carries everything about them but
those notes, letters still in draft and file reviews not shared with them.
"""

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.template.loader import render_to_string

from followthrough.clients.models import Client, Engagement
from followthrough.history import access_log, clock, signing
from followthrough.history.models import AccessRecord, Event, json_safe
from followthrough.history.services import actor_label_for
from followthrough.notifications.models import Reminder
from followthrough.portal.models import PlanRequest
from followthrough.protocol.models import FileReview, Intervention, Letter, Referral
from followthrough.protocol.reports import file_review_context

FORMAT = "followthrough-export"
VERSION = 1
COACH, CLIENT, PRACTICE = "coach", "client", "practice"
PRIVATE_NOTE = "private to the coach: not in the client's own export"


def _value(obj, model_field):
    if isinstance(model_field, models.ForeignKey):
        related = getattr(obj, model_field.name)
        if related is None:
            return None
        return str(related.uid) if hasattr(related, "uid") else str(related)
    value = getattr(obj, model_field.attname)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return json_safe(value) if isinstance(value, (date, datetime)) or hasattr(value, "hex") else value


def record(obj, *, skip=()):
    """Every stored field of a row, foreign keys by the related record's uid."""
    data = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.name in ("id", *skip) or isinstance(model_field, models.OneToOneField) and \
                model_field.name.endswith("_ptr"):
            continue
        key = model_field.name if not isinstance(model_field, models.ForeignKey) else f"{model_field.name}_uid"
        data[key] = _value(obj, model_field)
    return data


def _meeting(meeting, audience):
    data = record(meeting, skip=("engagement", "private_notes"))
    data["focus_areas"] = sorted(area.slug for area in meeting.focus_areas.all())
    data["goal_scores"] = [record(s, skip=("meeting",)) for s in meeting.goal_scores.all()] \
        if hasattr(meeting, "goal_scores") else []
    if audience != CLIENT:
        data["private_notes"] = {"text": meeting.private_notes, "private": True, "note": PRIVATE_NOTE}
    try:
        check = meeting.meeting_check
    except ObjectDoesNotExist:
        check = None
    data["meeting_check"] = record(check, skip=("meeting",)) | {"score": check.score} if check else None
    return data


def _agreement(agreement):
    data = record(agreement, skip=("engagement", "created_by"))
    data["primary_focus"] = agreement.primary_focus.slug
    data.pop("primary_focus_uid", None)
    data["goals"] = [record(goal, skip=("agreement",)) for goal in agreement.goals.all()]
    return data


def _engagement(engagement, audience):
    letters = Letter.objects.filter(engagement=engagement).order_by("created_at")
    reviews = FileReview.objects.filter(engagement=engagement).order_by("created_at")
    if audience == CLIENT:
        letters, reviews = letters.filter(sent_at__isnull=False), reviews.filter(shared_at__isnull=False)
    interventions = Intervention.objects.filter(engagement=engagement).prefetch_related("steps")
    return {
        **record(engagement, skip=("client",)),
        "coach": {"uid": str(engagement.coach.uid), "name": engagement.coach.display_name},
        "transitions": [record(t, skip=("engagement", "by")) for t in engagement.transitions.order_by("at")],
        "agreements": [_agreement(a) for a in engagement.agreements.select_related("primary_focus")
                       .prefetch_related("goals").order_by("version")],
        "meetings": [_meeting(m, audience) for m in engagement.meetings.select_related("meeting_check")
                     .prefetch_related("focus_areas")
                     .order_by("starts_at")],
        "commitments": [record(c, skip=("engagement",)) for c in engagement.commitments.order_by("due_on", "pk")],
        "planned_breaks": [record(b, skip=("engagement", "recorded_by"))
                           for b in engagement.planned_breaks.order_by("starts_on", "pk")],
        "interventions": [{**record(i, skip=("engagement",)),
                           "steps": [record(s, skip=("intervention", "by")) for s in i.steps.order_by("at")]}
                          for i in interventions.order_by("created_at")],
        "letters": [record(letter, skip=("engagement",)) for letter in letters],
        "file_reviews": [record(review, skip=("engagement",)) for review in reviews],
        "referrals": [record(r, skip=("from_engagement",)) for r in
                      Referral.objects.filter(from_engagement=engagement).order_by("created_at")],
    }


def client_document(client, *, audience):
    engagements = (Engagement.objects.filter(client=client).select_related("coach").order_by("started_on", "pk"))
    commitments = {"commitment__engagement__client": client}
    return {
        **record(client, skip=("practice", "user")),
        "has_portal_account": client.user_id is not None,
        "engagements": [_engagement(e, audience) for e in engagements],
        "plan_requests": [record(p, skip=("requested_by", "answered_by"))
                          for p in PlanRequest.objects.filter(**commitments).order_by("requested_at")],
        "reminders_sent": [{"commitment_uid": str(r.commitment.uid), "kind": r.kind, "due_on": r.due_on.isoformat(),
                            "sent_at": json_safe(r.sent_at)}
                           for r in Reminder.objects.filter(**commitments, sent_at__isnull=False)
                           .select_related("commitment").order_by("sent_at")],
        "access_records": [{"at": json_safe(a.at), "by": a.actor_label, "kind": a.kind,
                            "object_uid": a.object_uid} for a in access_log.views_of_client(client)],
        "history": [{"seq": seq, "at": json_safe(at), "by": label, "action": action, "object_type": kind,
                     "object_uid": uid, "hash": digest}
                    for seq, at, label, action, kind, uid, digest in
                    Event.objects.filter(client_uid=str(client.uid)).order_by("seq").values_list(
                        "seq", "at", "actor_label", "action", "object_type", "object_uid", "hash")],
    }


def _head():
    head = signing.current()
    return {"seq": head.seq, "hash": head.hash, "signature": head.signature, "value": str(head)}


def document(clients, *, audience, by, practice):
    return {
        "format": FORMAT,
        "version": VERSION,
        "audience": audience,
        "exported_at": json_safe(clock.now()),
        "exported_by": actor_label_for(by),
        "source": {"practice": practice.name, "practice_uid": str(practice.uid), "timezone": practice.timezone},
        "log_head": _head(),
        "focus_areas": [{"slug": a.slug, "name": a.name} for a in practice.focus_areas.order_by("position", "name")],
        "clients": [client_document(c, audience=audience) for c in clients],
    }


def _letter_pdf(letter):
    from weasyprint import HTML  # slow to import: only an export pays for it

    return HTML(string=render_to_string("transfer/letter_pdf.html", {"letter": letter})).write_pdf()


def _file_review_pdf(review):
    from weasyprint import HTML

    html = render_to_string("protocol/file_review.html", file_review_context(review, pdf=True))
    return HTML(string=html).write_pdf()


def log_export(client, *, by):
    """The export is itself on record: who took the client's file out, and when."""
    AccessRecord.objects.create(user=by, actor_label=actor_label_for(by), practice_id=client.practice_id,
                                client_uid=str(client.uid), kind=AccessRecord.Kind.EXPORT)


def write_zip(out, clients, *, audience, by, practice, pdfs=True):
    """Write the ZIP to the binary stream `out`: export.json, then the PDFs per client."""
    clients = list(clients)
    for client in clients:
        log_export(client, by=by)
    doc = document(clients, audience=audience, by=by, practice=practice)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(doc, ensure_ascii=False, indent=1))
        archive.writestr("README.txt", render_to_string("transfer/export_readme.txt", {"doc": doc}))
        if not pdfs:
            return doc
        for client, data in zip(clients, doc["clients"], strict=True):
            folder = f"{client.uid}/" if audience == PRACTICE else ""
            for engagement in data["engagements"]:
                for letter in Letter.objects.filter(uid__in=[x["uid"] for x in engagement["letters"]]):
                    archive.writestr(f"{folder}letters/{letter.created_at:%Y-%m-%d}-{letter.uid}.pdf",
                                     _letter_pdf(letter))
                for review in FileReview.objects.filter(uid__in=[x["uid"] for x in engagement["file_reviews"]]):
                    archive.writestr(f"{folder}file-reviews/{review.created_at:%Y-%m-%d}-{review.uid}.pdf",
                                     _file_review_pdf(review))
    return doc


def client_zip(client, *, audience, by):
    buffer = io.BytesIO()
    write_zip(buffer, [client], audience=audience, by=by, practice=client.practice)
    return buffer.getvalue()


def practice_clients(practice):
    return Client.objects.filter(practice=practice).order_by("pk")
