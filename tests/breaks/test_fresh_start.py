"""Fresh-start dates: next Monday, the first of next month and the next meeting, always after today."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from followthrough.commitments.fresh_start import fresh_starts

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))


@given(today=days, meeting_in=st.one_of(st.none(), st.integers(min_value=-30, max_value=90)))
def test_every_fresh_start_is_after_today_and_is_what_its_label_says(today, meeting_in):
    meeting = None if meeting_in is None else today + timedelta(days=meeting_in)
    starts = fresh_starts(today, next_meeting=meeting)
    assert starts, "next Monday and the first of next month are always offered"
    assert all(s.day > today for s in starts)
    assert [s.day for s in starts] == sorted({s.day for s in starts})
    labels = " ".join(s.label for s in starts)
    monday = next(s for s in starts if "next Monday" in s.label)
    assert monday.day.weekday() == 0 and (monday.day - today).days <= 7
    first = next(s for s in starts if "first of next month" in s.label)
    assert first.day.day == 1 and (first.day - today).days <= 31
    if meeting is not None and meeting > today:
        assert any(s.day == meeting and "next meeting" in s.label for s in starts)
    elif meeting is not None:
        assert "next meeting" not in labels


def test_a_monday_that_is_the_first_of_the_month_is_offered_once_with_both_names():
    starts = fresh_starts(date(2026, 5, 27))  # Wednesday; Monday 1 June 2026
    assert [s.label for s in starts] == ["Monday 1 June (next Monday, the first of next month)"]


def test_the_next_meeting_sits_among_them_in_date_order():
    starts = fresh_starts(date(2026, 12, 1), next_meeting=date(2026, 12, 4))
    assert [(s.day, s.kind) for s in starts] == [
        (date(2026, 12, 4), "next_meeting"), (date(2026, 12, 7), "monday"), (date(2027, 1, 1), "first_of_month")]
