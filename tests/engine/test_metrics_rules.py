"""The follow-through rules of PRODUCT.md as a coach meets them: credit per outcome, the
figure of one meeting, the minutes-weighted figure, thresholds at their edge, the current
run, repeat misses and whose thresholds apply. Each test pins one rule, so a change to the
rule fails a test named after it."""

from dataclasses import FrozenInstanceError
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from meeting_helpers import on_focus

from followthrough.commitments.services import MeetingReview, Review, commitment_create, meeting_review
from followthrough.engine.metrics import (
    credit,
    current_run,
    default_weight,
    engagement_followthrough,
    figure,
    is_below,
    reaches,
    repeat_misses,
    thresholds_for,
    weighted_figure,
)
from followthrough.engine.models import EPSILON, Defaults
from followthrough.engine.services import coach_thresholds_set, practice_thresholds_set
from followthrough.meetings.services import meeting_create

# --- one commitment, one meeting --------------------------------------------------------


def test_a_kept_commitment_counts_as_one_and_a_missed_one_as_nothing():
    assert credit("kept") == 1
    assert credit("missed") == 0
    assert credit("missed") is not None  # a miss counts, as nothing


def test_a_partly_kept_commitment_at_0_4_counts_as_0_4_of_one():
    assert credit("partly_kept", Decimal("0.4")) == Fraction(2, 5)


def test_a_waived_or_still_open_commitment_counts_neither_way():
    assert credit("waived") is None
    assert credit("open") is None


def test_a_meetings_figure_is_the_kept_share_of_what_was_due():
    assert figure([("kept", None), ("missed", None)]) == Fraction(1, 2)
    assert figure([("kept", None), ("partly_kept", Decimal("0.4")), ("missed", None)]) == Fraction(7, 15)
    assert figure([("kept", None), ("kept", None)]) == 1


def test_a_meeting_where_everything_was_waived_has_no_figure_rather_than_zero():
    assert figure([("waived", None), ("waived", None)]) is None
    assert figure([]) is None
    assert figure([("missed", None), ("waived", None)]) == 0


# --- minutes-weighted -------------------------------------------------------------------


def test_a_long_task_kept_weighs_more_than_a_short_one_missed():
    # 90 minutes kept, 30 missed: three quarters of the time's work was done.
    assert weighted_figure([("kept", None, 90), ("missed", None, 30)]) == Fraction(3, 4)


def test_a_partly_kept_task_is_credited_its_share_of_its_minutes():
    # Half of a 60-minute task and all of a 30-minute one: 60 of 90 minutes.
    assert weighted_figure([("partly_kept", Decimal("0.5"), 60), ("kept", None, 30)]) == Fraction(2, 3)


def test_a_task_without_minutes_weighs_one_minute_unless_told_otherwise():
    assert weighted_figure([("kept", None, None), ("missed", None, 3)]) == Fraction(1, 4)
    assert weighted_figure([("kept", None, None), ("missed", None, 3)], Fraction(3)) == Fraction(1, 2)


def test_a_waived_task_adds_no_minutes_to_the_weighted_figure():
    assert weighted_figure([("kept", None, 10), ("waived", None, 500), ("missed", None, 10)]) == Fraction(1, 2)


def test_nothing_counted_means_no_weighted_figure():
    assert weighted_figure([("waived", None, 30)]) is None
    assert weighted_figure([]) is None


def test_the_weight_of_an_unknown_task_is_the_median_of_the_known_minutes_or_one():
    assert default_weight([30, None, 90, 60]) == 60
    assert default_weight([30, 90]) == 60
    assert default_weight([None, None]) == 1
    assert default_weight([]) == 1


# --- thresholds at their edge -----------------------------------------------------------


def test_exactly_half_kept_is_not_below_half_but_a_hair_less_is():
    assert not is_below(Fraction(1, 2), 0.5)
    assert is_below(Fraction(49, 100), 0.5)


def test_a_figure_within_the_rounding_slack_of_the_threshold_counts_as_at_it():
    # Shares are compared with EPSILON of slack so that binary rounding never decides.
    assert not is_below(Fraction(0.5 - EPSILON), 0.5)
    assert reaches(Fraction(2 / 3 - EPSILON), 2 / 3)


def test_a_meeting_without_a_figure_is_neither_below_nor_reaching_anything():
    assert is_below(None, 0.5) is False
    assert reaches(None, 0.0) is False


def test_two_of_three_reaches_two_thirds_and_one_of_three_does_not():
    assert reaches(Fraction(2, 3), Defaults.drift_share)
    assert not reaches(Fraction(1, 3), Defaults.drift_share)
    assert not reaches(Fraction(66, 100), Defaults.drift_share)


# --- the current run --------------------------------------------------------------------


def test_the_run_counts_only_the_latest_meetings_below_in_a_row():
    low, good = Fraction(1, 4), Fraction(1)
    assert current_run([low, low, good, low], 0.5) == 1
    assert current_run([good, low, low, low], 0.5) == 3
    assert current_run([low, good], 0.5) == 0
    assert current_run([], 0.5) == 0


def test_a_meeting_without_a_figure_neither_breaks_nor_extends_the_run():
    low = Fraction(1, 4)
    assert current_run([low, None, low, None], 0.5) == 2


# --- one engagement's figures -----------------------------------------------------------


def figures_of(engagement):
    return engagement_followthrough(engagement)["figures"]


def test_each_reviewed_meeting_shows_what_was_due_what_was_kept_and_the_share(timeline, engagement):
    meeting = timeline.meeting("held", ["kept", 0.4, "missed", "waived"])
    [row] = figures_of(engagement)
    assert row.meeting == meeting
    assert row.due == 3  # the waived one was not due in the figure's sense
    assert row.kept == Fraction(7, 5)
    assert row.figure == Fraction(7, 15)
    shown = row.as_dict()
    assert shown["meeting"] == str(meeting.uid) and shown["starts_at"] == meeting.starts_at.isoformat()
    assert (shown["due"], shown["kept"], shown["figure"]) == (3, 1.4, 0.4667)


def test_a_share_of_one_third_is_shown_to_four_places(timeline, engagement):
    timeline.meeting("held", ["kept", "missed", "missed"], minutes=[10, 10, 10])
    shown = figures_of(engagement)[0].as_dict()
    assert shown["figure"] == 0.3333 and shown["weighted"] == 0.3333


def test_a_held_meeting_where_nothing_was_reviewed_has_no_figure(timeline, engagement):
    timeline.meeting("held", ["kept"])
    timeline.meeting("held", [])
    timeline.meeting("held", ["waived"])
    timeline.meeting("no_show")
    last = timeline.meeting("held", ["missed"])
    data = engagement_followthrough(engagement)
    assert [f.figure for f in data["figures"]] == [1, 0]
    assert data["figures"][-1].meeting == last


def test_figures_run_oldest_first_whatever_order_the_meetings_were_entered(timeline, engagement):
    later = timeline.meeting("held", ["missed"], at=timeline.start + timedelta(days=14))
    earlier = timeline.meeting("held", ["kept"], at=timeline.start)
    assert [f.meeting for f in figures_of(engagement)] == [earlier, later]


def test_an_open_commitment_changes_no_figure_and_no_weight(timeline, engagement, coach):
    timeline.meeting("held", ["kept", "missed"], minutes=[30, 90])
    before = engagement_followthrough(engagement)
    commitment_create(engagement=engagement, by=coach.user, description="Not due yet",
                      due_on=timeline.start.date() + timedelta(days=400), minutes_needed=600)
    after = engagement_followthrough(engagement)
    assert after["weight_if_unknown"] == before["weight_if_unknown"] == 60
    assert [f.figure for f in after["figures"]] == [Fraction(1, 2)]


def test_a_waived_commitments_minutes_do_not_change_the_weight_of_unknown_ones(timeline, engagement):
    timeline.meeting("held", ["kept", "waived", "missed"], minutes=[30, 900, None])
    data = engagement_followthrough(engagement)
    assert data["weight_if_unknown"] == 30
    [row] = data["figures"]
    assert row.due == 2
    assert row.weighted == Fraction(1, 2)  # 30 kept of 30 + 30 (the unknown one weighs 30)


def test_the_run_is_judged_by_the_coachs_own_threshold(timeline, engagement, coach):
    for _ in range(2):
        timeline.meeting("held", ["kept", "missed"])  # exactly half, twice
    assert engagement_followthrough(engagement)["current_run"] == 0
    coach_thresholds_set(coach=coach, by=coach.user, followthrough_below=0.6)
    data = engagement_followthrough(engagement)
    assert data["current_run"] == 2
    assert data["thresholds"].followthrough_below == 0.6


# --- repeat misses ----------------------------------------------------------------------


def review_at(engagement, coach, when, *reviews):
    meeting = meeting_create(engagement=engagement, by=coach.user, status="held", starts_at=when,
                             focus_areas=on_focus(engagement))
    meeting_review(meeting=meeting, by=coach.user,
                   review=MeetingReview(reviews=[Review(c, outcome) for c, outcome in reviews]))
    return meeting


def derived(engagement, coach, source, derivation, description, due_on):
    return commitment_create(engagement=engagement, by=coach.user, description=description,
                             due_on=due_on, derived_from=source, derivation=derivation)


def test_a_commitment_missed_once_is_not_a_repeat_miss(timeline, engagement):
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["missed"])  # a different task, missed once too
    assert engagement_followthrough(engagement)["repeat_misses"] == []


def test_a_reinstated_task_missed_again_is_one_line_with_two_misses(timeline, engagement, coach):
    first = timeline.meeting("held", ["missed"])
    original = timeline.commitments[0]
    day = first.starts_at + timedelta(days=7)
    again = derived(engagement, coach, original, "reinstated", "Call the bank, again", day.date())
    review_at(engagement, coach, day, (again, "missed"))
    third = derived(engagement, coach, again, "reinstated", "Call the bank, third try",
                    (day + timedelta(days=7)).date())
    review_at(engagement, coach, day + timedelta(days=7), (third, "kept"))
    [line] = engagement_followthrough(engagement)["repeat_misses"]
    assert line["description"] == original.description
    assert line["misses"] == 2
    assert line["commitments"] == [str(original.uid), str(again.uid), str(third.uid)]
    assert line["missed"] == [str(original.uid), str(again.uid)]


def test_a_trimmed_task_is_a_new_smaller_task_not_a_repeat_of_the_missed_one(timeline, engagement, coach):
    first = timeline.meeting("held", ["missed"])
    day = first.starts_at + timedelta(days=7)
    smaller = derived(engagement, coach, timeline.commitments[0], "trimmed", "Call one bank", day.date())
    review_at(engagement, coach, day, (smaller, "missed"))
    assert engagement_followthrough(engagement)["repeat_misses"] == []


class Record:
    """A commitment as `repeat_misses` reads it, without the database."""

    def __init__(self, pk, outcome, derived_from_id=None, derivation="", uid=None):
        self.pk, self.uid, self.outcome = pk, uid or f"u{pk}", outcome
        self.derived_from_id, self.derivation, self.description = derived_from_id, derivation, f"task {pk}"


def test_repeat_misses_of_plain_records_without_the_database():
    C = Record

    # 1 missed, reinstated as 2 (missed), reinstated as 3 (missed): one line, three misses.
    records = [C(3, "missed", 2, "reinstated"), C(1, "missed"), C(2, "missed", 1, "reinstated")]
    [line] = repeat_misses(records)
    assert (line["description"], line["misses"], line["commitments"]) == ("task 1", 3, ["u1", "u2", "u3"])


# --- whose thresholds ---------------------------------------------------------------------


def test_without_any_setting_the_defaults_apply(coach):
    t = thresholds_for(coach)
    assert (t.followthrough_below, t.nonproductive_meetings, t.drift_meetings, t.drift_share, t.no_show_run) \
        == (0.5, 3, 3, 2 / 3, 2)


def test_a_coachs_override_wins_over_the_practices_value(practice, coach):
    practice_thresholds_set(practice=practice, by=None, followthrough_below=0.4, no_show_run=3)
    coach_thresholds_set(coach=coach, by=coach.user, followthrough_below=0.6)
    t = thresholds_for(coach)
    assert t.followthrough_below == 0.6  # the coach's own
    assert t.no_show_run == 3  # the practice's, where the coach set nothing
    assert t.drift_meetings == 3  # the default, where neither did


def test_removing_a_coachs_override_brings_back_the_practices_value(practice, coach):
    practice_thresholds_set(practice=practice, by=None, drift_meetings=5)
    coach_thresholds_set(coach=coach, by=coach.user, drift_meetings=2)
    assert thresholds_for(coach).drift_meetings == 2
    coach_thresholds_set(coach=coach, by=coach.user, drift_meetings=None)
    assert thresholds_for(coach).drift_meetings == 5


def test_the_effective_thresholds_handed_to_pages_are_read_only(coach):
    with pytest.raises(FrozenInstanceError):
        thresholds_for(coach).followthrough_below = 0.9


def test_repeat_miss_lines_come_oldest_first_whatever_their_uids():
    # Line 1: 1 -> 4, made first; line 2: 2 -> 3. Uids are random: line 1's sort last here.
    records = [Record(1, "missed", uid="z1"), Record(2, "missed", uid="a2"),
               Record(3, "missed", 2, "reinstated", uid="a3"), Record(4, "missed", 1, "reinstated", uid="z4")]
    assert [line["commitments"] for line in repeat_misses(records)] == [["z1", "z4"], ["a2", "a3"]]
