"""Every detection case of PRODUCT.md, including the ones that must not flag."""

import pytest

from followthrough.clients.services import agreement_create, engagement_pause
from followthrough.engine.models import Flag
from followthrough.engine.services import coach_thresholds_set, engagement_refresh, scan_pass
from followthrough.history.services import verify_chain, verify_records


def open_kinds(engagement):
    return sorted(Flag.objects.open().filter(engagement=engagement).values_list("kind", flat=True))


def test_three_held_meetings_all_missed_flag_nonproductive_with_evidence(timeline, engagement):
    first = timeline.meeting("held", ["kept", "kept"])
    meetings = [timeline.meeting("held", ["missed", "missed"]) for _ in range(3)]
    result = scan_pass()
    assert result.raised == 1
    flag = Flag.objects.get(engagement=engagement)
    assert flag.kind == "nonproductive" and flag.is_open
    assert [m["uid"] for m in flag.evidence["meetings"]] == [str(m.uid) for m in meetings]
    assert first.uid not in {m["uid"] for m in flag.evidence["meetings"]}
    assert all(m["figure"] == 0 for m in flag.evidence["meetings"])
    assert {c["uid"] for c in flag.evidence["commitments"]} == {
        str(c.uid) for c in timeline.commitments[2:]}
    assert flag.evidence["threshold"] == 0.5 and flag.evidence["window"] == 3
    assert verify_chain() is None
    assert verify_records() == []


def test_one_bad_week_does_not_flag(timeline, engagement):
    timeline.meeting("held", ["kept", "kept"])
    timeline.meeting("held", ["missed", "missed"])
    timeline.meeting("held", ["kept", "partly_kept" and 0.5])
    assert scan_pass().raised == 0
    assert open_kinds(engagement) == []


def test_exactly_half_is_not_below_the_threshold(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["kept", "missed"])
    scan_pass()
    assert open_kinds(engagement) == []
    timeline.meeting("held", [0.49])
    timeline.meeting("held", ["missed", "missed"])
    timeline.meeting("held", [0.2, "kept", "missed"])  # 1.2 / 3 = 0.4
    scan_pass()
    assert open_kinds(engagement) == ["nonproductive"]


def test_goal_progress_breaks_a_nonproductive_phase(timeline, engagement):
    timeline.meeting("held", ["missed"], goal=-1)
    timeline.meeting("held", ["missed"], goal=0)  # progress: -1 -> 0
    timeline.meeting("held", ["missed"], goal=0)
    scan_pass()
    assert open_kinds(engagement) == []
    timeline.meeting("held", ["missed"], goal=-1)
    scan_pass()
    assert open_kinds(engagement) == []  # the window still holds the meeting with progress
    timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == ["nonproductive"]


def test_a_held_meeting_without_a_figure_is_skipped_not_a_break(timeline, engagement):
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", [])  # nothing was due
    timeline.meeting("held", ["waived"])  # only waived: no figure either
    timeline.meeting("held", ["missed"])
    timeline.meeting("no_show")
    timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == ["nonproductive"]
    flag = Flag.objects.get()
    assert len(flag.evidence["meetings"]) == 3


def test_a_waived_commitment_counts_neither_way(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["kept", "missed", "waived"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_flag_clears_when_the_client_is_back_on_track_and_a_relapse_is_a_new_row(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    scan_pass()
    raised = Flag.objects.get()
    timeline.meeting("held", ["kept"])
    assert scan_pass().cleared == 1
    raised.refresh_from_db()
    assert raised.cleared_at is not None
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    scan_pass()
    assert Flag.objects.count() == 2
    assert Flag.objects.open().get().pk != raised.pk


def test_scan_is_idempotent(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    assert scan_pass().raised == 1
    again = scan_pass()
    assert (again.raised, again.cleared) == (0, 0)
    assert Flag.objects.count() == 1


def test_three_meetings_about_relationships_drift(timeline, engagement):
    timeline.meeting("held", ["kept"], focus=["business"])
    for _ in range(3):
        timeline.meeting("held", ["kept"], focus=["relationships"])
    scan_pass()
    assert open_kinds(engagement) == ["focus_drift"]
    flag = Flag.objects.get()
    assert (flag.evidence["off_topics"], flag.evidence["topics"]) == (3, 3)


def test_one_off_focus_meeting_among_on_focus_ones_is_not_drift(timeline, engagement):
    timeline.meeting("held", ["kept"], focus=["business"])
    timeline.meeting("held", ["kept"], focus=["relationships"])
    timeline.meeting("held", ["kept"], focus=["business"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_exactly_two_thirds_off_focus_reaches_drift(timeline, engagement):
    timeline.meeting("held", [], focus=["relationships"])
    timeline.meeting("held", [], focus=["business"])
    timeline.meeting("held", [], focus=["relationships"])
    scan_pass()
    assert open_kinds(engagement) == ["focus_drift"]


def test_drift_follows_the_current_agreement_version(timeline, engagement, coach, focus):
    for _ in range(3):
        timeline.meeting("held", [], focus=["relationships"])
    scan_pass()
    assert open_kinds(engagement) == ["focus_drift"]
    agreement_create(engagement=engagement, by=coach.user, came_for="Repair the partnership",
                     primary_focus=focus["relationships"], meeting_cadence="Weekly",
                     call_to_action="Talk weekly", renegotiation_reason="The focus moved.")
    scan_pass()
    assert open_kinds(engagement) == []


def test_two_no_shows_in_a_row(timeline, engagement):
    timeline.meeting("held", ["kept"])
    timeline.meeting("no_show")
    scan_pass()
    assert open_kinds(engagement) == []
    timeline.meeting("no_show")
    scan_pass()
    assert open_kinds(engagement) == ["no_shows"]
    assert len(Flag.objects.get().evidence["meetings"]) == 2
    timeline.meeting("held", ["kept"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_leaving_active_clears_open_flags(timeline, engagement, coach):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    scan_pass()
    from datetime import date, timedelta
    engagement_pause(engagement=engagement, until=date.today() + timedelta(days=30), by=coach.user)
    # At once, by the move itself: no flag waits for the next scan on a paused engagement.
    assert open_kinds(engagement) == []
    assert scan_pass().cleared == 0
    assert open_kinds(engagement) == []


def test_coach_override_changes_the_window(timeline, engagement, coach):
    for _ in range(2):
        timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == []
    coach_thresholds_set(coach=coach, by=coach.user, nonproductive_meetings=2)
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]


@pytest.mark.parametrize("window", [1, 4])
def test_window_sizes(timeline, engagement, coach, window):
    coach_thresholds_set(coach=coach, by=coach.user, nonproductive_meetings=window)
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == (["nonproductive"] if window <= 3 else [])


def test_a_resumed_engagement_starts_clean_and_is_judged_on_its_new_meetings(timeline, engagement, coach):
    from datetime import timedelta

    from followthrough.clients.services import engagement_move
    from followthrough.history import clock

    for _ in range(3):
        timeline.meeting("held", ["missed"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]
    away = timeline.meetings[-1].starts_at + timedelta(days=1)
    with clock.set_to(away):
        engagement_pause(engagement=engagement, until=away.date() + timedelta(days=5), by=coach.user)
    with clock.set_to(away + timedelta(days=2)):
        engagement_move(engagement=engagement, to_state="active", by=coach.user, note="Back after the move")
    engagement_refresh(engagement=engagement)
    scan_pass()
    assert open_kinds(engagement) == []  # the meetings before the pause no longer count
    for _ in range(2):
        timeline.meeting("held", ["missed"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []
    timeline.meeting("held", ["missed"])  # three missed since the resume: a phase of its own
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]
