"""Meeting reminders to the client, as agreed, each with a calendar invitation."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from reminder_helpers import LONG_AGO, make_commitment, renegotiate, utc

from followthrough.calendars.services import feed_calendar, feed_create
from followthrough.clients.models import Agreement, PlannedBreak
from followthrough.clients.services import engagement_end, engagement_pause
from followthrough.history import clock
from followthrough.history.services import tracked_create
from followthrough.meetings.models import Meeting
from followthrough.meetings.services import meeting_create, meeting_update
from followthrough.notifications.meeting_reminders import meeting_reminder_plan, meeting_reminders_reconcile
from followthrough.notifications.models import Delivery, MeetingReminder
from followthrough.notifications.services import CLAIM_TIMEOUT, claim, remind_pass

ZOOM = "https://meet.example.org/ana-bob"
WEDNESDAY_2PM = utc(2026, 6, 10, 14, 0)


def plan_meeting(engagement, by, starts_at, **details):
    meeting = meeting_create(engagement=engagement, by=by, starts_at=starts_at, **details)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=LONG_AGO)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def meeting(engagement, coach, agreement):
    """Bob (UTC, default reminder terms: a day before and on the day) meets Ana on Wednesday
    10 June 2026 at 14:00, at the office and online."""
    return plan_meeting(engagement, coach.user, WEDNESDAY_2PM, location="12 Harbour Street", video_link=ZOOM)


def meeting_mail():
    """The client's meeting reminders (a held meeting's check invitation is another mail)."""
    return [m for m in mail.outbox if m.to == ["bob@example.org"] and not m.subject.startswith("Four quick questions")]


def invitation_of(message):
    """The text/calendar part of `message`, parsed, with its Content-Type's method."""
    parts = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.message().walk()]
    [part] = parts
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))


def test_a_meeting_is_reminded_the_day_before_and_on_the_day_at_nine(meeting):
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    assert sorted((r.kind, r.send_at) for r in MeetingReminder.objects.all()) == [
        ("before", utc(2026, 6, 9, 9, 0)), ("on_day", utc(2026, 6, 10, 9, 0))]
    assert meeting_mail() == []
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    assert remind_pass(now=utc(2026, 6, 9, 9, 5)).sent == 0
    remind_pass(now=utc(2026, 6, 10, 9, 0))
    assert [m.subject for m in meeting_mail()] == [
        "Your meeting with Ana Perez: Wednesday 10 June, 14:00", "Today at 14:00: your meeting with Ana Perez"]
    delivery = Delivery.objects.get(what="meeting_on_day")
    assert delivery.meeting_reminder == MeetingReminder.objects.get(kind="on_day")


def test_the_reminder_says_where_and_links_the_call_and_the_meeting_page(meeting, settings):
    settings.SITE_URL = "https://coach.example.org"
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    [message] = meeting_mail()
    assert message.reply_to == ["ana@example.org"]
    assert "Wednesday 10 June 2026, 14:00 (UTC), 60 minutes" in message.body
    assert "Where: 12 Harbour Street" in message.body and f"Video call: {ZOOM}" in message.body
    assert f"https://coach.example.org/me/meetings/{meeting.uid}/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f'href="{ZOOM}"' in html


def test_the_reminder_carries_an_invitation_with_the_feeds_uid(meeting, coach):
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    method, calendar = invitation_of(meeting_mail()[0])
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    feed, _ = feed_create(client=meeting.engagement.client, by=None)
    [feed_event] = feed_calendar(feed, now=utc(2026, 6, 9, 9, 0)).walk("VEVENT")
    assert str(event["UID"]) == str(feed_event["UID"]) == f"meeting-{meeting.uid}@followthrough"
    assert int(event["SEQUENCE"]) == int(feed_event["SEQUENCE"])
    assert event.decoded("DTSTART") == WEDNESDAY_2PM and event.decoded("DTEND") == WEDNESDAY_2PM + timedelta(hours=1)
    assert str(event["ORGANIZER"]) == "mailto:ana@example.org" and event["ORGANIZER"].params["CN"] == "Ana Perez"
    assert str(event["ATTENDEE"]) == "mailto:bob@example.org" and event["ATTENDEE"].params["CN"] == "Bob Stone"
    assert (str(event["LOCATION"]), str(event["URL"])) == ("12 Harbour Street", ZOOM)


def test_a_moved_meeting_is_reminded_for_its_new_time_with_a_higher_sequence(meeting, coach):
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    _, first = invitation_of(meeting_mail()[0])
    meeting_update(meeting=meeting, by=coach.user, starts_at=utc(2026, 6, 12, 16, 0))
    remind_pass(now=utc(2026, 6, 10, 9, 0))
    assert len(meeting_mail()) == 1  # nothing on the old day
    old = MeetingReminder.objects.get(kind="on_day", starts_at=WEDNESDAY_2PM)
    assert old.cancel_reason == "rescheduled" and old.sent_at is None
    remind_pass(now=utc(2026, 6, 11, 9, 0))
    assert meeting_mail()[-1].subject == "Your meeting with Ana Perez: Friday 12 June, 16:00"
    _, second = invitation_of(meeting_mail()[-1])
    [a], [b] = first.walk("VEVENT"), second.walk("VEVENT")
    assert str(a["UID"]) == str(b["UID"]) and int(b["SEQUENCE"]) == int(a["SEQUENCE"]) + 1
    assert b.decoded("DTSTART") == utc(2026, 6, 12, 16, 0)


@pytest.mark.parametrize("outcome", ["cancelled", "held", "no_show"])
def test_a_meeting_no_longer_planned_is_not_reminded(meeting, coach, focus, outcome):
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    with_focus = {"focus_areas": [focus["business"]]} if outcome == "held" else {}
    if outcome != "cancelled":
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=utc(2026, 6, 8, 11, 0))
        MeetingReminder.objects.update(starts_at=utc(2026, 6, 8, 11, 0))
        meeting.refresh_from_db()
    meeting_update(meeting=meeting, by=coach.user, status=outcome, **with_focus)
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    remind_pass(now=utc(2026, 6, 10, 9, 0))
    assert meeting_mail() == []
    assert set(MeetingReminder.objects.values_list("cancel_reason", flat=True)) == {"closed"}


def test_pausing_the_engagement_cancels_its_meeting_reminders_at_once(meeting, coach):
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    engagement_pause(engagement=meeting.engagement, by=coach.user, until=date.today() + timedelta(days=30))
    assert set(MeetingReminder.objects.values_list("cancel_reason", flat=True)) == {"closed"}
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    assert meeting_mail() == []


def test_reminders_follow_the_terms_and_none_go_out_when_all_are_off(meeting, coach, agreement):
    only_before = renegotiate(agreement, coach.user, reminder_on_day=False, reminder_days_before=2)
    remind_pass(now=utc(2026, 6, 7, 12, 0))
    assert [(r.kind, r.send_at) for r in MeetingReminder.objects.filter(cancelled_at=None)] == [
        ("before", utc(2026, 6, 8, 9, 0))]
    renegotiate(only_before, coach.user, reminder_before=False, reminder_on_day=False, reminder_overdue=False)
    remind_pass(now=utc(2026, 6, 7, 13, 0))
    assert not MeetingReminder.objects.filter(cancelled_at=None).exists()
    remind_pass(now=utc(2026, 6, 8, 9, 0))
    assert meeting_mail() == []


def test_quiet_hours_hold_a_reminder_back_and_an_early_meeting_is_told_two_hours_ahead(agreement, coach):
    terms = renegotiate(agreement, coach.user, quiet_hours_start="21:00", quiet_hours_end="07:45")
    plan = meeting_reminder_plan(starts_at=utc(2026, 6, 10, 8, 0), tz_name="UTC", terms=terms)
    assert [(p.kind, p.send_at) for p in plan] == [("before", utc(2026, 6, 9, 9, 0))]  # 06:00 is quiet, 07:45 too late
    plan = meeting_reminder_plan(starts_at=utc(2026, 6, 10, 10, 0), tz_name="UTC", terms=terms)
    assert [(p.kind, p.send_at) for p in plan] == [("before", utc(2026, 6, 9, 9, 0)),
                                                   ("on_day", utc(2026, 6, 10, 8, 0))]
    plan = meeting_reminder_plan(starts_at=utc(2026, 6, 10, 14, 0), tz_name="Europe/London", terms=terms)
    assert [p.send_at for p in plan] == [utc(2026, 6, 9, 8, 0), utc(2026, 6, 10, 8, 0)]  # 09:00 BST


def test_no_reminder_for_a_meeting_inside_a_planned_break_nor_on_a_day_of_one(meeting, coach, engagement):
    brk = tracked_create(PlannedBreak(engagement=engagement, starts_on=date(2026, 6, 9), ends_on=date(2026, 6, 9),
                                      reason="Holiday", recorded_by=coach.user), by=coach.user, action="break.recorded")
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    assert [r.kind for r in MeetingReminder.objects.filter(cancelled_at=None)] == ["on_day"]  # the 9th rests
    PlannedBreak.objects.filter(pk=brk.pk).update(ends_on=date(2026, 6, 12))
    for now in (utc(2026, 6, 9, 9, 0), utc(2026, 6, 10, 9, 0)):
        remind_pass(now=now)
    assert meeting_mail() == []
    PlannedBreak.objects.filter(pk=brk.pk).update(cancelled_at=utc(2026, 6, 8, 0, 0))
    MeetingReminder.objects.all().delete()
    remind_pass(now=utc(2026, 6, 10, 9, 0))
    assert [m.subject for m in meeting_mail()] == ["Today at 14:00: your meeting with Ana Perez"]


def test_the_worker_checks_the_break_again_just_before_sending(meeting, coach, engagement, monkeypatch):
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    tracked_create(PlannedBreak(engagement=engagement, starts_on=date(2026, 6, 10), ends_on=date(2026, 6, 20),
                                reason="Surgery", recorded_by=coach.user), by=coach.user, action="break.recorded")
    monkeypatch.setattr("followthrough.notifications.services.meeting_reminders_reconcile",
                        lambda **kwargs: (0, 0, 0))
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    assert meeting_mail() == []
    assert MeetingReminder.objects.get(kind="before").cancel_reason == "break"


def test_no_reminder_once_the_meeting_began_and_after_downtime_only_the_latest(meeting):
    meeting_reminders_reconcile(now=utc(2026, 6, 8, 12, 0))
    remind_pass(now=utc(2026, 6, 10, 9, 30))  # the worker was down since the 8th
    assert [m.subject for m in meeting_mail()] == ["Today at 14:00: your meeting with Ana Perez"]
    assert MeetingReminder.objects.get(kind="before").cancel_reason == "superseded"
    mail.outbox.clear()
    MeetingReminder.objects.all().delete()
    meeting_reminders_reconcile(now=utc(2026, 6, 8, 12, 0))
    remind_pass(now=utc(2026, 6, 10, 14, 5))
    assert meeting_mail() == []


def test_a_meeting_planned_after_its_reminder_time_is_not_reminded_late(engagement, coach, agreement):
    remind_pass(now=utc(2026, 6, 9, 12, 0))
    meeting = meeting_create(engagement=engagement, by=coach.user, starts_at=WEDNESDAY_2PM)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=utc(2026, 6, 9, 12, 0))
    remind_pass(now=utc(2026, 6, 9, 12, 1))
    assert [r.kind for r in MeetingReminder.objects.all()] == ["on_day"]


def test_a_commitment_reminder_with_a_planned_slot_carries_its_invitation(engagement, coach, agreement, client_record):
    planned_at = datetime(2026, 6, 8, 18, 30, tzinfo=ZoneInfo("UTC"))
    commitment = make_commitment(engagement, coach.user, date(2026, 6, 10), planned_at=planned_at, minutes_needed=45)
    remind_pass(now=utc(2026, 6, 8, 9, 0))
    [message] = [m for m in meeting_mail() if m.subject.startswith("Coming up")]
    method, calendar = invitation_of(message)
    [event] = calendar.walk("VEVENT")
    assert method == "REQUEST" and str(event["UID"]) == f"plan-{commitment.uid}@followthrough"
    assert event.decoded("DTSTART") == planned_at and event.decoded("DTEND") == planned_at + timedelta(minutes=45)
    feed, _ = feed_create(client=client_record, by=None)
    feed_uids = {str(e["UID"]) for e in feed_calendar(feed, now=utc(2026, 6, 8, 9, 0)).walk("VEVENT")}
    assert str(event["UID"]) in feed_uids


def test_a_commitment_without_a_planned_slot_has_no_invitation(engagement, coach, agreement):
    make_commitment(engagement, coach.user, date(2026, 6, 10))
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    [message] = meeting_mail()
    assert not [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]


@pytest.mark.parametrize("change, reason", [
    ({"starts_at": utc(2026, 6, 12, 16, 0)}, "rescheduled"), ({"status": "cancelled"}, "closed")])
def test_a_meeting_changed_a_moment_ago_is_not_reminded_for_its_old_plan(meeting, coach, monkeypatch, change, reason):
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    meeting_update(meeting=meeting, by=coach.user, **change)
    # The schedule has not caught up yet: the worker's own check before sending must hold.
    monkeypatch.setattr("followthrough.notifications.services.meeting_reminders_reconcile",
                        lambda **kwargs: (0, 0, 0))
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    assert meeting_mail() == []
    assert MeetingReminder.objects.get(kind="before", starts_at=WEDNESDAY_2PM).cancel_reason == reason


def test_two_workers_claiming_at_once_share_nothing_and_a_sent_reminder_is_never_claimed_again(meeting):
    meeting_reminders_reconcile(now=utc(2026, 6, 8, 12, 0))
    now = utc(2026, 6, 9, 9, 0)
    first = claim(MeetingReminder, token="worker-a", now=now)
    assert len(first) == 1 and claim(MeetingReminder, token="worker-b", now=now) == []
    MeetingReminder.objects.filter(pk__in=first).update(sent_at=now)
    assert claim(MeetingReminder, token="worker-b", now=now + CLAIM_TIMEOUT * 2) == []


def test_a_client_sent_an_invitation_is_told_once_when_the_meeting_is_cancelled(meeting, coach):
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    _, invitation = invitation_of(meeting_mail()[0])
    with clock.set_to(utc(2026, 6, 9, 12, 0)):
        meeting_update(meeting=meeting, by=coach.user, status="cancelled")
    remind_pass(now=utc(2026, 6, 9, 12, 1))
    assert remind_pass(now=utc(2026, 6, 9, 12, 2)).sent == 0
    remind_pass(now=utc(2026, 6, 10, 9, 0))
    assert [m.subject for m in meeting_mail()] == [
        "Your meeting with Ana Perez: Wednesday 10 June, 14:00",
        "Cancelled: your meeting with Ana Perez on Wednesday 10 June, 14:00"]
    notice = meeting_mail()[-1]
    assert "is cancelled" in notice.body and "takes it out of your calendar" in notice.body
    method, calendar = invitation_of(notice)
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    [sent], [cancelling] = invitation.walk("VEVENT"), calendar.walk("VEVENT")
    assert str(cancelling["UID"]) == str(sent["UID"]) and str(cancelling["STATUS"]) == "CANCELLED"
    assert int(cancelling["SEQUENCE"]) > int(sent["SEQUENCE"])


def test_no_cancellation_notice_when_no_invitation_went_out_or_the_meeting_is_planned_again(meeting, coach):
    remind_pass(now=utc(2026, 6, 8, 12, 0))
    meeting_update(meeting=meeting, by=coach.user, status="cancelled")
    remind_pass(now=utc(2026, 6, 8, 12, 5))
    assert meeting_mail() == []
    meeting_update(meeting=meeting, by=coach.user, status="planned")
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    meeting_update(meeting=meeting, by=coach.user, status="cancelled")
    meeting_update(meeting=meeting, by=coach.user, status="planned")
    remind_pass(now=utc(2026, 6, 9, 12, 0))
    assert [m.subject.split(":")[0] for m in meeting_mail()] == ["Your meeting with Ana Perez"]


def test_ending_the_engagement_tells_an_invited_client_its_meeting_is_off(meeting, coach):
    remind_pass(now=utc(2026, 6, 9, 9, 0))
    engagement_end(engagement=meeting.engagement, by=coach.user)
    remind_pass(now=utc(2026, 6, 9, 12, 0))
    assert meeting_mail()[-1].subject.startswith("Cancelled: your meeting")


clock_times = st.sampled_from(["", "06:00", "07:30", "08:00", "12:00", "20:00", "21:00", "22:30", "23:59"])


@settings(max_examples=60)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                          timezones=st.sampled_from([ZoneInfo("UTC"), ZoneInfo("Europe/London"),
                                                     ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland")])),
       days=st.integers(1, 7), before=st.booleans(), on_day=st.booleans(), quiet_start=clock_times,
       quiet_end=clock_times)
def test_a_planned_reminder_always_comes_ahead_of_the_meeting_and_outside_quiet_hours(
        start, days, before, on_day, quiet_start, quiet_end):
    quiet = (quiet_start, quiet_end) if quiet_start and quiet_end and quiet_start != quiet_end else ("", "")
    terms = Agreement(reminder_before=before, reminder_days_before=days, reminder_on_day=on_day,
                      quiet_hours_start=quiet[0], quiet_hours_end=quiet[1])
    tz = start.tzinfo
    plan = meeting_reminder_plan(starts_at=start.astimezone(ZoneInfo("UTC")), tz_name=tz.key, terms=terms)
    assert len(plan) <= int(before) + int(on_day)
    for planned in plan:
        assert planned.send_at <= start - timedelta(minutes=30)
        local = planned.send_at.astimezone(tz).strftime("%H:%M")
        if quiet[0]:
            inside = (quiet[0] <= local < quiet[1]) if quiet[0] < quiet[1] else (local >= quiet[0] or local < quiet[1])
            assert not inside, (local, quiet)
