"""Planned breaks in the engine: meetings whose practice-local day falls in an in-force
break of their engagement are left out of every condition, so no flag can be raised by
meetings in it; the refresh and the scan agree."""

import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction

from followthrough.clients.models import PlannedBreak
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh, scan_pass
from followthrough.engine.sweep import engagements_to_settle
from followthrough.history import clock
from followthrough.history.services import tracked_create, tracked_update

from .test_alliance_drop import checked


def planned_break(engagement, coach, first, last, reason="Holiday"):
    return tracked_create(PlannedBreak(engagement=engagement, starts_on=first, ends_on=last, reason=reason,
                                       recorded_by=coach.user), by=coach.user, action="planned_break.recorded")


def break_over(engagement, coach, meetings):
    """A break covering exactly the (consecutive) `meetings`, by the practice's calendar."""
    zone = zoneinfo.ZoneInfo(engagement.coach.practice.timezone)
    days = [m.starts_at.astimezone(zone).date() for m in meetings]
    return planned_break(engagement, coach, min(days), max(days))


def kinds(engagement):
    """Open flag kinds after a refresh, and the sweep agreeing with them."""
    engagement_refresh(engagement=engagement)
    assert engagements_to_settle() == []
    return set(Flag.objects.open().filter(engagement=engagement).values_list("kind", flat=True))


def swept_kinds(engagement):
    """What a scan pass decides from scratch."""
    Flag.objects.filter(engagement=engagement).delete()
    scan_pass()
    return set(Flag.objects.open().filter(engagement=engagement).values_list("kind", flat=True))


def test_low_meetings_in_a_break_raise_no_nonproductive_phase(timeline, engagement, coach):
    timeline.meeting("held", ["kept"])
    low = [timeline.meeting("held", ["missed"]) for _ in range(3)]
    assert "nonproductive" in kinds(engagement)

    break_over(engagement, coach, low[1:2])

    assert "nonproductive" not in kinds(engagement)
    assert "nonproductive" not in swept_kinds(engagement)


def test_the_meetings_around_a_break_still_make_a_run(timeline, engagement, coach):
    """A break leaves its meetings out: it neither counts them nor breaks the run around it."""
    first = timeline.meeting("held", ["missed"])
    inside = timeline.meeting("held", ["kept"])
    timeline.meeting("held", ["missed"])
    timeline.meeting("held", ["missed"])
    assert "nonproductive" not in kinds(engagement)

    break_over(engagement, coach, [inside])

    assert first is not None and "nonproductive" in kinds(engagement)
    assert "nonproductive" in swept_kinds(engagement)


def test_focus_drift_in_a_break_is_not_flagged(timeline, engagement, coach):
    away = [timeline.meeting("held", ["kept"], focus=["relationships"]) for _ in range(3)]
    assert "focus_drift" in kinds(engagement)

    break_over(engagement, coach, away[-1:])

    assert "focus_drift" not in kinds(engagement)
    assert "focus_drift" not in swept_kinds(engagement)


def test_no_shows_in_a_break_are_not_flagged(timeline, engagement, coach):
    timeline.meeting("held", ["kept"])
    missed = [timeline.meeting("no_show") for _ in range(2)]
    assert "no_shows" in kinds(engagement)

    break_over(engagement, coach, missed)

    assert "no_shows" not in kinds(engagement)
    assert "no_shows" not in swept_kinds(engagement)


def test_a_check_answered_for_a_meeting_in_a_break_raises_no_alliance_drop(timeline, engagement, coach):
    meetings = checked(timeline, 9, 9, 5)
    assert "alliance_drop" in kinds(engagement)

    break_over(engagement, coach, meetings[-1:])

    assert "alliance_drop" not in kinds(engagement)
    assert "alliance_drop" not in swept_kinds(engagement)


def test_a_cancelled_break_counts_its_meetings_again(timeline, engagement, coach):
    timeline.meeting("held", ["kept"])
    missed = [timeline.meeting("no_show") for _ in range(2)]
    brk = break_over(engagement, coach, missed)
    assert "no_shows" not in kinds(engagement)

    tracked_update(brk, by=coach.user, action="planned_break.cancelled", changes={"cancelled_at": clock.now()})

    assert "no_shows" in kinds(engagement)


def test_a_break_is_judged_on_the_practices_calendar_day(timeline, engagement, coach, practice):
    """A no-show at 23:30 UTC on the eve of a break is on its first day in Berlin."""
    practice.__class__.objects.filter(pk=practice.pk).update(timezone="Europe/Berlin")
    timeline.meeting("held", ["kept"])
    timeline.meeting("no_show")
    day = (clock.now() - timedelta(days=10)).date()
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=clock.now().tzinfo)
    timeline.meeting("no_show", at=late)
    with transaction.atomic():
        planned_break(engagement, coach, day + timedelta(days=1), day + timedelta(days=3))
    assert "no_shows" not in kinds(engagement)
    assert "no_shows" not in swept_kinds(engagement)

    PlannedBreak.objects.update(starts_on=day + timedelta(days=2))
    assert "no_shows" in kinds(engagement)
