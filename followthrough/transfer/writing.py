"""Writing a checked spreadsheet through the services, each record at its own date."""

import os
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from followthrough.clients.services import agreement_create, client_create, engagement_end, engagement_pause
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.history import clock
from followthrough.history.services import noted
from followthrough.meetings.services import meeting_create
from followthrough.ui import mail

from .importing import SERVICE_FIELDS, Context, ImportFailed, Report, check, read_row
from .rows import Problem, open_rows


@dataclass
class ClientWrite:
    client: object
    engagement: object
    focus: object
    group: list = field(default_factory=list)  # rows of the meeting not yet written
    awaiting: list = field(default_factory=list)  # (commitment, row) reviewed at a later meeting
    moved: object = None  # the row saying the engagement is paused or ended
    last_at: object = None  # when the last meeting written ended


def import_file(binary, *, filename, practice, coach, by, dry_run=False):
    """Check the file; unless it is a dry run and when nothing is wrong, import all of it.

    Raises ImportFailed with the problems (nothing written) or returns the Report.
    """
    report = check(open_rows(binary, filename), practice=practice, coach=coach)
    if not report.ok:
        raise ImportFailed(report.problems)
    if dry_run:
        return report
    source = open_rows(binary, filename)
    ctx = Context(practice=practice, coach=coach)
    label = os.path.basename(filename or "") or "a spreadsheet"
    with transaction.atomic(), noted(f"imported from {label}"), mail.held_back():
        clients = {}
        for number, raw in source.rows:
            problems = []
            row = read_row(number, raw, ctx, problems)
            if problems:  # the file changed between the check and the write
                raise ImportFailed(problems)
            _write_row(row, clients, ctx, by)
        for state in clients.values():
            _flush(state, by)
            _move(state, ctx, by)
    return report


def _move(state, ctx, by):
    """Pause or end the engagement as the file says, through the move the pages make (it
    cancels planned meetings and withdraws open commitments), dated its own day."""
    row = state.moved
    if row is None or row.state == "active":
        return
    since = row.state_since or (state.last_at.astimezone(ctx.tz).date() if state.last_at else None)
    at = max(_morning(since, ctx), state.last_at) if since and state.last_at else (
        _morning(since, ctx) if since else clock.now())
    try:
        with clock.set_to(min(at, clock.now())):
            if row.state == "paused":
                engagement_pause(engagement=state.engagement, until=row.check_back_on, by=by)
            else:
                engagement_end(engagement=state.engagement, by=by)
    except ValidationError as exc:
        raise _service_errors(row, exc) from None


def _morning(day, ctx):
    return datetime.combine(day, time(8, 0), tzinfo=ctx.tz)


def _service_errors(row, exc):
    problems = []
    for name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
        column = SERVICE_FIELDS.get(name.rsplit("-", 1)[-1], name if name != "__all__" else "")
        problems.extend(Problem(row.number, column, message) for message in messages)
    return ImportFailed(problems)


def _write_row(row, clients, ctx, by):
    state = clients.get(row.key)
    try:
        if state is None:
            state = clients[row.key] = _start_client(row, ctx, by)
        if row.state and state.moved is None:
            state.moved = row
        if row.meeting is None:
            return
        if state.group and state.group[0].meeting["starts_at"] != row.meeting["starts_at"]:
            _flush(state, by)
        state.group.append(row)
    except ValidationError as exc:
        raise _service_errors(row, exc) from None


def _start_client(row, ctx, by):
    started_on = row.started_on or (row.meeting["starts_at"].date() if row.meeting else ctx.practice.today())
    with clock.set_to(min(_morning(started_on, ctx), clock.now())):
        client = client_create(coach=row.coach, by=by, full_name=row.name, email=row.email, phone=row.phone,
                               timezone=row.timezone, started_on=started_on)
        engagement = client.engagements.get()
        agreement_create(engagement=engagement, by=by, **row.terms)
    return ClientWrite(client=client, engagement=engagement, focus=row.terms["primary_focus"])


def _flush(state, by):
    """Write the meeting of the rows gathered, reviewing what was due at it."""
    rows, state.group = state.group, []
    if not rows:
        return
    first = rows[0]
    details = dict(first.meeting)
    for row in rows[1:]:  # a meeting spread over rows: its text is in whichever row has it
        for name in ("client_summary", "private_notes"):
            details[name] = details[name] or row.meeting[name]
    if details["status"] == "held" and not details["focus_areas"]:
        details["focus_areas"] = [state.focus]
    starts_at = details.pop("starts_at")
    ends_at = starts_at + timedelta(minutes=details["duration_minutes"])
    if details["status"] != "planned":
        state.last_at = ends_at
    try:
        with clock.set_to(ends_at if details["status"] != "planned" else min(starts_at, clock.now())):
            meeting = meeting_create(engagement=state.engagement, by=by, starts_at=starts_at, **details)
            if meeting.status != "held":
                return
            day = starts_at.date()
            due = [(c, r) for c, r in state.awaiting if c.due_on <= day]
            state.awaiting = [(c, r) for c, r in state.awaiting if c.due_on > day]
            made = [r for r in rows if r.commitment is not None]
            created = meeting_review(meeting=meeting, by=by, review=MeetingReview(
                reviews=[Review(commitment=c, outcome=r.outcome, kept_fraction=r.kept_fraction,
                                client_reason=r.client_reason) for c, r in due],
                new_commitments=[dict(r.commitment) for r in made]))
    except ValidationError as exc:
        raise _service_errors(first, exc) from None
    state.awaiting.extend((c, r) for c, r in zip(created, made, strict=True) if r.outcome != "open")


def dry_run_report(binary, *, filename, practice, coach):
    """Only the check: every problem by row and column, nothing written."""
    return check(open_rows(binary, filename), practice=practice, coach=coach)


__all__ = ["ImportFailed", "Report", "dry_run_report", "import_file"]
