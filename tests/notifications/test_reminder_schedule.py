"""When reminders go out: the client's time zone, daylight saving time, quiet hours, the plan,
and the rows kept in step with the commitments."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from reminder_helpers import make_commitment, renegotiate, utc

from followthrough.clients.models import Agreement
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.meetings.services import meeting_create
from followthrough.notifications.models import Reminder
from followthrough.notifications.schedule import after_quiet_hours, reconcile, reminder_plan, reminders_schedule

NY = "America/New_York"


def plan(due_on, tz_name, planned_at=None, **terms):
    agreement = Agreement(**terms)
    return {p.kind: (p.send_at, p.expires_at)
            for p in reminder_plan(due_on=due_on, planned_at=planned_at, tz_name=tz_name, terms=agreement)}


def send_times(due_on, tz_name, planned_at=None, **terms):
    return {kind: sent for kind, (sent, _) in plan(due_on, tz_name, planned_at, **terms).items()}


def test_new_york_across_the_march_change():
    # Clocks go forward at 02:00 on Sunday 8 March 2026: 09:00 is 14:00 UTC before, 13:00 after.
    assert send_times(date(2026, 3, 9), NY, reminder_days_before=2) == {
        "before": utc(2026, 3, 7, 14, 0),   # Saturday, still EST (UTC-5)
        "on_day": utc(2026, 3, 9, 13, 0),   # Monday, EDT (UTC-4)
        "overdue": utc(2026, 3, 10, 13, 0),
    }
    # The day of the change itself is already on summer time at 09:00.
    assert send_times(date(2026, 3, 9), NY)["before"] == utc(2026, 3, 8, 13, 0)


def test_london_across_the_october_change():
    # Clocks go back at 02:00 on Sunday 25 October 2026: 09:00 is 08:00 UTC before, 09:00 after.
    assert send_times(date(2026, 10, 25), "Europe/London") == {
        "before": utc(2026, 10, 24, 8, 0),
        "on_day": utc(2026, 10, 25, 9, 0),
        "overdue": utc(2026, 10, 26, 9, 0),
    }


def test_expiry_is_the_end_of_the_local_due_day_and_a_week_for_the_overdue_notice():
    expiries = {kind: expires for kind, (_, expires) in plan(date(2026, 10, 25), "Europe/London").items()}
    assert expiries == {
        "before": utc(2026, 10, 26, 0, 0),
        "on_day": utc(2026, 10, 26, 0, 0),
        "overdue": utc(2026, 11, 2, 0, 0),
    }


def test_only_the_agreed_kinds_are_planned():
    assert set(send_times(date(2026, 6, 10), "UTC", reminder_before=False, reminder_overdue=False)) == {"on_day"}
    assert send_times(date(2026, 6, 10), "UTC", reminder_before=False, reminder_on_day=False,
                      reminder_overdue=False) == {}


@pytest.mark.parametrize(("quiet", "expected"), [
    (("07:00", "10:30"), utc(2026, 3, 9, 14, 30)),   # moved to 10:30 EDT
    (("21:00", "09:30"), utc(2026, 3, 9, 13, 30)),   # overnight quiet hours, still in the morning part
    (("08:00", "01:00"), utc(2026, 3, 10, 5, 0)),    # quiet hours running past midnight: 01:00 next day
    (("10:00", "12:00"), utc(2026, 3, 9, 13, 0)),    # 09:00 is outside: unchanged
    (("20:00", "09:00"), utc(2026, 3, 9, 13, 0)),    # the end itself is no longer quiet
])
def test_quiet_hours_move_a_reminder_to_their_end(quiet, expected):
    start, end = quiet
    times = send_times(date(2026, 3, 9), NY, quiet_hours_start=start, quiet_hours_end=end)
    assert times["on_day"] == expected


def test_quiet_hours_that_run_late_still_leave_the_reminder_a_chance():
    _, expires = plan(date(2026, 3, 9), NY, quiet_hours_start="08:00", quiet_hours_end="01:00")["on_day"]
    assert expires == utc(2026, 3, 10, 11, 0)  # six hours after it was pushed to


def test_a_quiet_hours_end_inside_the_spring_gap_lands_just_after_it():
    tz = ZoneInfo(NY)
    moved = after_quiet_hours(datetime(2026, 3, 8, 1, 0, tzinfo=tz), (time(0, 0), time(2, 30)))
    assert moved.astimezone(ZoneInfo("UTC")) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT


def test_the_before_reminder_goes_on_the_planned_day():
    planned = datetime(2026, 6, 6, 18, 0, tzinfo=ZoneInfo(NY))
    assert send_times(date(2026, 6, 10), NY, planned_at=planned)["before"] == utc(2026, 6, 6, 13, 0)
    # A plan on the due date itself leaves the usual day-before reminder.
    planned = datetime(2026, 6, 10, 18, 0, tzinfo=ZoneInfo(NY))
    assert send_times(date(2026, 6, 10), NY, planned_at=planned)["before"] == utc(2026, 6, 9, 13, 0)
    # The planned day is read in the client's zone: 02:00 UTC on the 7th is still the 6th in New York.
    planned = utc(2026, 6, 7, 2, 0)
    assert send_times(date(2026, 6, 10), NY, planned_at=planned)["before"] == utc(2026, 6, 6, 13, 0)


def _rows(commitment):
    return {(r.kind, r.due_on): r for r in commitment.reminders.filter(cancelled_at=None)}


def test_reconcile_schedules_rows_in_the_clients_zone_and_is_idempotent(new_yorker, engagement, coach, agreement):
    commitment = make_commitment(engagement, coach.user, date(2026, 3, 9))
    result = reconcile(now=utc(2026, 3, 1))
    assert result.scheduled == 3
    rows = _rows(commitment)
    assert {kind: r.send_at for (kind, _), r in rows.items()} == {
        "before": utc(2026, 3, 8, 13, 0), "on_day": utc(2026, 3, 9, 13, 0), "overdue": utc(2026, 3, 10, 13, 0),
    }
    again = reconcile(now=utc(2026, 3, 1))
    assert (again.scheduled, again.rescheduled, again.cancelled) == (0, 0, 0)
    assert Reminder.objects.count() == 3


def test_moving_the_due_date_replaces_the_reminders(bob_commitment, coach):
    from followthrough.history.services import tracked_update

    reminders_schedule(commitment=bob_commitment, now=utc(2026, 6, 1))
    tracked_update(bob_commitment, by=coach.user, action="commitment.updated", changes={"due_on": date(2026, 6, 20)})
    result = reminders_schedule(commitment=bob_commitment, now=utc(2026, 6, 1))
    assert (result.scheduled, result.cancelled) == (3, 3)
    assert {r.due_on for r in Reminder.objects.filter(cancelled_at=None)} == {date(2026, 6, 20)}
    assert set(Reminder.objects.exclude(cancelled_at=None).values_list("cancel_reason", flat=True)) == {"rescheduled"}


def test_changing_the_terms_moves_unsent_rows_and_never_resends(bob_commitment, agreement, coach):
    reconcile(now=utc(2026, 6, 1))
    before = Reminder.objects.get(kind="before")
    Reminder.objects.filter(pk=before.pk).update(sent_at=utc(2026, 6, 9, 9, 0))
    renegotiate(agreement, coach.user, reminder_days_before=3, quiet_hours_start="08:00", quiet_hours_end="10:00")
    result = reconcile(now=utc(2026, 6, 1))
    assert (result.scheduled, result.rescheduled) == (0, 2)
    assert Reminder.objects.get(kind="on_day").send_at == utc(2026, 6, 10, 10, 0)
    assert Reminder.objects.filter(kind="before").count() == 1  # the sent one stands; no second "before"


def test_turning_reminders_off_cancels_what_is_queued(bob_commitment, agreement, coach):
    reconcile(now=utc(2026, 6, 1))
    renegotiate(agreement, coach.user, reminder_before=False, reminder_on_day=False, reminder_overdue=False)
    assert reconcile(now=utc(2026, 6, 1)).cancelled == 3
    assert not Reminder.objects.filter(cancelled_at=None).exists()


def test_reminders_stop_when_the_commitment_is_reviewed(bob_commitment, engagement, coach, focus):
    reconcile(now=utc(2026, 6, 1))
    meeting = meeting_create(engagement=engagement, by=coach.user, status="held", starts_at=utc(2026, 6, 10, 15, 0),
                             focus_areas=[focus["business"]])
    meeting_review(meeting=meeting, by=coach.user,
                   review=MeetingReview(reviews=[Review(commitment=bob_commitment, outcome="kept")]))
    assert reconcile(now=utc(2026, 6, 10, 16, 0)).cancelled == 3
    assert set(Reminder.objects.values_list("cancel_reason", flat=True)) == {"closed"}


def test_no_reminders_without_an_email_address_or_an_agreement(engagement, coach, agreement, client_record,
                                                               colleague_client, colleague):
    from followthrough.clients.services import client_update

    client_update(client=client_record, by=coach.user, email="")
    make_commitment(engagement, coach.user, date(2026, 6, 10))  # Bob: agreed terms, but no address
    client_update(client=colleague_client, by=colleague.user, email="dee@example.org")
    dee = colleague_client.engagements.get()
    make_commitment(dee, colleague.user, date(2026, 6, 10))  # Dee: an address, but nothing agreed yet
    assert reconcile(now=utc(2026, 6, 1)).scheduled == 0


def test_reminders_due_before_the_commitment_existed_are_not_scheduled(engagement, coach, agreement):
    # Agreed at a meeting on the 9th, due on the 10th: no "before" reminder the same evening.
    make_commitment(engagement, coach.user, date(2026, 6, 10), created_at=utc(2026, 6, 9, 15, 0))
    reconcile(now=utc(2026, 6, 9, 15, 5))
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"on_day", "overdue"}
