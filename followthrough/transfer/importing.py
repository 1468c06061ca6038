"""Importing a practice's spreadsheet: check every row, then write all of it or nothing.

The check reads the whole file and names every problem by row and column; only a file
with none is written, in one transaction, through the same services the pages use, with
the clock set to each record's own date (so the file and the event log read as the months
they describe) and every event labelled as imported from the file.
"""

import functools
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from followthrough.clients.models import Client, Goal
from followthrough.history import clock

from . import rows as cells
from .rows import OUTCOME_WORDS, STATE_WORDS, STATUS_WORDS, Problem

MAX_PROBLEMS = 500  # a file wrong in every row is told so without building a list as long as it
SERVICE_FIELDS = {"starts_at": "meeting_date", "email": "client_email", "focus_areas": "focus_discussed",
                  "primary_focus": "focus", "due_on": "due_on", "description": "commitment",
                  "kept_fraction": "kept_fraction", "client_reason": "client_reason", "outcome": "outcome",
                  "timezone": "client_timezone", "full_name": "client_name", "coach": "coach",
                  "goals": "goals", "check_back_on": "check_back_on", "state": "engagement_state",
                  "to_state": "engagement_state"}


class ImportFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Report:
    clients: int = 0
    meetings: int = 0
    commitments: int = 0
    problems: list = field(default_factory=list)
    more_problems: int = 0
    ignored_columns: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


@dataclass
class Row:
    """One row, read into the values the services take."""

    number: int
    key: str
    name: str
    email: str = ""
    phone: str = ""
    timezone: str = ""
    coach: object = None
    started_on: object = None
    terms: dict = field(default_factory=dict)
    meeting: dict | None | bool = None
    focus_unknown: bool = False
    commitment: dict | None = None
    outcome: str = "open"
    kept_fraction: object = None
    client_reason: str = ""
    state: str = ""  # "" when the row does not say; else active, paused or ended
    state_since: object = None
    check_back_on: object = None


@functools.cache
def _time_zones():
    return zoneinfo.available_timezones()  # reads the whole time zone database: once


class Context:
    """What rows are checked against: the practice's coaches, focus areas and clients."""

    def __init__(self, *, practice, coach):
        self.practice, self.coach = practice, coach
        self.tz = zoneinfo.ZoneInfo(practice.timezone)
        self.coaches = {}
        for other in practice.coaches.filter(is_active=True).select_related("user"):
            for name in (other.user.get_username(), other.user.email, other.display_name):
                if name:
                    self.coaches[name.casefold()] = other
        self.focus = {}
        for area in practice.focus_areas.filter(is_active=True):
            self.focus[area.slug.casefold()] = area
            self.focus[area.name.casefold()] = area
        self.emails = {e.casefold(): n for e, n in Client.objects.filter(practice=practice).exclude(email="")
                       .values_list("email", "full_name")}


def _cell(raw, name):
    return (raw.get(name) or "").strip()


def read_row(number, raw, ctx, problems):
    """A Row from a dict of cells, adding a Problem for each cell that cannot be used."""
    def bad(column, message):
        problems.append(Problem(number, column, message))

    def parsed(column, parse):
        text = _cell(raw, column)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            bad(column, str(exc))
            return None

    name = " ".join(_cell(raw, "client_name").split())
    email = _cell(raw, "client_email")
    if not name:
        bad("client_name", "Every row needs the client's name.")
    row = Row(number=number, key=(email or name).casefold(), name=name, email=email,
              phone=_cell(raw, "client_phone"), timezone=_cell(raw, "client_timezone") or ctx.practice.timezone)
    if row.timezone not in _time_zones():
        bad("client_timezone", f"“{row.timezone}” is not a time zone we know; write e.g. Europe/London.")
    coach_text = _cell(raw, "coach")
    row.coach = ctx.coaches.get(coach_text.casefold()) if coach_text else ctx.coach
    if row.coach is None:
        bad("coach", f"No coach of the practice is called “{coach_text}”; use their username or email.")
    elif row.coach != ctx.coach and not ctx.coach.is_practice_admin:
        bad("coach", "Only a practice admin can import clients for another coach.")
    row.started_on = parsed("engagement_started_on", cells.parse_date)
    _read_state(row, raw, ctx, bad, parsed)
    _read_terms(row, raw, ctx, bad, parsed)
    _read_meeting(row, raw, ctx, bad, parsed)
    _read_commitment(row, raw, bad, parsed)
    return row


def _read_state(row, raw, ctx, bad, parsed):
    """Where the engagement stands after the file's meetings: paused (with its check-back
    date) or ended, written through the same move the pages make."""
    text = _cell(raw, "engagement_state")
    state = STATE_WORDS.get(text.casefold())
    if state is None:
        bad("engagement_state", f"“{text}” is not a state of ours: write active, paused or ended.")
        return
    row.state = state if text else ""
    row.state_since = parsed("state_since", cells.parse_date)
    row.check_back_on = parsed("check_back_on", cells.parse_date)
    today = ctx.practice.today()
    if row.state_since is not None and row.state_since > today:
        bad("state_since", "This day is in the future; an engagement is imported as it stands today.")
    if (row.state_since or row.check_back_on) and row.state in ("", "active"):
        column = "state_since" if row.state_since else "check_back_on"
        bad(column, "Only a paused or ended engagement has this date; write paused or ended in engagement_state.")
    if row.state == "paused" and row.check_back_on is None and not _cell(raw, "check_back_on"):
        bad("check_back_on", "A paused engagement needs the day to check back with the client.")
    elif row.state == "ended" and row.check_back_on is not None:
        bad("check_back_on", "An ended engagement has no check-back date; leave it empty, or write paused.")
    elif row.state == "paused" and row.check_back_on is not None and row.check_back_on <= (row.state_since or today):
        bad("check_back_on", "The check-back date must be after the day the engagement was paused.")


def _read_goals(row, raw, bad):
    titles = [" ".join(t.split()) for t in _cell(raw, "goals").split(";")]
    limit = Goal._meta.get_field("title").max_length
    for title in titles:
        if len(title) > limit:
            bad("goals", f"A goal's title is at most {limit} characters; “{title[:40]}…” is longer.")
    row.terms["goals"] = [{"title": title} for title in titles if title]


def _read_terms(row, raw, ctx, bad, parsed):
    focus_text = _cell(raw, "focus")
    focus = ctx.focus.get(focus_text.casefold()) if focus_text else None
    if focus_text and focus is None:
        bad("focus", f"“{focus_text}” is not one of the practice's focus areas.")
        row.focus_unknown = True
    row.terms = {"primary_focus": focus, "came_for": _cell(raw, "came_for"),
                 "call_to_action": _cell(raw, "call_to_action"),
                 "meeting_cadence": _cell(raw, "meeting_cadence") or "Every two weeks"}
    _read_goals(row, raw, bad)
    amount = parsed("fee_amount", cells.parse_amount)
    if amount is not None:
        row.terms["fee_amount"] = amount
    if _cell(raw, "fee_currency"):
        currency = _cell(raw, "fee_currency").upper()
        if len(currency) != 3 or not currency.isalpha():
            bad("fee_currency", f"“{currency}” is not a currency code; write three letters, e.g. GBP.")
        row.terms["fee_currency"] = currency


def _read_meeting(row, raw, ctx, bad, parsed):
    day = parsed("meeting_date", cells.parse_date)
    if day is None and _cell(raw, "meeting_date"):
        row.meeting = False  # unreadable, and said so: nothing else is asked of it
        return
    if day is None:
        for column in ("meeting_time", "meeting_status", "meeting_summary", "meeting_notes", "focus_discussed"):
            if _cell(raw, column):
                bad("meeting_date", f"{column} is filled in, so say which day the meeting was.")
                break
        return
    status = STATUS_WORDS.get(_cell(raw, "meeting_status").casefold())
    if status is None:
        bad("meeting_status", f"“{_cell(raw, 'meeting_status')}” is not a meeting status of ours: "
                              "write held, no-show or planned.")
        status = "held"
    at = parsed("meeting_time", cells.parse_time) or cells.parse_time("")
    starts_at = datetime.combine(day, at, tzinfo=ctx.tz)
    if status != "planned" and starts_at > clock.now():
        bad("meeting_date", "This meeting is in the future, so it cannot have been held; "
                            "write planned as its status, or correct the date.")
    areas = []
    for word in (w.strip() for w in _cell(raw, "focus_discussed").replace(",", ";").split(";")):
        if word and ctx.focus.get(word.casefold()) is None:
            bad("focus_discussed", f"“{word}” is not one of the practice's focus areas.")
        elif word:
            areas.append(ctx.focus[word.casefold()])
    row.meeting = {"starts_at": starts_at, "status": status, "focus_areas": areas,
                   "duration_minutes": parsed("meeting_minutes", cells.parse_minutes) or 60,
                   "client_summary": _cell(raw, "meeting_summary"), "private_notes": _cell(raw, "meeting_notes"),
                   "paid": bool(parsed("paid", cells.parse_paid))}


def _read_commitment(row, raw, bad, parsed):
    text = _cell(raw, "commitment")
    outcome_text = _cell(raw, "outcome")
    row.outcome = OUTCOME_WORDS.get(outcome_text.casefold().replace("_", " ").replace("-", " "))
    if row.outcome is None:
        bad("outcome", f"“{outcome_text}” is not an outcome of ours: write kept, partly kept, missed or waived, "
                       "or leave it empty while the commitment is open.")
        row.outcome = "open"
    if not text:
        if outcome_text or _cell(raw, "due_on"):
            bad("commitment", "An outcome or due date is given, so say what the commitment was.")
        return
    due_on = parsed("due_on", cells.parse_date)
    if due_on is None and not _cell(raw, "due_on"):
        bad("due_on", "Say when the commitment was due.")
    if row.meeting is None:
        bad("meeting_date", "Say at which meeting the commitment was agreed.")
    elif row.meeting is False:
        pass
    elif row.meeting["status"] != "held":
        bad("meeting_status", "Commitments are agreed at a held meeting.")
    elif due_on is not None and due_on < row.meeting["starts_at"].date():
        bad("due_on", "The due date is before the meeting it was agreed at.")
    row.commitment = {"description": text, "due_on": due_on}
    row.kept_fraction = parsed("kept_fraction", cells.parse_fraction)
    row.client_reason = _cell(raw, "client_reason")
    if row.outcome == "partly_kept" and row.kept_fraction is None and not _cell(raw, "kept_fraction"):
        bad("kept_fraction", "Partly kept needs how much was done, e.g. 50%.")
    if row.outcome == "waived" and not row.client_reason:
        bad("client_reason", "A waived commitment needs the reason outside the client's control.")


@dataclass
class ClientSeen:
    """What the check keeps per client: enough to check order, emails and reviews."""

    first_row: int
    name: str
    started_on: object = None
    last_meeting: object = None
    awaiting_review: list = field(default_factory=list)  # (row, due_on) with an outcome
    state_row: object = None  # the first row that says where the engagement stands
    last_held: tuple | None = None  # (row, day) of the latest meeting that took place


def check(source, *, practice, coach):
    """Read every row and report every problem; writes nothing."""
    ctx = Context(practice=practice, coach=coach)
    report = Report(ignored_columns=list(source.unknown))
    if "client_name" not in source.headers:
        report.problems.append(Problem(1, "", "The first row must name the columns; we found no client_name "
                                              "column. Download the template to see the names we read."))
        return report
    seen = {}
    problems = []
    for number, raw in source.rows:
        row = read_row(number, raw, ctx, problems)
        _check_against_file(row, seen, ctx, problems, report)
        if len(problems) > MAX_PROBLEMS:
            report.more_problems += len(problems) - MAX_PROBLEMS
            del problems[MAX_PROBLEMS:]
    for client in seen.values():
        for number, _ in client.awaiting_review:
            problems.append(Problem(number, "outcome", "An outcome is given but no later held meeting of this "
                                                       "client is on or after the due date to review it at; add "
                                                       "that meeting, or leave the outcome empty."))
        problems.extend(_state_after_meetings(client))
    report.problems = sorted(problems, key=lambda p: p.row)[:MAX_PROBLEMS]
    report.clients = len(seen)
    return report


def _check_against_file(row, seen, ctx, problems, report):
    client = seen.get(row.key)
    if client is None:
        client = seen[row.key] = ClientSeen(first_row=row.number, name=row.name, started_on=row.started_on)
        if row.email and row.email.casefold() in ctx.emails:
            problems.append(Problem(row.number, "client_email", f"{ctx.emails[row.email.casefold()]} already has "
                                                                 "this email in the practice."))
        for column, label, words in (("primary_focus", "focus", "the agreement's focus area"),
                                     ("came_for", "came_for", "what the client came for"),
                                     ("call_to_action", "call_to_action", "the agreement's call to action")):
            if not row.terms.get(column) and not (column == "primary_focus" and row.focus_unknown):
                problems.append(Problem(row.number, label, f"The client's first row needs {words}."))
    elif row.name.casefold() != client.name.casefold() and row.email:
        problems.append(Problem(row.number, "client_email", f"This email is already used for {client.name} "
                                                             f"(row {client.first_row}): one email is one client."))
    _check_state(row, client, problems)
    meeting = row.meeting
    if not meeting:
        return
    if meeting["status"] != "planned":
        client.last_held = (row.number, meeting["starts_at"].date())
    if client.started_on and meeting["starts_at"].date() < client.started_on:
        problems.append(Problem(row.number, "meeting_date",
                                f"The coaching began on {client.started_on:%-d %b %Y} (row {client.first_row}); "
                                "a meeting cannot be before it."))
    if client.last_meeting is not None and meeting["starts_at"] < client.last_meeting:
        problems.append(Problem(row.number, "meeting_date", "This meeting is before one in an earlier row of the "
                                                            "same client; keep each client's rows oldest first."))
    if client.last_meeting != meeting["starts_at"]:
        report.meetings += 1
        if meeting["status"] == "held":
            day = meeting["starts_at"].date()
            client.awaiting_review = [(n, due) for n, due in client.awaiting_review if due > day]
    client.last_meeting = meeting["starts_at"]
    if row.commitment is not None:
        report.commitments += 1
        if row.outcome != "open" and row.commitment["due_on"] is not None:
            client.awaiting_review.append((row.number, row.commitment["due_on"]))


def _check_state(row, client, problems):
    if not row.state:
        return
    first = client.state_row
    if first is None:
        client.state_row = row
        return
    if (first.state, first.state_since, first.check_back_on) != (row.state, row.state_since, row.check_back_on):
        problems.append(Problem(row.number, "engagement_state", f"Row {first.number} says the engagement is "
                                f"{first.state}; give where it stands once, or the same on every row."))


def _state_after_meetings(client):
    moved, held = client.state_row, client.last_held
    if moved is None or moved.state == "active" or held is None:
        return []
    since = moved.state_since
    if since is not None and held[1] > since:
        return [Problem(held[0], "meeting_date", f"The engagement was {moved.state} on {since:%-d %b %Y} "
                        f"(row {moved.number}); a meeting after that belongs to a new engagement.")]
    if moved.state == "paused" and moved.check_back_on is not None and moved.check_back_on <= (since or held[1]):
        return [Problem(moved.number, "check_back_on", "The check-back date must be after the engagement's "
                        "last meeting, when it was paused.")]
    return []
