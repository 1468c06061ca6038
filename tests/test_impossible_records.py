"""Records that cannot be true are refused, with the reason on the field, and nothing is saved."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.services import client_create
from followthrough.commitments.services import MeetingReview, meeting_review
from followthrough.meetings.models import Meeting
from followthrough.meetings.services import meeting_create, meeting_update


def refused(field, call):
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    return exc.value.message_dict[field][0]


@pytest.mark.parametrize("status", ["held", "no_show"])
def test_a_meeting_that_took_place_cannot_be_in_the_future(engagement, coach, status):
    message = refused("starts_at", lambda: meeting_create(
        engagement=engagement, by=coach.user, status=status, focus_areas=on_focus(engagement),
        starts_at=timezone.now() + timedelta(days=180)))
    assert "cannot be in the future" in message
    assert not Meeting.objects.exists()


def test_a_planned_meeting_cannot_be_marked_held_before_it_happens(engagement, coach):
    planned = meeting_create(engagement=engagement, by=coach.user, focus_areas=on_focus(engagement),
                             starts_at=timezone.now() + timedelta(days=3))
    refused("starts_at", lambda: meeting_update(meeting=planned, by=coach.user, status="held"))
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_no_meeting_before_the_engagement_began(coach):
    engagement = client_create(coach=coach, by=coach.user, full_name="Nia Cole",
                               started_on=date.today() - timedelta(days=10)).engagements.get()
    message = refused("starts_at", lambda: meeting_create(
        engagement=engagement, by=coach.user, status="held", focus_areas=on_focus(engagement),
        starts_at=timezone.now() - timedelta(days=40)))
    assert "engagement began on" in message


def test_a_held_meeting_says_what_it_was_about(engagement, coach):
    message = refused("focus_areas", lambda: meeting_create(
        engagement=engagement, by=coach.user, status="held", starts_at=timezone.now() - timedelta(hours=2)))
    assert "focus areas" in message


def test_a_plan_day_after_the_due_date_is_refused_at_the_review(held_meeting, coach, engagement):
    later = meeting_create(engagement=engagement, by=coach.user, status="held", focus_areas=on_focus(engagement),
                           starts_at=timezone.now() - timedelta(hours=1))
    due = date.today() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        meeting_review(meeting=later, by=coach.user, review=MeetingReview(new_commitments=[{
            "description": "Send the price list", "due_on": due, "minutes_needed": 20,
            "planned_at": timezone.now() + timedelta(days=10)}]))
    assert any("planned_at" in key for key in exc.value.message_dict)


def test_the_meeting_page_starts_from_the_agreed_focus(client, coach, engagement, agreement):
    client.force_login(coach.user)
    form = client.get(reverse("meeting_create", args=[engagement.uid])).context["form"]
    assert form["focus_areas"].value() == [agreement.primary_focus.pk] or \
        [area.pk for area in form["focus_areas"].value()] == [agreement.primary_focus.pk]


def test_the_api_refuses_a_held_meeting_in_the_future_on_its_field(engagement, coach, client):
    from followthrough.accounts.tokens import api_token_create

    token = api_token_create(coach=coach, name="t", by=coach.user)[1]
    response = client.post(f"/api/engagements/{engagement.uid}/meetings", {
        "status": "held", "starts_at": (timezone.now() + timedelta(days=30)).isoformat(),
        "focus_areas": ["business"]}, content_type="application/json", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "starts_at" in response.json()["errors"]


def test_a_second_client_with_the_same_email_is_refused_unless_two_people_share_it(coach, client_record):
    message = refused("email", lambda: client_create(coach=coach, by=coach.user, full_name="Robert Stone",
                                                     email="BOB@example.org"))
    assert "Bob Stone already has this email" in message
    twin = client_create(coach=coach, by=coach.user, full_name="Rob Stone", email="bob@example.org", email_shared=True)
    assert twin.email == "bob@example.org"


def test_the_page_and_the_api_refuse_a_duplicate_email_on_its_field(client, coach, client_record):
    from followthrough.accounts.tokens import api_token_create

    client.force_login(coach.user)
    page = client.post(reverse("client_create"), {"full_name": "Robert Stone", "email": "bob@example.org",
                                                  "timezone": "Europe/London"})
    assert "already has this email" in str(page.context["form"].errors["email"])
    token = api_token_create(coach=coach, name="t", by=coach.user)[1]
    api = client.post("/api/clients", {"full_name": "Robert Stone", "email": "bob@example.org"},
                      content_type="application/json", headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 422 and "email" in api.json()["errors"]


def test_a_date_not_on_the_calendar_is_refused_quoting_what_was_typed(client, coach, engagement):
    client.force_login(coach.user)
    response = client.post(reverse("engagement_move", args=[engagement.uid]),
                           {"state": "paused", "check_back_on": "2027-02-30"})
    assert "“2027-02-30” is not a date on the calendar" in str(response.context["form"].errors["check_back_on"])
    engagement.refresh_from_db()
    assert engagement.state == "active"
