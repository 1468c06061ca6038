"""Reminder preferences are agreement terms: validated, versioned and logged."""

import pytest
from django.core.exceptions import ValidationError
from reminder_helpers import renegotiate, with_lapse_plan

from followthrough.clients.services import AGREEMENT_TERMS, agreement_create, engagement_reengage
from followthrough.history.models import Event
from followthrough.history.services import verify_records
from followthrough.notifications.schedule import reminder_terms_in_words

TERMS = ("reminder_before", "reminder_days_before", "reminder_on_day", "reminder_overdue",
         "quiet_hours_start", "quiet_hours_end")


def test_reminder_preferences_are_agreement_terms_and_logged(agreement):
    assert set(TERMS) <= set(AGREEMENT_TERMS)
    created = Event.objects.get(object_uid=str(agreement.uid), action="agreement.created")
    assert created.after["reminder_days_before"] == 1
    assert created.after["reminder_on_day"] is True
    assert created.after["quiet_hours_start"] == ""
    assert agreement.wants_reminders


def test_renegotiation_versions_the_preferences(agreement, coach):
    v2 = renegotiate(agreement, coach.user, reminder_before=False, reminder_on_day=False,
                     reminder_overdue=False, quiet_hours_start="9:00", quiet_hours_end="17:30")
    assert v2.version == 2 and not v2.wants_reminders
    # One spelling per time, so the log shows a real change only.
    assert (v2.quiet_hours_start, v2.quiet_hours_end) == ("09:00", "17:30")
    logged = Event.objects.get(object_uid=str(v2.uid), action="agreement.created").after
    assert logged["quiet_hours_start"] == "09:00" and logged["reminder_before"] is False
    agreement.refresh_from_db()
    assert agreement.reminder_on_day is True  # the earlier version is untouched
    assert verify_records() == []


def test_reengaging_carries_the_preferences_over(agreement, coach, engagement):
    v2 = renegotiate(agreement, coach.user, reminder_days_before=3, quiet_hours_start="22:00",
                     quiet_hours_end="07:00")
    from followthrough.clients.services import engagement_end

    engagement_end(engagement=engagement, by=coach.user)
    engagement.refresh_from_db()
    fresh = engagement_reengage(previous=engagement, by=coach.user)
    carried = fresh.agreements.get()
    assert (carried.reminder_days_before, carried.quiet_hours_start, carried.quiet_hours_end) == (
        v2.reminder_days_before, "22:00", "07:00")


@pytest.mark.parametrize(("terms", "field", "words"), [
    ({"quiet_hours_start": "22:00"}, "quiet_hours_end", "need an end time"),
    ({"quiet_hours_end": "07:00"}, "quiet_hours_start", "need a start time"),
    ({"quiet_hours_start": "07:00", "quiet_hours_end": "7:00"}, "quiet_hours_end", "different time"),
    ({"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}, "quiet_hours_start", "HH:MM"),
    ({"quiet_hours_start": "22:00", "quiet_hours_end": "seven"}, "quiet_hours_end", "HH:MM"),
    ({"reminder_days_before": 0}, "reminder_days_before", "at least 1"),
    ({"reminder_days_before": 15}, "reminder_days_before", "at most 14"),
])
def test_invalid_preferences_are_refused_naming_the_field(engagement, coach, focus, terms, field, words):
    with pytest.raises(ValidationError) as caught:
        agreement_create(engagement=engagement, by=coach.user, came_for="Grow", primary_focus=focus["business"],
                         meeting_cadence="Fortnightly", call_to_action="Ten enquiries", **terms)
    errors = caught.value.message_dict
    assert field in errors
    assert any(words in message for message in errors[field]), errors
    assert not engagement.agreements.exists()


def test_the_terms_read_as_plain_words(agreement, coach):
    assert reminder_terms_in_words(agreement) == (
        "Email reminders at 09:00 the client's time: 1 day before the due date (or on the day planned for it, "
        "if that is earlier), on the due date and once the morning after, if it is still open. "
        "None during a planned break.")
    quiet = renegotiate(agreement, coach.user, reminder_before=False, reminder_overdue=False,
                        quiet_hours_start="08:00", quiet_hours_end="10:00")
    assert reminder_terms_in_words(quiet) == (
        "Email reminders at 09:00 the client's time: on the due date. "
        "Quiet hours 08:00–10:00: a reminder due then waits until 10:00. None during a planned break.")
    none = renegotiate(quiet, coach.user, reminder_on_day=False)
    assert reminder_terms_in_words(none) == "No email reminders."


def test_the_words_say_how_the_lapse_plan_changes_the_reminders(agreement, coach):
    gently = with_lapse_plan(renegotiate(agreement, coach.user), "quiet")
    assert reminder_terms_in_words(gently) == (
        "Email reminders at 09:00 the client's time: on the due date. Reminded quietly, as the lapse plan asks: "
        "gentle words, no overdue notice. None during a planned break.")
    firmly = with_lapse_plan(renegotiate(agreement, coach.user, reminder_overdue=False), "firm")
    assert reminder_terms_in_words(firmly).startswith(
        "Email reminders at 09:00 the client's time: 1 day before the due date (or on the day planned for it, "
        "if that is earlier), on the due date and once the morning after, if it is still open. "
        "Reminded firmly, as the lapse plan asks: plain words, and always the notice the morning after.")
