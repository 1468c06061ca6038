"""Fresh-start dates: the days people find it easier to begin again on (a new week, a new
month, the next meeting), offered beside a date field when a commitment is reinstated or
trimmed. Pure: "today" is passed in, as the practice's or the client's day."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class FreshStart:
    day: date
    kind: str  # "monday", "first_of_month", "next_meeting"
    label: str

    def as_dict(self):
        return {"day": self.day.isoformat(), "kind": self.kind, "label": self.label}


def next_monday(today):
    """The Monday after today (a week on when today is a Monday)."""
    return today + timedelta(days=7 - today.weekday())


def first_of_next_month(today):
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _day(d):
    return f"{d:%A} {d.day} {d:%B}"


def fresh_starts(today, *, next_meeting=None):
    """[FreshStart], soonest first, each after today; one day named once even when it is
    two fresh starts at once (a Monday that is the first of the month)."""
    if isinstance(next_meeting, datetime):
        next_meeting = next_meeting.date()
    found = {}
    for day, kind, words in (
        (next_monday(today), "monday", "next Monday"),
        (first_of_next_month(today), "first_of_month", "the first of next month"),
        (next_meeting, "next_meeting", "the next meeting"),
    ):
        if day is None or day <= today:
            continue
        found.setdefault(day, []).append((kind, words))
    return [FreshStart(day=day, kind=kinds[0][0], label=f"{_day(day)} ({', '.join(w for _, w in kinds)})")
            for day, kinds in sorted(found.items())]
