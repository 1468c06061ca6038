"""The next meeting from the agreement's cadence.

The cadence is free text the coach and client agreed ("Every two weeks"). Only the common
wordings are read, the whole text and nothing else: anything else gives no suggestion, as
a wrong date offered with confidence is worse than none. "Biweekly" is not read, since
people use it for both twice a week and every two weeks.

The suggestion keeps the weekday and the wall-clock time of the meeting it follows, in the
practice's time zone (a 10:00 meeting stays at 10:00 across a change of clocks); a monthly
cadence keeps the weekday's place in the month (the second Tuesday), the last one when a
month has no fifth. It is always after the practice's today, so a meeting recorded late
still gets a next one that can be planned.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "other": 2,
}
MOST_WEEKS = 26
MOST_MONTHS = 12

_N = r"(?P<n>\d{1,2}|" + "|".join(NUMBERS) + ")"
_EVERY = r"(?:once\s+)?(?:every|each)"
_A = r"(?:a|per|each|every)"
WEEKS = [
    (re.compile(r"weekly|once\s+" + _A + r"\s+week|" + _EVERY + r"\s+week"), 1),
    (re.compile(r"fortnightly|once\s+" + _A + r"\s+fortnight|" + _EVERY + r"\s+fortnight"), 2),
    (re.compile(r"(?:twice|two\s+times)\s+(?:" + _A + r"\s+month|monthly)"), 2),
    (re.compile(_EVERY + r"\s+" + _N + r"\s+weeks?"), None),
]
MONTHS = [
    (re.compile(r"monthly|once\s+" + _A + r"\s+month|" + _EVERY + r"\s+month"), 1),
    (re.compile(_EVERY + r"\s+" + _N + r"\s+months?"), None),
]


@dataclass(frozen=True)
class Cadence:
    """Every `weeks` weeks, or every `months` months; exactly one is set."""

    weeks: int | None = None
    months: int | None = None


def _number(match, fixed):
    if fixed is not None:
        return fixed
    word = match.group("n")
    return int(word) if word.isdigit() else NUMBERS[word]


def parse_cadence(text) -> Cadence | None:
    """The cadence `text` names, or None when it is not one of the wordings read."""
    words = " ".join(re.sub(r"[.,;!]", " ", (text or "").lower()).split())
    for patterns, unit, most in ((WEEKS, "weeks", MOST_WEEKS), (MONTHS, "months", MOST_MONTHS)):
        for pattern, fixed in patterns:
            match = pattern.fullmatch(words)
            if match:
                n = _number(match, fixed)
                return Cadence(**{unit: n}) if 1 <= n <= most else None
    return None


def _nth_weekday(year, month, weekday, ordinal):
    """The `ordinal`-th (1-5) `weekday` of the month, or its last one when there is no such."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    while day.month != month:
        day -= timedelta(days=7)
    return day


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    ordinal = (day.day - 1) // 7 + 1
    return _nth_weekday(index // 12, index % 12 + 1, day.weekday(), ordinal)


def next_meeting_at(*, held_at: datetime, cadence: Cadence, today: date) -> datetime:
    """The first meeting after `today` on the cadence from `held_at` (aware, in the practice's
    zone), at the same wall-clock time to the minute."""
    start = held_at.date()
    if cadence.weeks:
        step = 7 * cadence.weeks
        periods = max(1, (today - start).days // step + 1)
        day = start + timedelta(days=step * periods)
    else:
        periods = max(1, ((today.year - start.year) * 12 + today.month - start.month) // cadence.months)
        day = _add_months(start, cadence.months * periods)
        while day <= today:
            periods += 1
            day = _add_months(start, cadence.months * periods)
    at = held_at.timetz().replace(tzinfo=None, second=0, microsecond=0)
    return datetime.combine(day, at, tzinfo=held_at.tzinfo)


def suggest_next_meeting(*, cadence_text, held_at, today):
    """The suggested next meeting, or None when the cadence's wording is not one that is read."""
    cadence = parse_cadence(cadence_text)
    if cadence is None:
        return None
    return next_meeting_at(held_at=held_at, cadence=cadence, today=today)
