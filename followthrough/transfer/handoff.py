"""Taking on a client from another Followthrough installation, from their export.

The export's engagements are replayed through the services at their own dates: each
becomes an engagement with the receiving coach (earlier ones ended, as they were; the last
one open), with its agreement versions, meetings, and commitments reviewed where they were
reviewed. Every event is labelled with where it came from, so the receiving practice's log
says the history was handed off rather than lived here.
"""

import json
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from followthrough.clients.services import (
    AGREEMENT_TERMS,
    agreement_acknowledge,
    agreement_create,
    client_create,
    engagement_end,
    engagement_start,
)
from followthrough.commitments.services import PLAN_FIELDS, MeetingReview, Review, commitment_create, meeting_review
from followthrough.history import clock
from followthrough.history.services import noted
from followthrough.meetings.services import meeting_create
from followthrough.ui import mail

from .exporting import FORMAT, VERSION

REVIEWED = ("kept", "partly_kept", "missed", "waived")


class HandoffFailed(Exception):
    pass


class _DryRun(Exception):
    pass


def read_document(binary):
    """The export document from a ZIP (its export.json) or from the JSON itself."""
    binary.seek(0)
    try:
        if zipfile.is_zipfile(binary):
            binary.seek(0)
            with zipfile.ZipFile(binary) as archive:
                doc = json.loads(archive.read("export.json"))
        else:
            binary.seek(0)
            doc = json.load(binary)
    except (KeyError, ValueError, zipfile.BadZipFile):
        raise HandoffFailed("This is not a Followthrough export: no readable export.json.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise HandoffFailed("This is not a Followthrough export.")
    if doc.get("version") != VERSION:
        raise HandoffFailed(f"This export is format version {doc.get('version')}; we read version {VERSION}.")
    if len(doc.get("clients") or []) != 1:
        raise HandoffFailed("A hand-off is one client's export; this one holds "
                            f"{len(doc.get('clients') or [])} clients.")
    return doc


def _at(text):
    return datetime.fromisoformat(text) if text else None


def _day(text):
    return datetime.fromisoformat(text).date() if text else None


def handoff_import(binary, *, coach, by, dry_run=False):
    """A new client of `coach` from another installation's export; all of it or nothing."""
    doc = read_document(binary)
    source = doc["source"]["practice"]
    focus = {area.slug: area for area in coach.practice.focus_areas.all()}
    try:
        with transaction.atomic(), noted(f"handed off from {source} ({doc['exported_by']})"[:120]), \
                mail.held_back():
            client = _replay(doc["clients"][0], coach=coach, by=by, focus=focus)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return client
    except ValidationError as exc:
        raise HandoffFailed("; ".join(exc.messages)) from None
    return client


def _focus(focus, slug):
    if slug not in focus:
        raise HandoffFailed(f"This practice has no focus area “{slug}”, which the client's records use; "
                            "add it under focus areas first.")
    return focus[slug]


def _replay(data, *, coach, by, focus):
    client, engagement = None, None
    engagements = data["engagements"] or [{"started_on": None, "agreements": [], "meetings": [],
                                           "commitments": []}]
    for index, source in enumerate(engagements):
        started_on = _day(source["started_on"]) or coach.practice.today()
        with clock.set_to(min(_at(source.get("created_at")) or clock.now(), clock.now())):
            if client is None:
                client = client_create(coach=coach, by=by, full_name=data["full_name"], email=data.get("email", ""),
                                       phone=data.get("phone", ""), timezone=data.get("timezone") or "UTC",
                                       started_on=started_on)
                engagement = client.engagements.get()
            else:
                if engagement.state != "ended":
                    engagement_end(engagement=engagement, by=by, note="Continued in a new engagement.")
                engagement = engagement_start(client=client, coach=coach, by=by, started_on=started_on,
                                              previous=engagement)
        _replay_engagement(source, engagement, by=by, focus=focus, name=client.full_name)
        if index < len(engagements) - 1 and source.get("ended_on"):
            with clock.set_to(min(_at(source["ended_on"] + "T17:00:00+00:00"), clock.now())):
                engagement_end(engagement=engagement, by=by, note="Ended, as in the source practice.")
    return client


def _replay_engagement(source, engagement, *, by, focus, name):
    for version in source["agreements"]:
        terms = {k: version[k] for k in AGREEMENT_TERMS if k in version and k != "primary_focus"}
        terms["primary_focus"] = _focus(focus, version["primary_focus"])
        if terms.get("fee_amount") is not None:
            terms["fee_amount"] = Decimal(terms["fee_amount"])
        goals = [{k: g.get(k, "") for k in ("title", "measure", "level_minus_2", "level_minus_1", "level_0",
                                              "level_plus_1", "level_plus_2")} for g in version["goals"]]
        with clock.set_to(min(_at(version["created_at"]), clock.now())):
            agreement = agreement_create(engagement=engagement, by=by, goals=goals,
                                         renegotiation_reason=version.get("renegotiation_reason") or "", **terms)
        if version.get("acknowledged_at"):
            with clock.set_to(min(_at(version["acknowledged_at"]), clock.now())):
                agreement_acknowledge(agreement=agreement, typed_name=name, by=by)
    _replay_meetings(source, engagement, by=by, focus=focus)


def _commitment_values(c):
    # Lineage (reinstated, trimmed) is not replayed: it names records of the source.
    values = {"description": c["description"], "due_on": _day(c["due_on"])}
    for name in PLAN_FIELDS:
        value = c.get(name)
        values[name] = _at(value) if name == "planned_at" and value else value
    return values


def _replay_meetings(source, engagement, *, by, focus):
    made_at = {}
    for c in source["commitments"]:
        made_at.setdefault(c.get("made_at_uid"), []).append(c)
    created = {}  # source uid -> new commitment
    for c in made_at.pop(None, []):
        with clock.set_to(min(_at(c["created_at"]), clock.now())):
            created[c["uid"]] = commitment_create(engagement=engagement, by=by, **_commitment_values(c))
    reviewed_in = {}
    for c in source["commitments"]:
        if c["outcome"] in REVIEWED and c.get("reviewed_in_uid"):
            reviewed_in.setdefault(c["reviewed_in_uid"], []).append(c)
    for m in source["meetings"]:
        if m["status"] == "cancelled" or (m["status"] == "planned" and _at(m["starts_at"]) < clock.now()):
            continue
        starts_at = _at(m["starts_at"])
        areas = [_focus(focus, slug) for slug in m["focus_areas"]]
        notes = (m.get("private_notes") or {}).get("text", "")
        ends_at = starts_at + timedelta(minutes=m["duration_minutes"])
        with clock.set_to(min(ends_at, clock.now()) if m["status"] != "planned" else clock.now()):
            meeting = meeting_create(engagement=engagement, by=by, starts_at=starts_at, status=m["status"],
                                     focus_areas=areas, duration_minutes=m["duration_minutes"],
                                     client_summary=m.get("client_summary", ""), private_notes=notes,
                                     paid=m.get("paid", False))
            if meeting.status != "held":
                continue
            reviews = [Review(commitment=created[c["uid"]], outcome=c["outcome"],
                              kept_fraction=Decimal(c["kept_fraction"]) if c.get("kept_fraction") else None,
                              client_reason=c.get("client_reason", ""))
                       for c in reviewed_in.get(m["uid"], []) if c["uid"] in created]
            new = made_at.get(m["uid"], [])
            made = meeting_review(meeting=meeting, by=by, review=MeetingReview(
                reviews=reviews, new_commitments=[_commitment_values(c) for c in new]))
        created.update((c["uid"], commitment) for c, commitment in zip(new, made, strict=True))
