"""Reminders follow the lapse plan's firmness, and say nothing during a planned break."""

from datetime import date

from django.core import mail
from reminder_helpers import make_commitment, renegotiate, utc, with_lapse_plan

from followthrough.clients.models import PlannedBreak
from followthrough.history.services import tracked_create, tracked_update
from followthrough.notifications.models import Reminder
from followthrough.notifications.schedule import reconcile
from followthrough.notifications.services import remind_pass

JUNE_DAYS = [utc(2026, 6, day, 9, 0) for day in range(1, 20)]


def bobs_subjects():
    return [m.subject for m in mail.outbox if m.to == ["bob@example.org"]]


def every_morning():
    for now in JUNE_DAYS:
        remind_pass(now=now)


def planned_break(engagement, by, starts_on, ends_on):
    brk = PlannedBreak(engagement=engagement, starts_on=starts_on, ends_on=ends_on, reason="Holiday",
                       recorded_by=by)
    return tracked_create(brk, by=by, action="planned_break.recorded")


def test_a_quiet_lapse_plan_sends_only_a_gentle_word_on_the_due_date(bob_commitment, agreement):
    with_lapse_plan(agreement, "quiet")
    every_morning()
    assert bobs_subjects() == ["A gentle reminder: Call three caterers"]
    [message] = [m for m in mail.outbox if m.to == ["bob@example.org"]]
    assert "Just a gentle note: this is due today, Wednesday 10 June." in message.body
    assert "No pressure" in message.body
    assert "still open" not in message.body


def test_a_normal_lapse_plan_sends_what_the_terms_say(bob_commitment, agreement):
    with_lapse_plan(agreement, "normal")
    every_morning()
    assert bobs_subjects() == ["Coming up: Call three caterers", "Due today: Call three caterers",
                               "Still open: Call three caterers"]


def test_a_firm_lapse_plan_is_plainer_and_follows_up_even_with_the_overdue_notice_off(engagement, agreement, coach):
    firm = with_lapse_plan(renegotiate(agreement, coach.user, reminder_overdue=False), "firm")
    assert firm.reminder_overdue is False
    make_commitment(engagement, coach.user, date(2026, 6, 10))
    every_morning()
    assert bobs_subjects() == ["Due Wednesday 10 June: Call three caterers", "Due today: Call three caterers",
                               "Overdue: Call three caterers"]
    overdue = [m for m in mail.outbox if m.subject.startswith("Overdue")][0]
    assert "Do it today, or tell Ana Perez what is in the way." in overdue.body


def test_a_firm_lapse_plan_sends_nothing_when_every_reminder_is_turned_off(engagement, agreement, coach):
    with_lapse_plan(renegotiate(agreement, coach.user, reminder_before=False, reminder_on_day=False,
                                reminder_overdue=False), "firm")
    make_commitment(engagement, coach.user, date(2026, 6, 10))
    every_morning()
    assert bobs_subjects() == []


def test_a_breaks_commitments_send_no_reminder_of_any_kind(bob_commitment, engagement, coach):
    planned_break(engagement, coach.user, date(2026, 6, 8), date(2026, 6, 14))
    every_morning()
    assert bobs_subjects() == []
    assert not Reminder.objects.filter(sent_at__isnull=False).exists()


def test_reminders_already_queued_are_cancelled_for_the_break_and_come_back_if_it_is_cancelled(
        bob_commitment, engagement, coach):
    reconcile(now=utc(2026, 6, 1))
    assert Reminder.objects.filter(cancelled_at=None).count() == 3
    brk = planned_break(engagement, coach.user, date(2026, 6, 10), date(2026, 6, 20))
    reconcile(now=utc(2026, 6, 2))
    cancelled = dict(Reminder.objects.filter(cancelled_at__isnull=False).values_list("kind", "cancel_reason"))
    assert cancelled == {"on_day": "break", "overdue": "break"}
    assert list(Reminder.objects.filter(cancelled_at=None).values_list("kind", flat=True)) == ["before"]

    tracked_update(brk, by=coach.user, action="planned_break.cancelled", changes={"cancelled_at": utc(2026, 6, 3)})
    reconcile(now=utc(2026, 6, 3))
    assert sorted(Reminder.objects.filter(cancelled_at=None).values_list("kind", flat=True)) == [
        "before", "on_day", "overdue"]


def test_only_the_reminders_on_break_days_are_silent(bob_commitment, engagement, coach):
    planned_break(engagement, coach.user, date(2026, 6, 10), date(2026, 6, 10))
    every_morning()
    assert bobs_subjects() == ["Coming up: Call three caterers", "Still open: Call three caterers"]


def test_a_cancelled_break_silences_nothing(bob_commitment, engagement, coach):
    brk = planned_break(engagement, coach.user, date(2026, 6, 1), date(2026, 6, 30))
    tracked_update(brk, by=coach.user, action="planned_break.cancelled", changes={"cancelled_at": utc(2026, 5, 1)})
    every_morning()
    assert len(bobs_subjects()) == 3
