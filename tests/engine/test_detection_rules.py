"""The detection rules of PRODUCT.md at their edges: which meetings each condition looks
at (the newest ones, of the right kind, of this engagement only), whose thresholds it
judges by, what counts as goal progress, and what the evidence on a flag says."""

import uuid
from datetime import UTC as timezone_utc
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from followthrough.clients.services import agreement_create
from followthrough.engine.detection import as_datetime, as_uid
from followthrough.engine.models import Flag
from followthrough.engine.services import (
    coach_thresholds_set,
    engagement_refresh,
    practice_thresholds_set,
    scan_pass,
)
from followthrough.engine.sweep import engagements_to_settle
from followthrough.meetings.services import meeting_update


def open_kinds(engagement):
    return sorted(Flag.objects.open().filter(engagement=engagement).values_list("kind", flat=True))


def flag_of(engagement, kind):
    return Flag.objects.open().get(engagement=engagement, kind=kind)


# --- nonproductive ----------------------------------------------------------------------


def test_a_phase_is_judged_over_the_last_three_figured_meetings_not_the_oldest(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["kept"])
    scan_pass()
    assert open_kinds(engagement) == []  # back on track at the newest meeting


def test_meetings_with_only_waived_commitments_between_bad_ones_do_not_hide_the_phase(timeline, engagement):
    # bad, bad, (waived only), (waived only), bad: the last three figured meetings are all bad.
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["waived"])
    timeline.meeting("held", ["waived"])
    last = timeline.meeting("held", ["missed"])
    changes = engagement_refresh(engagement=engagement)
    assert {c.kind for c in changes} == {"nonproductive"}
    evidence = flag_of(engagement, "nonproductive").evidence
    assert len(evidence["meetings"]) == 3 and evidence["meetings"][-1]["uid"] == str(last.uid)


def test_three_bad_meetings_with_no_focus_areas_recorded_are_a_phase(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed"], focus=())
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]


def test_fewer_bad_meetings_than_the_window_is_not_yet_a_phase(timeline, engagement):
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_a_phase_needs_every_meeting_in_the_window_below_not_just_one(timeline, engagement):
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["kept", "kept"])
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_the_practices_window_applies_when_the_coach_set_none(timeline, engagement, practice):
    practice_thresholds_set(practice=practice, by=None, nonproductive_meetings=2)
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["missed"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]
    assert flag_of(engagement, "nonproductive").evidence["window"] == 2


def test_a_coachs_threshold_wins_over_the_practices(timeline, engagement, practice, coach):
    practice_thresholds_set(practice=practice, by=None, followthrough_below=0.3)
    for _ in range(3):
        timeline.meeting("held", ["kept", "missed", "missed"])  # a third each time
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []  # a third is not below the practice's 0.3
    coach_thresholds_set(coach=coach, by=coach.user, followthrough_below=0.5)
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]
    assert flag_of(engagement, "nonproductive").evidence["threshold"] == 0.5


def test_a_figure_within_rounding_slack_of_the_coachs_threshold_is_not_below_it(timeline, engagement, coach):
    # 0.25 against 0.250000001: equal but for binary rounding, so not below (EPSILON of slack).
    coach_thresholds_set(coach=coach, by=coach.user, followthrough_below=0.250000001)
    for _ in range(3):
        timeline.meeting("held", [0.25])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []
    timeline.meeting("held", [0.24])
    timeline.meeting("held", [0.24])
    timeline.meeting("held", [0.24])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["nonproductive"]


def test_another_coachs_override_does_not_apply_to_my_clients(timeline, engagement, colleague):
    coach_thresholds_set(coach=colleague, by=colleague.user, nonproductive_meetings=1)
    timeline.meeting("held", ["missed"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []


def test_the_evidence_credits_each_commitment_and_shows_each_meetings_figure(timeline, engagement):
    meetings = [timeline.meeting("held", ["kept", "missed", "missed"]),
                timeline.meeting("held", [0.4]),
                timeline.meeting("held", ["missed", "waived"])]
    engagement_refresh(engagement=engagement)
    evidence = flag_of(engagement, "nonproductive").evidence
    assert [m["figure"] for m in evidence["meetings"]] == [0.3333, 0.4, 0.0]
    assert [m["starts_at"] for m in evidence["meetings"]] == [m.starts_at.isoformat() for m in meetings]
    credits = {c["uid"]: (c["outcome"], c["credit"], c["meeting"]) for c in evidence["commitments"]}
    kept, missed_1, missed_2, partly, missed_3, waived = timeline.commitments
    assert credits == {
        str(kept.uid): ("kept", 1.0, str(meetings[0].uid)),
        str(missed_1.uid): ("missed", 0.0, str(meetings[0].uid)),
        str(missed_2.uid): ("missed", 0.0, str(meetings[0].uid)),
        str(partly.uid): ("partly_kept", 0.4, str(meetings[1].uid)),
        str(missed_3.uid): ("missed", 0.0, str(meetings[2].uid)),
    }
    assert str(waived.uid) not in credits  # waived: neither way, not evidence either


def test_an_open_flag_stays_open_while_its_condition_holds_even_with_a_window_of_one(timeline, engagement, coach):
    coach_thresholds_set(coach=coach, by=coach.user, nonproductive_meetings=1, no_show_run=1)
    timeline.meeting("held", ["missed"])
    timeline.meeting("no_show")
    assert {c.kind for c in engagement_refresh(engagement=engagement)} == {"nonproductive", "no_shows"}
    raised = set(Flag.objects.open().values_list("pk", flat=True))
    assert engagement_refresh(engagement=engagement) == []
    assert set(Flag.objects.open().values_list("pk", flat=True)) == raised


# --- goal progress ------------------------------------------------------------------------


def test_the_same_goal_score_again_is_not_progress(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed"], goal=-1)
    scan_pass()
    assert open_kinds(engagement) == ["nonproductive"]


def test_a_goal_carried_into_a_renegotiated_agreement_keeps_its_line(timeline, engagement, coach, focus):
    timeline.meeting("held", ["missed"], goal=-1)
    agreement_create(engagement=engagement, by=coach.user, came_for="Grow the catering side",
                     primary_focus=focus["business"], meeting_cadence="Weekly",
                     call_to_action="Five enquiries", renegotiation_reason="A lower bar.")
    timeline.goal = engagement.agreements.get(version=2).goals.get()
    assert timeline.goal.carried_from_id is not None
    timeline.meeting("held", ["missed"], goal=0)  # better than -1 on the same line: progress
    timeline.meeting("held", ["missed"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_a_lower_score_than_before_is_not_progress_even_across_versions(timeline, engagement, coach, focus):
    timeline.meeting("held", ["missed"], goal=1)
    agreement_create(engagement=engagement, by=coach.user, came_for="Grow the catering side",
                     primary_focus=focus["business"], meeting_cadence="Weekly",
                     call_to_action="Five enquiries", renegotiation_reason="A lower bar.")
    timeline.goal = engagement.agreements.get(version=2).goals.get()
    timeline.meeting("held", ["missed"], goal=0)
    timeline.meeting("held", ["missed"], goal=0)
    scan_pass()
    assert open_kinds(engagement) == ["nonproductive"]


# --- focus drift --------------------------------------------------------------------------


def test_drift_is_judged_over_the_last_three_meetings_not_the_first_three(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", [], focus=["relationships"])
    for _ in range(3):
        timeline.meeting("held", [], focus=["business"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_two_off_focus_meetings_are_not_yet_drift(timeline, engagement):
    timeline.meeting("held", [], focus=["relationships"])
    timeline.meeting("held", [], focus=["relationships"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_drift_counts_topics_not_meetings(timeline, engagement):
    # Each meeting touched both the agreed focus and another: half the topics, not drift.
    for _ in range(3):
        timeline.meeting("held", [], focus=["business", "relationships"])
    scan_pass()
    assert open_kinds(engagement) == []
    # Two more all about relationships: 1 + 1 + 2 of 4 topics... of the last three meetings.
    timeline.meeting("held", [], focus=["relationships"])
    timeline.meeting("held", [], focus=["relationships"])
    scan_pass()
    assert open_kinds(engagement) == ["focus_drift"]
    evidence = flag_of(engagement, "focus_drift").evidence
    assert (evidence["off_topics"], evidence["topics"]) == (3, 4)
    assert [m["off_share"] for m in evidence["meetings"]] == [0.5, 1.0, 1.0]
    assert evidence["commitments"] == []
    assert evidence["threshold"] == pytest.approx(2 / 3) and evidence["window"] == 3


def test_a_share_within_rounding_slack_of_the_coachs_drift_threshold_reaches_it(timeline, engagement, coach):
    # One of two topics off focus against a share of 0.5000000005: equal but for rounding.
    coach_thresholds_set(coach=coach, by=coach.user, drift_meetings=1, drift_share=0.5000000005)
    timeline.meeting("held", [], focus=["business", "relationships"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["focus_drift"]


def test_meetings_without_focus_areas_between_off_focus_ones_are_skipped(timeline, engagement):
    timeline.meeting("held", [], focus=["relationships"])
    timeline.meeting("held", [], focus=["relationships"])
    timeline.meeting("held", [], focus=())
    timeline.meeting("held", [], focus=())
    timeline.meeting("held", [], focus=["relationships"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["focus_drift"]
    assert len(flag_of(engagement, "focus_drift").evidence["meetings"]) == 3


def test_a_no_show_tagged_off_focus_is_not_drift(timeline, engagement, coach):
    coach_thresholds_set(coach=coach, by=coach.user, no_show_run=5)
    timeline.meeting("held", [], focus=["business"])
    for _ in range(3):
        timeline.meeting("no_show", focus=["relationships"])
    timeline.meeting("held", [], focus=["business"])
    timeline.meeting("held", [], focus=["relationships"])
    scan_pass()
    assert open_kinds(engagement) == []


def test_a_coachs_wider_drift_window_needs_more_meetings(timeline, engagement, coach):
    coach_thresholds_set(coach=coach, by=coach.user, drift_meetings=4)
    for _ in range(3):
        timeline.meeting("held", [], focus=["relationships"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []
    timeline.meeting("held", [], focus=["relationships"])
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["focus_drift"]


# --- no-shows -----------------------------------------------------------------------------


def test_two_no_shows_as_the_very_first_meetings_flag(timeline, engagement):
    timeline.meeting("no_show")
    timeline.meeting("no_show")
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["no_shows"]
    evidence = flag_of(engagement, "no_shows").evidence
    assert len(evidence["meetings"]) == 2 and evidence["commitments"] == [] and "threshold" not in evidence


def test_a_cancelled_or_planned_meeting_does_not_break_a_no_show_run(timeline, engagement):
    timeline.meeting("no_show")
    meeting_update(meeting=timeline.meeting("planned"), by=timeline.coach.user, status="cancelled")
    timeline.meeting("no_show")
    timeline.meeting("planned", at=timezone.now() + timedelta(days=3))
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["no_shows"]


def test_a_held_meeting_between_no_shows_breaks_the_run(timeline, engagement):
    timeline.meeting("no_show")
    timeline.meeting("held", [])
    timeline.meeting("no_show")
    scan_pass()
    assert open_kinds(engagement) == []


def test_a_single_no_show_is_not_a_run(timeline, engagement):
    timeline.meeting("no_show")
    scan_pass()
    assert open_kinds(engagement) == []


def test_the_practices_no_show_run_applies(timeline, engagement, practice):
    practice_thresholds_set(practice=practice, by=None, no_show_run=3)
    timeline.meeting("no_show")
    timeline.meeting("no_show")
    scan_pass()
    assert open_kinds(engagement) == []
    timeline.meeting("no_show")
    scan_pass()
    assert open_kinds(engagement) == ["no_shows"]


# --- meetings recorded for the same time ---------------------------------------------------


def test_of_two_meetings_recorded_for_the_same_time_the_one_recorded_last_counts_as_newer(
        timeline, engagement, coach):
    # As the follow-through chart orders them. With windows of one, only the newest counts.
    coach_thresholds_set(coach=coach, by=coach.user, nonproductive_meetings=1, drift_meetings=1, no_show_run=1)
    same = timeline.start
    timeline.meeting("held", ["missed"], focus=["relationships"], at=same)
    timeline.meeting("held", ["kept"], focus=["business"], at=same)
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []
    later = same + timedelta(days=7)
    timeline.meeting("no_show", at=later)
    timeline.meeting("held", [], focus=(), at=later)
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == []


# --- one engagement at a time -------------------------------------------------------------


def test_another_clients_newer_meetings_do_not_change_this_clients_flags(
        timeline, engagement, colleague, colleague_client, focus, make_timeline):
    dee = colleague_client.engagements.get()
    agreement_create(engagement=dee, by=colleague.user, came_for="Open a second shop",
                     primary_focus=focus["business"], meeting_cadence="Weekly",
                     call_to_action="Sign a lease", goals=[{"title": "Lease signed"}])
    # Bob: a phase hidden behind waived-only meetings, drift behind untagged ones, and two no-shows.
    timeline.meeting("held", ["missed"], focus=["relationships"])
    timeline.meeting("held", ["missed"], focus=["relationships"])
    timeline.meeting("held", ["waived"], focus=())
    timeline.meeting("held", ["waived"], focus=())
    timeline.meeting("held", ["missed"], focus=["relationships"])
    timeline.meeting("no_show")
    timeline.meeting("no_show")
    # Dee: many newer meetings, every kind, all fine.
    dees = make_timeline(dee, colleague, start=timeline.start + 10 * timedelta(days=7))
    for _ in range(4):
        dees.meeting("held", ["kept"], focus=["business"])
        dees.meeting("no_show", focus=["business"])
        dees.meeting("held", ["kept"], focus=["business"])
    scan_pass()
    assert open_kinds(engagement) == ["focus_drift", "no_shows", "nonproductive"]
    assert open_kinds(dee) == []
    Flag.objects.all().delete()
    engagement_refresh(engagement=engagement)
    assert open_kinds(engagement) == ["focus_drift", "no_shows", "nonproductive"]


def test_in_one_pass_each_client_is_judged_by_their_own_coachs_narrower_windows(
        timeline, engagement, coach, colleague, colleague_client, focus, make_timeline):
    """Bob's coach looks at 2 meetings where Cara looks at 3: Bob's two bad, off-focus
    meetings are a phase and drift, though the pass as a whole reaches 3 meetings back."""
    coach_thresholds_set(coach=coach, by=coach.user, nonproductive_meetings=2, drift_meetings=2, no_show_run=1)
    coach_thresholds_set(coach=colleague, by=colleague.user, no_show_run=1)
    dee = colleague_client.engagements.get()
    agreement_create(engagement=dee, by=colleague.user, came_for="Open a second shop",
                     primary_focus=focus["business"], meeting_cadence="Weekly",
                     call_to_action="Sign a lease", goals=[{"title": "Lease signed"}])
    timeline.meeting("held", ["missed"], focus=["relationships"])
    timeline.meeting("held", ["missed"], focus=["relationships"])
    dees = make_timeline(dee, colleague)
    for _ in range(3):
        dees.meeting("held", ["kept"], focus=["business"])
    # The pass's sweep, over the whole practice at once, names Bob as due his flags.
    assert engagements_to_settle() == [engagement.pk]
    scan_pass()
    assert open_kinds(engagement) == ["focus_drift", "nonproductive"]
    assert open_kinds(dee) == []


def test_in_one_pass_one_no_show_is_a_run_for_a_coach_who_set_the_run_to_one_and_two_for_the_rest(
        timeline, engagement, coach, colleague_client, colleague, make_timeline, focus):
    coach_thresholds_set(coach=coach, by=coach.user, no_show_run=1)
    dee = colleague_client.engagements.get()
    agreement_create(engagement=dee, by=colleague.user, came_for="Open a second shop",
                     primary_focus=focus["business"], meeting_cadence="Weekly",
                     call_to_action="Sign a lease", goals=[{"title": "Lease signed"}])
    dees = make_timeline(dee, colleague)
    dees.meeting("no_show")
    dees.meeting("no_show")  # Cara's run of two
    timeline.meeting("no_show")
    assert engagements_to_settle() == sorted([engagement.pk, dee.pk])
    scan_pass()
    assert open_kinds(engagement) == ["no_shows"]
    assert open_kinds(dee) == ["no_shows"]


# --- uids and times as the databases return them --------------------------------------------


def test_a_uid_comes_out_in_its_usual_form_however_the_database_returns_it():
    uid = uuid.UUID("0190b5e2-7c1a-7def-8abc-0123456789ab")
    usual = "0190b5e2-7c1a-7def-8abc-0123456789ab"
    assert as_uid(uid) == usual
    assert as_uid(uid.hex) == usual  # SQLite: 32 hex digits
    assert as_uid(uid.hex.upper()) == usual
    assert as_uid(usual) == usual  # PostgreSQL: the usual form already
    assert as_uid(usual.upper()) == usual
    assert as_uid("{" + usual + "}") == usual  # anything else uuid reads


USUAL = "0190b5e2-7c1a-7def-8abc-0123456789ab"
HEX = USUAL.replace("-", "")


def dashed(positions, digits=HEX):
    """`digits` laid out with dashes at `positions` instead of the usual 8, 13, 18, 23."""
    out, rest = [], iter(digits)
    for i in range(len(digits) + len(positions)):
        out.append("-" if i in positions else next(rest))
    return "".join(out)


@pytest.mark.parametrize("positions", [(7, 13, 18, 23), (9, 13, 18, 23), (8, 12, 18, 23), (8, 14, 18, 23),
                                       (8, 13, 17, 23), (8, 13, 19, 23), (8, 13, 18, 22), (8, 13, 18, 24)])
def test_a_uid_with_a_dash_out_of_place_still_comes_out_in_the_usual_form(positions):
    assert as_uid(dashed(positions)) == USUAL


@pytest.mark.parametrize("corrupt", [
    "g" * 32, "0" * 31, "0" * 33, USUAL[:-1] + "g", USUAL[:-1], USUAL + "0", "0190b5e2", "",
    # 36 characters, a dash missing (a digit too many) at each usual place, or all four
    *(dashed(set(p for p in (8, 13, 18, 23) if p != missing), HEX + "f") for missing in (8, 13, 18, 23)),
    HEX + "ffff",
    # 36 characters whose usual dash places hold equal digits instead, in part or all
    "a" * 18 + "-" + "a" * 4 + "-" + "a" * 12, "a" * 23 + "-" + "a" * 12, "a" * 36,
])
def test_a_corrupt_uid_fails_loudly(corrupt):
    with pytest.raises(ValueError):
        as_uid(corrupt)


def test_a_time_without_a_zone_is_read_as_utc():
    aware = datetime(2026, 3, 1, 9, 30, tzinfo=timezone_utc)
    assert as_datetime(aware) == aware
    assert as_datetime(datetime(2026, 3, 1, 9, 30)) == aware
    assert as_datetime("2026-03-01 09:30:00").isoformat() == "2026-03-01T09:30:00+00:00"
    assert as_datetime("2026-03-01T09:30:00+01:00").utcoffset() == timedelta(hours=1)
