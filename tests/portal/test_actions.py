"""What the client does in the portal: mark an action done, answer a plan request."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.services import client_update
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import (
    MeetingReview,
    Review,
    client_report_of,
    commitment_client_report,
    commitment_client_report_undo,
    commitment_create,
    meeting_review,
    reported_done_awaiting_review,
)
from followthrough.history.models import Event
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.services import meeting_create
from followthrough.portal.models import PlanRequest
from followthrough.portal.services import plan_request_answer, plan_request_create

from .conftest import link_path_from_mail

PLAN_FIELDS = ("planned_at", "minutes_needed", "has_tools", "tools_needed")


def plan_of(commitment):
    commitment.refresh_from_db()
    return {name: getattr(commitment, name) for name in PLAN_FIELDS}


# Mark done

def test_client_marks_an_action_done_with_a_note_and_it_stays_open_for_the_review(bob, commitment, client_user):
    url = reverse("portal_commitment", args=[commitment.uid])
    assert b"Mark as done" in bob.get(url).content
    response = bob.post(reverse("portal_commitment_done", args=[commitment.uid]), {"note": "Sent all five!"})
    assert response.status_code == 302 and response.url == url
    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is not None and commitment.client_report_note == "Sent all five!"
    assert commitment.outcome == Commitment.Outcome.OPEN
    event = Event.objects.filter(action="commitment.client_reported_done", object_uid=str(commitment.uid)).get()
    assert event.actor_id == client_user.pk
    assert verify_chain() is None and verify_records() == []

    page = bob.get(url).content.decode()
    assert "You said it's done" in page and "Sent all five!" in page and "Mark as done" not in page
    assert list(reported_done_awaiting_review(commitment.engagement)) == [commitment]
    assert client_report_of(commitment).note == "Sent all five!"


def test_the_client_can_undo_done_until_the_coach_reviews_it(bob, commitment, client_user, coach):
    url = reverse("portal_commitment", args=[commitment.uid])
    bob.post(reverse("portal_commitment_done", args=[commitment.uid]), {"note": "Sent all five!"})
    assert "Undo: it's not done yet" in bob.get(url).content.decode()
    response = bob.post(reverse("portal_commitment_done_undo", args=[commitment.uid]), follow=True)
    assert "this action is open again" in response.content.decode()
    assert "Mark as done" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is None and commitment.client_report_note == ""
    assert list(reported_done_awaiting_review(commitment.engagement)) == []
    event = Event.objects.get(action="commitment.client_report_undone", object_uid=str(commitment.uid))
    assert event.actor_id == client_user.pk and verify_chain() is None and verify_records() == []


def test_done_cannot_be_undone_once_reviewed_nor_by_anyone_else(commitment, coach, client_user):
    commitment_client_report(commitment=commitment, by=client_user, note="done")
    with pytest.raises(ValidationError, match="Only the client"):
        commitment_client_report_undo(commitment=commitment, by=coach.user)
    later = meeting_create(engagement=commitment.engagement, focus_areas=on_focus(commitment.engagement),
                           by=coach.user, status="held", starts_at=timezone.now() - timedelta(hours=1))
    meeting_review(meeting=later, by=coach.user,
                   review=MeetingReview(reviews=[Review(commitment=commitment, outcome="kept")]))
    commitment.refresh_from_db()
    with pytest.raises(ValidationError, match="already reviewed"):
        commitment_client_report_undo(commitment=commitment, by=client_user)
    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is not None


def test_undo_without_a_report_is_refused(commitment, client_user):
    with pytest.raises(ValidationError, match="nothing to undo"):
        commitment_client_report_undo(commitment=commitment, by=client_user)


def test_the_note_is_optional_and_a_second_report_is_refused(bob, commitment):
    done = reverse("portal_commitment_done", args=[commitment.uid])
    assert bob.post(done, {}).status_code == 302
    response = bob.post(done, {"note": "again"}, follow=True)
    assert b"already told your coach" in response.content
    commitment.refresh_from_db()
    assert commitment.client_report_note == ""


def test_only_the_clients_own_login_can_report_and_only_while_open(commitment, coach, client_user, held_meeting):
    with pytest.raises(ValidationError, match="Only the client"):
        commitment_client_report(commitment=commitment, by=coach.user, note="")
    later = meeting_create(engagement=commitment.engagement, focus_areas=on_focus(commitment.engagement),
                           by=coach.user, status="held",
                           starts_at=timezone.now() - timedelta(hours=1))
    meeting_review(meeting=later, by=coach.user,
                   review=MeetingReview(reviews=[Review(commitment=commitment, outcome="kept")]))
    commitment.refresh_from_db()
    with pytest.raises(ValidationError, match="already reviewed"):
        commitment_client_report(commitment=commitment, by=client_user, note="")
    assert client_report_of(commitment) is None


def test_the_coach_still_decides_after_a_report(commitment, coach, client_user):
    commitment_client_report(commitment=commitment, by=client_user, note="done")
    later = meeting_create(engagement=commitment.engagement, focus_areas=on_focus(commitment.engagement),
                           by=coach.user, status="held",
                           starts_at=timezone.now() - timedelta(hours=1))
    meeting_review(meeting=later, by=coach.user, review=MeetingReview(reviews=[
        Review(commitment=commitment, outcome="partly_kept", kept_fraction="0.6",
               client_reason="Sent three of five")]))
    commitment.refresh_from_db()
    assert commitment.outcome == "partly_kept" and client_report_of(commitment).note == "done"
    assert list(reported_done_awaiting_review(commitment.engagement)) == []


# Plan requests

def test_coach_asks_for_a_plan_and_the_client_gets_a_link_to_answer(client, coach, commitment, client_user, outbox):
    client.force_login(coach.user)
    response = client.post(reverse("portal_ask_plan", args=[commitment.uid]), headers={"HX-Request": "1"})
    assert response.status_code == 200 and b"a link to answer went to bob@example.org" in response.content
    plan_request = PlanRequest.objects.get()
    assert plan_request.requested_by == coach.user and not plan_request.is_answered
    # Asking twice keeps one open request.
    client.post(reverse("portal_ask_plan", args=[commitment.uid]))
    assert PlanRequest.objects.count() == 1

    client.logout()
    path = link_path_from_mail(outbox[0])
    assert client.post(path).url == reverse("portal_plan_answer", args=[plan_request.uid])


def test_the_plan_request_email_says_what_is_asked(client, coach, commitment, client_user, outbox):
    client.force_login(coach.user)
    client.post(reverse("portal_ask_plan", args=[commitment.uid]))
    [mail] = outbox
    assert mail.subject.startswith(f"{coach.display_name} asks you to plan: {commitment.description[:30]}")
    assert mail.body.startswith("Hello Bob,")
    assert commitment.description in mail.body
    assert "the day and time you will do it" in mail.body and "whether you have what you need" in mail.body
    html = mail.alternatives[0][0]
    assert commitment.description in html and "Plan it now" in html and "Open my portal" not in html


@pytest.mark.parametrize("who", ["colleague", "outsider", "client_user"])
def test_only_the_coach_holding_the_engagement_can_ask_for_a_plan(request, client, commitment, who):
    persona = request.getfixturevalue(who)
    client.force_login(getattr(persona, "user", persona))
    assert client.post(reverse("portal_ask_plan", args=[commitment.uid])).status_code == 404
    assert not PlanRequest.objects.exists()


def test_a_reviewed_commitment_cannot_be_planned(commitment, coach):
    later = meeting_create(engagement=commitment.engagement, focus_areas=on_focus(commitment.engagement),
                           by=coach.user, status="held",
                           starts_at=timezone.now() - timedelta(hours=1))
    meeting_review(meeting=later, by=coach.user,
                   review=MeetingReview(reviews=[Review(commitment=commitment, outcome="missed")]))
    commitment.refresh_from_db()
    with pytest.raises(ValidationError, match="already reviewed"):
        plan_request_create(commitment=commitment, by=coach.user)


def test_client_answers_in_their_own_time_zone(bob, client_record, coach, engagement):
    commitment = commitment_create(engagement=engagement, by=coach.user, description="Visit two venues",
                                   due_on=date(2099, 6, 30))
    plan_request = plan_request_create(commitment=commitment, by=coach.user)
    client_update(client=client_record, by=coach.user, timezone="America/New_York")
    url = reverse("portal_plan_answer", args=[plan_request.uid])
    page = bob.get(url).content.decode()
    assert "America/New_York" in page and "When will you do it?" in page
    response = bob.post(url, {"planned_at": "2099-05-01T09:30", "minutes_needed": "40",
                              "has_tools": "no", "tools_needed": "the new price list"})
    assert response.status_code == 302
    assert plan_of(commitment) == {
        "planned_at": datetime(2099, 5, 1, 13, 30, tzinfo=UTC), "minutes_needed": 40,
        "has_tools": False, "tools_needed": "the new price list",
    }
    plan_request.refresh_from_db()
    assert plan_request.is_answered and plan_request.minutes_needed == 40
    assert Event.objects.filter(action="commitment.plan_answered").count() == 1
    assert verify_records() == []
    page = bob.get(url).content.decode()
    assert "You answered on" in page and "Save my plan" not in page
    assert bob.post(url, {"planned_at": "2099-06-01T09:30", "minutes_needed": "5",
                          "has_tools": "yes"}).status_code == 200
    assert plan_of(commitment)["minutes_needed"] == 40


@pytest.mark.parametrize("answers, field, message", [
    ({"minutes_needed": "30", "has_tools": "yes"}, "planned_at", "Choose the day and time"),
    ({"planned_at": "2001-01-01T10:00", "minutes_needed": "30", "has_tools": "yes"}, "planned_at", "still to come"),
    ({"planned_at": "2099-01-01T10:00", "has_tools": "yes"}, "minutes_needed", "how many minutes"),
    ({"planned_at": "2099-01-01T10:00", "minutes_needed": "0", "has_tools": "yes"}, "minutes_needed", "from 1 to"),
    ({"planned_at": "2099-01-01T10:00", "minutes_needed": "10001", "has_tools": "yes"}, "minutes_needed",
     "from 1 to"),
    ({"planned_at": "2099-01-01T10:00", "minutes_needed": "30"}, "has_tools", "have what you need"),
    ({"planned_at": "2099-01-01T10:00", "minutes_needed": "30", "has_tools": "no"}, "tools_needed",
     "what you still need"),
])
def test_a_wrong_plan_answer_names_the_field_and_saves_nothing(bob, plan_request, answers, field, message):
    commitment = plan_request.commitment
    before, events = plan_of(commitment), Event.objects.count()
    response = bob.post(reverse("portal_plan_answer", args=[plan_request.uid]), answers)
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field] and message in form.errors[field][0]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert plan_of(commitment) == before and Event.objects.count() == events
    plan_request.refresh_from_db()
    assert not plan_request.is_answered


def test_the_service_reports_every_missing_answer_at_once(plan_request, client_user):
    commitment = plan_request.commitment
    before = plan_of(commitment)
    with pytest.raises(ValidationError) as caught:
        plan_request_answer(plan_request=plan_request, by=client_user, planned_at=None, minutes_needed=None,
                            has_tools=None, tools_needed="")
    assert set(caught.value.message_dict) == {"planned_at", "minutes_needed", "has_tools"}
    assert plan_of(commitment) == before


def test_only_the_client_answers_their_plan_request(plan_request, coach):
    with pytest.raises(ValidationError, match="Only the client"):
        plan_request_answer(plan_request=plan_request, by=coach.user, planned_at=timezone.now() + timedelta(days=1),
                            minutes_needed=10, has_tools=True)


def test_home_points_to_an_open_plan_request(bob, plan_request):
    page = bob.get(reverse("portal_home")).content.decode()
    assert "Your coach asks you to plan" in page
    assert reverse("portal_plan_answer", args=[plan_request.uid]) in page
