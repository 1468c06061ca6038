"""The next meeting from the agreed cadence: the common wordings read, nothing guessed."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from followthrough.meetings.cadence import Cadence, next_meeting_at, parse_cadence, suggest_next_meeting

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("text, cadence", [
    ("Weekly", Cadence(weeks=1)), ("every week", Cadence(weeks=1)), ("Once a week", Cadence(weeks=1)),
    ("Fortnightly", Cadence(weeks=2)), ("Every two weeks", Cadence(weeks=2)), ("every 2 weeks", Cadence(weeks=2)),
    ("Every other week.", Cadence(weeks=2)), ("once every 3 weeks", Cadence(weeks=3)),
    ("Every four weeks", Cadence(weeks=4)), ("Monthly", Cadence(months=1)), ("every month", Cadence(months=1)),
    ("Once a month", Cadence(months=1)), ("Twice a month", Cadence(weeks=2)), ("every 2 months", Cadence(months=2)),
    ("  EVERY   TWO   WEEKS ", Cadence(weeks=2)),
])
def test_the_common_wordings_of_a_cadence_are_read(text, cadence):
    assert parse_cadence(text) == cadence


@pytest.mark.parametrize("text", [
    "", "Biweekly", "As needed", "Weekly at first, then monthly", "Every two weeks or so",
    "every 0 weeks", "every 40 weeks", "Every Tuesday", "twice a week", "when the client asks",
])
def test_any_other_wording_gives_no_suggestion_rather_than_a_guess(text):
    assert parse_cadence(text) is None
    assert suggest_next_meeting(cadence_text=text, held_at=datetime(2026, 6, 2, 10, tzinfo=LONDON),
                                today=date(2026, 6, 2)) is None


def test_a_fortnightly_meeting_held_today_is_followed_two_weeks_later_same_weekday_and_time():
    held = datetime(2026, 6, 2, 10, 30, tzinfo=LONDON)  # a Tuesday
    assert next_meeting_at(held_at=held, cadence=Cadence(weeks=2), today=date(2026, 6, 2)) == \
        datetime(2026, 6, 16, 10, 30, tzinfo=LONDON)


def test_a_meeting_recorded_late_gets_a_next_one_after_today():
    held = datetime(2026, 6, 2, 10, 0, tzinfo=LONDON)
    assert next_meeting_at(held_at=held, cadence=Cadence(weeks=1), today=date(2026, 6, 20)) == \
        datetime(2026, 6, 23, 10, 0, tzinfo=LONDON)


def test_a_monthly_meeting_keeps_its_weekday_place_in_the_month():
    second_tuesday = datetime(2026, 6, 9, 9, 0, tzinfo=LONDON)
    assert next_meeting_at(held_at=second_tuesday, cadence=Cadence(months=1), today=date(2026, 6, 9)) == \
        datetime(2026, 7, 14, 9, 0, tzinfo=LONDON)



def test_a_fifth_weekday_is_followed_by_the_last_one_of_a_month_that_has_only_four():
    fifth_tuesday = datetime(2026, 6, 30, 9, 0, tzinfo=LONDON)  # July 2026 has four Tuesdays
    assert next_meeting_at(held_at=fifth_tuesday, cadence=Cadence(months=1), today=date(2026, 6, 30)) == \
        datetime(2026, 7, 28, 9, 0, tzinfo=LONDON)


def test_the_wall_clock_time_is_kept_across_a_change_of_clocks():
    before_the_change = datetime(2026, 10, 20, 10, 0, tzinfo=LONDON)  # BST
    after = next_meeting_at(held_at=before_the_change, cadence=Cadence(weeks=2), today=date(2026, 10, 20))
    assert (after.date(), after.hour, after.minute) == (date(2026, 11, 3), 10, 0)
    assert after.utcoffset() == timedelta(0)  # GMT by then


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31),
                       timezones=st.just(LONDON)).map(lambda m: m.replace(second=0, microsecond=0))
cadences = st.one_of(st.builds(Cadence, weeks=st.integers(1, 26)), st.builds(Cadence, months=st.integers(1, 12)))


@given(held=moments, cadence=cadences, late=st.integers(0, 400))
def test_the_suggestion_is_after_today_on_the_same_weekday_and_time(held, cadence, late):
    today = held.date() + timedelta(days=late)
    suggested = next_meeting_at(held_at=held, cadence=cadence, today=today)
    assert suggested.date() > today
    assert suggested.weekday() == held.weekday()
    assert (suggested.hour, suggested.minute) == (held.hour, held.minute)


@given(held=moments, weeks=st.integers(1, 26), late=st.integers(0, 400))
def test_a_weekly_cadence_lands_on_its_steps_and_skips_none(held, weeks, late):
    today = held.date() + timedelta(days=late)
    suggested = next_meeting_at(held_at=held, cadence=Cadence(weeks=weeks), today=today)
    gap = (suggested.date() - held.date()).days
    assert gap % (7 * weeks) == 0
    assert suggested.date() - timedelta(days=7 * weeks) <= today  # the step before is not after today


@given(held=moments, months=st.integers(1, 12))
def test_a_monthly_cadence_moves_by_its_months_when_recorded_on_the_day(held, months):
    suggested = next_meeting_at(held_at=held, cadence=Cadence(months=months), today=held.date())
    assert (suggested.year * 12 + suggested.month) - (held.year * 12 + held.month) == months


@given(text=st.text(max_size=40))
def test_random_text_is_never_read_as_a_cadence_unless_it_names_one(text):
    words = text.lower()
    assume(not any(unit in words for unit in ("week", "month", "fortnight")))
    assert parse_cadence(text) is None


@given(n=st.integers(1, 26), spaces=st.text(alphabet=" ", min_size=1, max_size=3))
def test_every_n_weeks_is_read_with_any_spacing(n, spaces):
    assert parse_cadence(f"every{spaces}{n}{spaces}weeks") == Cadence(weeks=n)
