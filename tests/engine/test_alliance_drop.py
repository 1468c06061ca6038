"""The alliance drop: a client's meeting check falling against their own earlier ones, or
falling several times in a row, is flagged by the refresh and the scan alike."""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.engine.models import Flag
from followthrough.engine.selectors import flag_reason
from followthrough.engine.services import coach_thresholds_set, engagement_refresh, scan_pass
from followthrough.engine.sweep import engagements_to_settle
from followthrough.meetings.services import meeting_check_record


def answers(score):
    """Four answers whose mean is `score` (a multiple of 0.25)."""
    total = round(score * 4)
    base = total // 4
    return dict(zip(["on_what_matters", "plan_fits_week", "felt_heard", "sure_to_do_it"],
                    [base + (1 if i < total - 4 * base else 0) for i in range(4)], strict=True))


def checked(timeline, *scores):
    """One held meeting (everything kept) per score, each with its meeting check answered."""
    meetings = []
    for score in scores:
        meeting = timeline.meeting("held", ["kept"])
        meeting_check_record(meeting=meeting, answers=answers(score))
        meetings.append(meeting)
    return meetings


def alliance_flag(engagement):
    """The open alliance-drop flag after a refresh (the one a recorded check sets off on commit)."""
    engagement_refresh(engagement=engagement)
    return Flag.objects.open().filter(engagement=engagement, kind=Flag.Kind.ALLIANCE_DROP).first()


def test_a_check_two_points_below_the_clients_own_average_raises_an_alliance_drop(timeline, engagement):
    meetings = checked(timeline, 9, 8.5, 9.5, 7)

    flag = alliance_flag(engagement)
    assert flag is not None
    evidence = flag.evidence
    assert evidence["baseline"] == 9.0 and evidence["earlier"] == 3
    assert evidence["threshold"] == 2.0 and evidence["dropped"] is True
    assert evidence["meetings"][-1] == {"uid": str(meetings[-1].uid), "score": 7.0,
                                        "starts_at": meetings[-1].starts_at.isoformat()}
    assert "scored 7 of 10, 2 below the client's earlier average of 9" in flag_reason(flag)


def test_a_smaller_fall_or_a_first_check_raises_nothing(timeline, engagement):
    checked(timeline, 3)
    assert alliance_flag(engagement) is None  # a low first check is a level, not a fall
    checked(timeline, 9, 8)
    assert alliance_flag(engagement) is None  # 8 against an average of 6: no fall at all


def test_two_falls_of_a_point_in_a_row_raise_an_alliance_drop(timeline, engagement):
    checked(timeline, 9, 8)
    assert alliance_flag(engagement) is None  # one fall of 1 point, and 8 is 1 below 9, not 2
    checked(timeline, 7)  # 7 against an average of 8.5: not 2 below, but a second fall of 1 point

    flag = alliance_flag(engagement)
    assert flag.evidence["falls_in_row"] is True and flag.evidence["dropped"] is False
    assert flag.evidence["min_fall"] == 1.0
    assert [m["score"] for m in flag.evidence["meetings"]] == [9.0, 8.0, 7.0]
    assert flag_reason(flag) == "The last 2 meeting checks each fell 1 point or more below the one before."


def test_a_client_answering_near_the_top_who_slides_a_quarter_point_at_a_time_is_not_flagged(timeline,
                                                                                               engagement):
    # Answers of 10, 9 and 8 only: the means fall 9.5 -> 9.25 -> 9.0, noise rather than a fall.
    for four in ([10, 10, 9, 9], [10, 9, 9, 9], [10, 9, 9, 8]):
        meeting = timeline.meeting("held", ["kept"])
        meeting_check_record(meeting=meeting, answers=dict(zip(
            ["on_what_matters", "plan_fits_week", "felt_heard", "sure_to_do_it"], four, strict=True)))

    assert alliance_flag(engagement) is None
    assert engagements_to_settle() == []  # the scan's statement agrees


def test_the_flag_clears_when_the_newest_check_no_longer_falls(timeline, engagement):
    checked(timeline, 9, 9, 6)
    flag = alliance_flag(engagement)
    assert flag is not None

    checked(timeline, 8.5)  # 8.5 against 8.0: above the average, and a rise

    assert alliance_flag(engagement) is None
    flag.refresh_from_db()
    assert flag.cleared_at is not None


def test_a_coachs_own_thresholds_decide(timeline, engagement, coach):
    coach_thresholds_set(coach=coach, by=coach.user, alliance_drop_points=1.0, alliance_falls_in_row=3)
    checked(timeline, 9, 8.75, 8.5)
    assert alliance_flag(engagement) is None  # 0.375 below the average, and falls of 0.25 < 0.5
    checked(timeline, 7.5)
    assert alliance_flag(engagement).evidence["threshold"] == 1.0


def test_only_checks_since_the_engagement_became_active_again_count(timeline, engagement):
    checked(timeline, 10, 10, 10)
    engagement.__class__.objects.filter(pk=engagement.pk).update(
        active_since=timeline.start + len(timeline.meetings) * timedelta(days=7) - timedelta(hours=1))
    checked(timeline, 7.5, 7)
    engagement_refresh(engagement=engagement)
    assert alliance_flag(engagement) is None  # 7 against 7.5, one fall: the 10s are before the return


def test_answering_a_check_refreshes_the_flags_once_it_is_saved(timeline, engagement,
                                                                django_capture_on_commit_callbacks):
    checked(timeline, 9, 9)
    meeting = timeline.meeting("held", ["kept"])
    with django_capture_on_commit_callbacks(execute=True):
        meeting_check_record(meeting=meeting, answers=answers(6))

    assert Flag.objects.open().filter(engagement=engagement, kind=Flag.Kind.ALLIANCE_DROP).exists()


def test_the_scan_raises_and_clears_alliance_drops_as_the_refresh_does(timeline, engagement):
    checked(timeline, 9, 9, 5)
    Flag.objects.all().delete()

    assert engagements_to_settle() == [engagement.pk]
    result = scan_pass()
    assert result.raised == 1 and alliance_flag(engagement) is not None
    assert engagements_to_settle() == []
    assert (scan_pass().raised, scan_pass().cleared) == (0, 0)


def expected_drop(scores, points=2.0, falls=2):
    """The definition: the newest check `points` below the mean of the earlier ones, or the
    last `falls` checks each at least half of `points` below the one before."""
    if len(scores) < 2:
        return False
    newest, earlier = scores[-1], scores[:-1]
    if newest <= sum(earlier) / len(earlier) - points + 1e-9:
        return True
    recent = scores[-(falls + 1):]
    return len(recent) == falls + 1 and all(b <= a - points / 2 + 1e-9
                                            for a, b in zip(recent, recent[1:], strict=False))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 40).map(lambda q: q / 4), min_size=0, max_size=6))
def test_alliance_drop_matches_the_definition_on_random_checks(make_timeline, engagement, coach, agreement,
                                                               scores):
    with transaction.atomic():
        timeline = make_timeline(engagement, coach)
        checked(timeline, *scores)
        assert (alliance_flag(engagement) is not None) == expected_drop(scores)
        Flag.objects.filter(engagement=engagement).delete()
        assert engagements_to_settle() == ([engagement.pk] if expected_drop(scores) else [])
        transaction.set_rollback(True)


@pytest.mark.parametrize("value, message", [
    (0, "more than 0 and at most 10 points"), (10.5, "more than 0 and at most 10 points"),
    ("lots", "must be a number of points"),
])
def test_an_impossible_alliance_drop_fall_is_refused_on_its_field(coach, value, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        coach_thresholds_set(coach=coach, by=coach.user, alliance_drop_points=value)
    assert message in refused.value.message_dict["alliance_drop_points"][0]


@pytest.mark.parametrize("value, message", [(0, "at least 1 meeting check"), (51, "at most 50 meeting checks"),
                                            (1.5, "whole number of meeting checks")])
def test_an_impossible_number_of_falls_in_a_row_is_refused_on_its_field(coach, value, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        coach_thresholds_set(coach=coach, by=coach.user, alliance_falls_in_row=value)
    assert message in refused.value.message_dict["alliance_falls_in_row"][0]


def test_the_flag_page_shows_each_checks_score_and_the_clients_baseline(timeline, engagement, client, coach):
    checked(timeline, 9, 9, 6)
    flag = alliance_flag(engagement)
    client.force_login(coach.user)

    page = client.get(flag.get_absolute_url()).content.decode()

    assert "Meeting check (0 to 10)" in page and "<td>6</td>" in page
    assert "The client's earlier average: 9 of 10, over 2 earlier meeting checks" in page
    assert "Meeting checks of" in page  # the trend beside the follow-through chart
