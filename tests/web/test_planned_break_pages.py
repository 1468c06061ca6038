"""Planned breaks on the pages: the coach records and cancels them from the client file,
the client from the portal; the commitment lists show what a break waived."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followthrough.clients.models import PlannedBreak
from followthrough.clients.services import planned_break_record
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, commitment_create, meeting_review

from .conftest import event_count, field_errors, page_text


def _days(engagement, start, end):
    today = engagement.client.today()
    return today + timedelta(days=start), today + timedelta(days=end)


def test_the_coach_records_a_break_and_the_file_shows_it_and_what_it_waived(as_coach, engagement, agreement):
    start, end = _days(engagement, 3, 10)
    due = commitment_create(engagement=engagement, by=engagement.coach.user, description="Call the printer",
                            due_on=start + timedelta(days=1))
    response = as_coach.post(reverse("planned_break_create", args=[engagement.uid]),
                             {"starts_on": start, "ends_on": end, "reason": "holiday"})
    assert response.status_code == 302 and response["Location"].endswith("#breaks")
    brk = PlannedBreak.objects.get()
    page = page_text(as_coach.get(response["Location"]))
    assert "1 open commitment due in it was waived for the break." in page
    assert f"Waived: {brk.words}" in page
    assert "Cancel this break" in page
    assert "recorded a planned break (holiday)" in page  # the file's history reads it as a sentence
    assert f"“Call the printer” was waived: planned break: {brk.words}" in page
    due.refresh_from_db()
    assert due.outcome == Commitment.Outcome.WAIVED


def test_a_break_in_the_past_is_refused_on_the_page_and_nothing_is_saved(as_coach, engagement):
    start, end = _days(engagement, -10, -2)
    before = event_count()
    response = as_coach.post(reverse("planned_break_create", args=[engagement.uid]),
                             {"starts_on": start, "ends_on": end, "reason": "holiday"})
    assert "already over" in field_errors(response)["ends_on"][0]
    assert event_count() == before


def test_an_empty_form_names_each_missing_field_in_words(as_coach, engagement):
    response = as_coach.post(reverse("planned_break_create", args=[engagement.uid]), {})
    errors = field_errors(response)
    assert errors["starts_on"] == ["Give the first day of the break."]
    assert errors["reason"] == ["Say what the break is for, e.g. holiday or surgery."]


def test_the_coach_cancels_a_break_and_its_commitments_are_open_again(as_coach, engagement, coach):
    start, end = _days(engagement, 3, 10)
    due = commitment_create(engagement=engagement, by=coach.user, description="Call the printer", due_on=start)
    brk = planned_break_record(engagement=engagement, starts_on=start, ends_on=end, reason="surgery", by=coach.user)
    response = as_coach.post(reverse("planned_break_cancel", args=[brk.uid]))
    assert response.status_code == 302
    due.refresh_from_db()
    brk.refresh_from_db()
    assert due.is_open and not brk.in_force
    assert "Cancelled" in page_text(as_coach.get(response["Location"]))


def test_the_client_notes_a_break_in_the_portal_and_sees_the_waived_action(client, client_user, engagement, coach):
    start, end = _days(engagement, 2, 6)
    due = commitment_create(engagement=engagement, by=coach.user, description="Bake a tasting box", due_on=end)
    client.force_login(client_user)
    response = client.post(reverse("portal_breaks"), {"starts_on": start, "ends_on": end, "reason": "holiday"})
    assert response.status_code == 302
    brk = PlannedBreak.objects.get()
    assert brk.recorded_by == client_user
    breaks = page_text(client.get(reverse("portal_breaks")))
    assert "1 action due in it is set aside" in breaks and "holiday" in breaks
    home = page_text(client.get(reverse("portal_home")))
    assert f"Waived: {brk.words}" in home
    due.refresh_from_db()
    assert due.waived_for_break == brk
    client.post(reverse("portal_break_cancel", args=[brk.uid]))
    due.refresh_from_db()
    assert due.is_open
    assert "Your break (holiday" in page_text(client.get(reverse("portal_breaks")))


def test_a_commitment_set_at_a_review_inside_a_break_is_refused_offering_the_day_after(
        as_coach, engagement, coach, held_meeting):
    start, end = _days(engagement, 3, 10)
    planned_break_record(engagement=engagement, starts_on=start, ends_on=end, reason="holiday", by=coach.user)
    with pytest.raises(ValidationError) as error:
        meeting_review(meeting=held_meeting, by=coach.user, review=MeetingReview(new_commitments=[
            {"description": "Call the printer", "due_on": start}]))
    after = end + timedelta(days=1)
    assert f"such as {after:%a} {after.day} {after:%b}" in error.value.message_dict["new-1-due_on"][0]
