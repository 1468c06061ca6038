"""Reading a coach's spreadsheet one row at a time, and what each cell must be.

A file is read twice (checked, then written), each time as a stream: nothing holds the
whole file, so a practice's 10,000 rows cost what one row costs, plus one small record
per client.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

# The template's columns, in its order, with what a coach is told about each.
COLUMNS = (
    ("client_name", "The client's full name (required on every row)."),
    ("client_email", "Their email; one email is one client. Optional."),
    ("client_phone", "Optional."),
    ("client_timezone", "e.g. Europe/London; the practice's when empty."),
    ("coach", "The coach's username or email; you when empty."),
    ("engagement_started_on", "When the coaching began; the first meeting's day when empty."),
    ("engagement_state", "active, paused or ended: where the coaching stands now; active when empty."),
    ("state_since", "The day it was paused or ended; the last meeting's day when empty."),
    ("check_back_on", "For paused: the day to check back with the client."),
    ("focus", "The agreement's focus area (its name or slug)."),
    ("came_for", "What the client came for."),
    ("call_to_action", "The agreement's call to action."),
    ("meeting_cadence", "e.g. Every two weeks."),
    ("fee_amount", "e.g. 90.00"),
    ("fee_currency", "e.g. GBP"),
    ("goals", "The agreement's goals, separated by ;  e.g. Two new clients a month; A website by June."),
    ("meeting_date", "The meeting's day, year-month-day (2025-03-14) or day/month/year (14/03/2025)."),
    ("meeting_time", "e.g. 14:30; 09:00 when empty."),
    ("meeting_status", "held, no-show or planned; held when empty."),
    ("meeting_minutes", "How long it lasted; 60 when empty."),
    ("focus_discussed", "Focus areas discussed, separated by ;  — the agreement's focus when empty."),
    ("meeting_summary", "The summary the client may see."),
    ("meeting_notes", "Your private notes."),
    ("paid", "yes or no."),
    ("commitment", "What the client agreed to do at this meeting."),
    ("due_on", "When it was due."),
    ("outcome", "kept, partly kept, missed or waived (reviewed at their next meeting); empty if still open."),
    ("kept_fraction", "For partly kept: how much, e.g. 0.5 or 50%."),
    ("client_reason", "The client's own words on why (needed for waived)."),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
ALIASES = {
    "name": "client_name", "client": "client_name", "full_name": "client_name",
    "email": "client_email", "phone": "client_phone", "timezone": "client_timezone",
    "time_zone": "client_timezone", "started_on": "engagement_started_on", "start_date": "engagement_started_on",
    "primary_focus": "focus", "date": "meeting_date", "time": "meeting_time", "status": "meeting_status",
    "duration": "meeting_minutes", "duration_minutes": "meeting_minutes", "summary": "meeting_summary",
    "notes": "meeting_notes", "private_notes": "meeting_notes", "action": "commitment",
    "homework": "commitment", "due": "due_on", "due_date": "due_on", "fraction": "kept_fraction",
    "reason": "client_reason", "topics": "focus_discussed", "state": "engagement_state",
    "engagement_status": "engagement_state", "paused_on": "state_since", "ended_on": "state_since",
    "check_back": "check_back_on", "check_back_date": "check_back_on", "goal": "goals",
}
STATE_WORDS = {"": "active", "active": "active", "paused": "paused", "pause": "paused", "on hold": "paused",
               "ended": "ended", "end": "ended", "closed": "ended", "finished": "ended"}
OUTCOME_WORDS = {
    "kept": "kept", "done": "kept", "partly kept": "partly_kept", "partly_kept": "partly_kept",
    "partly": "partly_kept", "partial": "partly_kept", "missed": "missed", "not done": "missed",
    "waived": "waived", "open": "open", "": "open",
}
STATUS_WORDS = {"": "held", "held": "held", "no-show": "no_show", "no show": "no_show", "no_show": "no_show",
                "planned": "planned"}
YES = {"yes", "y", "true", "1", "paid"}
NO = {"no", "n", "false", "0", "", "unpaid"}


def template_csv():
    """The template a coach downloads: the header, and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([EXAMPLE.get(name, "") for name in COLUMN_NAMES])
    return out.getvalue()


EXAMPLE = {
    "client_name": "Ada Example", "client_email": "ada@example.org", "client_timezone": "Europe/London",
    "engagement_started_on": "2025-01-06", "engagement_state": "paused", "state_since": "2025-01-27",
    "check_back_on": "2025-04-01", "focus": "Business", "came_for": "Grow the shop's online sales",
    "call_to_action": "Two sales calls a week", "meeting_cadence": "Every two weeks", "fee_amount": "90",
    "fee_currency": "GBP", "goals": "Online sales up by a fifth; A newsletter every month",
    "meeting_date": "2025-01-13", "meeting_time": "10:00", "meeting_status": "held", "meeting_minutes": "60",
    "focus_discussed": "business", "meeting_summary": "We set the first actions.", "paid": "yes",
    "commitment": "Call three past customers", "due_on": "2025-01-24",
}


def header_key(text):
    key = re.sub(r"[\s\-]+", "_", str(text or "").strip().casefold())
    return ALIASES.get(key, key)


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self):
        return f"Row {self.row}, {self.column}: {self.message}" if self.column else f"Row {self.row}: {self.message}"

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Source:
    """Rows of a file, with the header each column was found under (to name it back)."""

    rows: object
    headers: dict = field(default_factory=dict)  # our column name -> the file's header
    unknown: list = field(default_factory=list)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def open_rows(binary, filename=""):
    """A Source over a CSV or XLSX file opened in binary mode, from its start."""
    binary.seek(0)
    if filename.lower().endswith(".xlsx"):
        raw = _xlsx_rows(binary)
    else:
        # A stream reader rather than a TextIOWrapper, which would close the caller's file
        # when dropped, and the file is read a second time.
        raw = csv.reader(codecs.getreader("utf-8-sig")(binary, errors="replace"))
    header = next(raw, None) or []
    keys = [header_key(h) for h in header]
    source = Source(rows=None)
    for key, original in zip(keys, header, strict=True):
        if key in COLUMN_NAMES:
            source.headers.setdefault(key, str(original).strip())
        elif str(original).strip():
            source.unknown.append(str(original).strip())

    def rows():
        for number, cells in enumerate(raw, start=2):
            cells = [_cell_text(c) for c in cells]
            if not any(cells):
                continue
            yield number, {key: value for key, value in zip(keys, cells, strict=False) if key in COLUMN_NAMES}

    source.rows = rows()
    return source


def _xlsx_rows(binary):
    from openpyxl import load_workbook  # only an XLSX import pays for it

    book = load_workbook(binary, read_only=True, data_only=True)
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_date(text):
    text = text.strip()
    try:
        return date.fromisoformat(text[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else _day_first(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date we can read; write it as year-month-day, "
                         "e.g. 2025-03-14, or day/month/year, e.g. 14/03/2025.") from None


def _day_first(text):
    found = _DAY_FIRST.match(text)
    if found is None:
        return datetime.strptime(text, "%d %b %Y").date()
    return date(int(found[3]), int(found[2]), int(found[1]))


def parse_time(text):
    try:
        return time.fromisoformat(text.strip().zfill(5)) if text.strip() else time(9, 0)
    except ValueError:
        raise ValueError(f"“{text}” is not a time we can read; write it as hours:minutes, e.g. 14:30.") from None


def parse_fraction(text):
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a share we can read; write e.g. 0.5 or 50%.") from None
    if value >= 1 and not text.endswith("%") and value < 100:
        value = value / 100
    if not Decimal("0.01") <= value <= Decimal("0.99"):
        raise ValueError("A partly kept share is between 1% and 99%.")
    return value.quantize(Decimal("0.01"))


def parse_amount(text):
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount we can read; write e.g. 90 or 90.00.") from None
    if value < 0:
        raise ValueError("A fee cannot be negative.")
    return value


def parse_minutes(text):
    if not text.strip():
        return 60
    if not text.strip().isdigit() or not 5 <= int(text) <= 480:
        raise ValueError(f"“{text}” is not a meeting length we can use; give minutes, from 5 to 480.")
    return int(text)


def parse_paid(text):
    word = text.strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(f"“{text}” is neither yes nor no.")
