"""Bad input: the message appears on the field that caused it, and nothing is saved."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from followthrough.clients.models import Agreement, Client, Engagement
from followthrough.meetings.models import Meeting

from .conftest import event_count, initial_data, page_text


@pytest.fixture
def unchanged():
    """Asserts at the end of a test that no event was logged (so no record was written)."""
    before = event_count()
    yield
    assert event_count() == before


def test_client_without_a_name_or_with_a_bad_time_zone(as_coach, coach, unchanged):
    response = as_coach.post(reverse("client_create"), {
        "full_name": "", "email": "not-an-email", "timezone": "Mars/Olympus"})
    errors = response.context["form"].errors
    assert set(errors) == {"full_name", "email", "timezone"}
    assert "This field is required." in errors["full_name"]
    assert Client.objects.count() == 0
    assert 'aria-invalid="true"' in page_text(response)


def test_client_with_a_bad_start_date(as_coach, coach, unchanged):
    response = as_coach.post(reverse("client_create"), {
        "full_name": "Eve", "timezone": "Europe/London", "started_on": "2026-02-30"})
    assert response.context["form"].errors == {"started_on": [
        "“2026-02-30” is not a date on the calendar; give it as year-month-day, e.g. 2026-04-30."]}


def test_an_illegal_state_move_is_refused_on_the_state_field(as_coach, engagement, unchanged):
    response = as_coach.post(reverse("engagement_move", args=[engagement.uid]), {"state": "active"})
    message = response.context["form"].errors["state"][0]
    assert "cannot move from active to active" in message
    assert "From active it can move to: paused, referred out, ended." in message
    assert message.replace("'", "&#x27;") in page_text(response)
    engagement.refresh_from_db()
    assert engagement.state == "active"


def test_a_pause_needs_a_future_check_back_date(as_coach, engagement, unchanged):
    url = reverse("engagement_move", args=[engagement.uid])
    response = as_coach.post(url, {"state": "paused"})
    assert response.context["form"].errors == {"check_back_on": ["A pause needs a check-back date."]}
    response = as_coach.post(url, {"state": "paused", "check_back_on": str(date.today())})
    assert response.context["form"].errors == {
        "check_back_on": ["The check-back date must be after today."]}
    response = as_coach.post(url, {"state": "paused", "check_back_on": "31/31/2026"})
    assert response.context["form"].errors == {"check_back_on": [
        "“31/31/2026” is not a date on the calendar; give it as year-month-day, e.g. 2026-04-30."]}


def test_an_ended_engagement_cannot_be_resumed(as_coach, coach, engagement):
    from followthrough.clients.services import engagement_end

    engagement_end(engagement=engagement, by=coach.user)
    before = event_count()
    response = as_coach.post(reverse("engagement_move", args=[engagement.uid]), {"state": "active"})
    assert "re-engage the client as a new engagement" in response.context["form"].errors["state"][0]
    assert "re-engage the client as a new engagement" in page_text(response)
    assert event_count() == before


def test_re_engaging_an_active_engagement_is_refused(as_coach, engagement, unchanged):
    response = as_coach.post(reverse("engagement_reengage", args=[engagement.uid]), {})
    assert response.context["form"].non_field_errors() == [
        "This engagement is still active; there is nothing to re-engage."]
    assert Engagement.objects.count() == 1


def _agreement_data(client, engagement, focus, **changes):
    """The agreement page's own defaults, filled in, with `changes` on top."""
    page = client.get(reverse("agreement_create", args=[engagement.uid]))
    data = initial_data(page.context["form"])
    data.update({"came_for": "Grow the business", "primary_focus": str(focus["business"].pk),
                 "meeting_cadence": "Fortnightly", "fee_amount": "80", "call_to_action": "Act"})
    goals = page.context["goals"]
    data.update(initial_data(goals.management_form))
    for form in goals.forms:
        data.update(initial_data(form))
    data.update(changes)
    return data


def test_agreement_missing_terms_and_a_goal_with_levels_but_no_expected_outcome(
        as_coach, engagement, focus, unchanged):
    data = _agreement_data(as_coach, engagement, focus, came_for="", fee_amount="-5", **{
        "goals-0-title": "Revenue", "goals-0-level_plus_2": "Double",
        "goals-1-level_0": "Something"})
    response = as_coach.post(reverse("agreement_create", args=[engagement.uid]), data)
    assert set(response.context["form"].errors) == {"came_for", "fee_amount"}
    goal_errors = [form.errors for form in response.context["goals"]]
    assert goal_errors[0] == {
        "level_0": ["Attainment levels need the expected outcome (level 0) described."]}
    assert goal_errors[1] == {"title": ["A goal needs a title."]}
    assert Agreement.objects.count() == 0


def test_a_renegotiation_needs_a_reason(as_coach, agreement, focus):
    engagement = agreement.engagement
    before = event_count()
    url = reverse("agreement_create", args=[engagement.uid])
    page = as_coach.get(url)
    assert page.context["form"].initial["came_for"] == agreement.came_for
    assert page.context["goals"].forms[0].initial["title"] == "Catering revenue"
    response = as_coach.post(url, _agreement_data(as_coach, engagement, focus,
                                                  renegotiation_reason="  "))
    assert response.context["form"].errors == {
        "renegotiation_reason": ["Say why the agreement is being renegotiated."]}
    assert engagement.agreements.count() == 1
    assert event_count() == before


def test_acknowledgement_with_the_wrong_name(as_coach, agreement, unchanged):
    response = as_coach.post(reverse("agreement_acknowledge", args=[agreement.uid]),
                             {"typed_name": "Rob Stone"})
    assert response.context["form"].errors == {
        "typed_name": ["Type the client's name exactly as on file: Bob Stone."]}
    assert "Type the client&#x27;s name exactly as on file: Bob Stone." in page_text(response)
    agreement.refresh_from_db()
    assert not agreement.is_acknowledged


def test_acknowledging_twice_is_refused_at_the_top(as_coach, coach, agreement):
    from followthrough.clients.services import agreement_acknowledge

    agreement_acknowledge(agreement=agreement, typed_name="Bob Stone", by=coach.user)
    before = event_count()
    response = as_coach.post(reverse("agreement_acknowledge", args=[agreement.uid]),
                             {"typed_name": "Bob Stone"})
    assert response.context["form"].non_field_errors() == ["This version was already acknowledged."]
    assert event_count() == before


def test_meeting_with_a_bad_date_a_missing_time_and_a_bad_length(as_coach, engagement, unchanged):
    url = reverse("meeting_create", args=[engagement.uid])
    response = as_coach.post(url, {"status": "planned", "starts_at_0": "2026-13-01",
                                   "starts_at_1": "10:00", "duration_minutes": "2"})
    errors = response.context["form"].errors
    assert errors["starts_at"] == ["Enter a valid date."]
    assert errors["duration_minutes"] == ["Ensure this value is greater than or equal to 5."]
    response = as_coach.post(url, {"status": "planned", "starts_at_0": "2026-12-01",
                                   "duration_minutes": "60"})
    assert response.context["form"].errors == {"starts_at": ["Enter both the date and the time."]}
    response = as_coach.post(url, {"status": "cancelled", "starts_at_0": "2026-12-01",
                                   "starts_at_1": "10:00", "duration_minutes": "60"})
    assert "status" in response.context["form"].errors
    assert Meeting.objects.count() == 0


def test_a_held_meeting_cannot_be_planned_again(as_coach, held_meeting):
    before = event_count()
    data = {"status": "planned", "starts_at_0": "2026-12-01", "starts_at_1": "10:00",
            "duration_minutes": "60"}
    response = as_coach.post(reverse("meeting_update", args=[held_meeting.uid]), data)
    assert "status" in response.context["form"].errors
    held_meeting.refresh_from_db()
    assert held_meeting.status == "held"
    assert event_count() == before


def test_no_meeting_in_a_paused_engagement(as_coach, coach, engagement):
    from followthrough.clients.services import engagement_pause

    engagement_pause(engagement=engagement, until=date.today() + timedelta(days=30), by=coach.user)
    before = event_count()
    page = as_coach.get(reverse("meeting_create", args=[engagement.uid]))
    assert "meetings are recorded in an active engagement" in page_text(page)
    response = as_coach.post(reverse("meeting_create", args=[engagement.uid]), {
        "status": "held", "starts_at_0": "2026-12-01", "starts_at_1": "10:00",
        "duration_minutes": "60"})
    assert "recording a meeting needs an active engagement" in " ".join(
        response.context["form"].non_field_errors())
    assert event_count() == before


def test_the_file_loads_the_move_form_when_its_box_is_opened(as_coach, engagement):
    """The client file carries a link to the move page and asks for the form itself only when
    the coach opens 'Change state'; the form it gets posts to the same move page."""
    move_url = reverse("engagement_move", args=[engagement.uid])
    file_page = page_text(as_coach.get(reverse("client_file", args=[engagement.client.uid])))
    assert f'hx-get="{move_url}?part=form"' in file_page and f'href="{move_url}"' in file_page
    assert 'name="check_back_on"' not in file_page
    part = page_text(as_coach.get(move_url, {"part": "form"}))
    assert f'action="{move_url}"' in part and 'name="check_back_on"' in part
    assert "<html" not in part
