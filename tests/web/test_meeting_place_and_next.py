"""A meeting's place on the coach's pages, and the next meeting offered from the cadence."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followthrough.clients.services import engagement_pause
from followthrough.meetings.models import Meeting
from followthrough.meetings.services import meeting_create

from .conftest import event_count, page_text


def plan_data(**extra):
    when = timezone.localtime() + timedelta(days=3)
    return {"status": "planned", "starts_at_0": f"{when:%Y-%m-%d}", "starts_at_1": "10:00",
            "duration_minutes": "60", **extra}


def test_a_coach_plans_a_meeting_with_its_place_and_video_link(as_coach, engagement, agreement):
    response = as_coach.post(reverse("meeting_create", args=[engagement.uid]), plan_data(
        location="  12 Harbour Street, room 2 ", video_link="https://meet.example.org/ana-bob"))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.location, meeting.video_link) == ("12 Harbour Street, room 2", "https://meet.example.org/ana-bob")
    page = page_text(as_coach.get(reverse("meeting_update", args=[meeting.uid])))
    assert 'value="12 Harbour Street, room 2"' in page and 'value="https://meet.example.org/ana-bob"' in page
    file_page = page_text(as_coach.get(reverse("client_file", args=[engagement.client.uid])))
    assert "At 12 Harbour Street, room 2" in file_page


def test_a_video_link_that_is_not_a_web_address_is_refused_in_words_on_its_field(as_coach, engagement, agreement):
    before = event_count()
    for bad in ("meet.example.org/ana", "javascript:alert(1)", "ftp://files.example.org/call"):
        response = as_coach.post(reverse("meeting_create", args=[engagement.uid]), plan_data(video_link=bad))
        assert response.status_code == 200
        [error] = response.context["form"].errors["video_link"]
        assert error.startswith("Give the call's full web address, starting with https://")
    assert Meeting.objects.count() == 0 and event_count() == before


def test_after_a_held_meeting_the_page_offers_the_next_one_on_the_cadence(as_coach, held_meeting):
    held_at = timezone.localtime(held_meeting.starts_at)
    expected = held_at + timedelta(weeks=4)  # held two weeks ago, every two weeks: the next is after today
    page = page_text(as_coach.get(reverse("meeting_update", args=[held_meeting.uid])))
    assert "Next meeting" in page and "“Every two weeks”" in page
    assert f"{expected:%A} {expected.day} {expected:%B %Y}, {expected:%H:%M}" in page
    review = page_text(as_coach.get(reverse("meeting_review", args=[held_meeting.uid])))
    assert reverse("meeting_plan_next", args=[held_meeting.uid]) in review


def test_one_click_plans_the_suggested_meeting_at_the_same_length_and_place(as_coach, held_meeting, coach):
    Meeting.objects.filter(pk=held_meeting.pk).update(location="The office", duration_minutes=45)
    response = as_coach.post(reverse("meeting_plan_next", args=[held_meeting.uid]))
    assert response.status_code == 302
    planned = Meeting.objects.get(status="planned")
    expected = timezone.localtime(held_meeting.starts_at) + timedelta(weeks=4)
    assert timezone.localtime(planned.starts_at).replace(second=0, microsecond=0) == \
        expected.replace(second=0, microsecond=0)
    assert (planned.duration_minutes, planned.location) == (45, "The office")
    # Once planned, nothing more is offered, and a second click plans nothing.
    assert "Plan it" not in page_text(as_coach.get(reverse("meeting_update", args=[held_meeting.uid])))
    as_coach.post(reverse("meeting_plan_next", args=[held_meeting.uid]))
    assert Meeting.objects.filter(status="planned").count() == 1


def test_changing_the_time_first_opens_the_form_prefilled_with_the_suggestion(as_coach, held_meeting):
    url = reverse("meeting_create", args=[held_meeting.engagement.uid]) + f"?after={held_meeting.uid}"
    form = as_coach.get(url).context["form"]
    expected = timezone.localtime(held_meeting.starts_at) + timedelta(weeks=4)
    assert form.initial["starts_at"].date() == expected.date()
    assert form.initial["duration_minutes"] == held_meeting.duration_minutes


def test_no_offer_when_the_cadence_is_not_read_or_the_engagement_stopped(as_coach, held_meeting, agreement, coach):
    type(agreement).objects.filter(pk=agreement.pk).update(meeting_cadence="As the client needs")
    assert "Plan it" not in page_text(as_coach.get(reverse("meeting_update", args=[held_meeting.uid])))
    response = as_coach.post(reverse("meeting_plan_next", args=[held_meeting.uid]))
    assert response.status_code == 302 and not Meeting.objects.filter(status="planned").exists()
    type(agreement).objects.filter(pk=agreement.pk).update(meeting_cadence="Weekly")
    assert "Plan it" in page_text(as_coach.get(reverse("meeting_update", args=[held_meeting.uid])))
    engagement_pause(engagement=held_meeting.engagement, by=coach.user,
                     until=timezone.localdate() + timedelta(days=30))
    assert "Plan it" not in page_text(as_coach.get(reverse("meeting_update", args=[held_meeting.uid])))


def test_a_planned_meeting_is_not_offered_a_next_one(as_coach, engagement, agreement, coach):
    meeting = meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now() + timedelta(days=2))
    assert "Plan it" not in page_text(as_coach.get(reverse("meeting_update", args=[meeting.uid])))


def test_the_meeting_page_and_review_ask_the_same_number_of_queries_however_many_meetings(
        as_coach, held_meeting, coach):
    def counts():
        sizes = []
        for name in ("meeting_update", "meeting_review"):
            with CaptureQueriesContext(connection) as queries:
                assert as_coach.get(reverse(name, args=[held_meeting.uid])).status_code == 200
            sizes.append(len(queries))
        return sizes

    few = counts()
    for days in range(1, 6):
        meeting_create(engagement=held_meeting.engagement, by=coach.user, status="held",
                       starts_at=held_meeting.starts_at - timedelta(days=days),
                       focus_areas=list(held_meeting.focus_areas.all()))
    assert counts() == few


def test_prefilling_from_a_meeting_of_another_engagement_is_not_found(as_coach, engagement, colleague,
                                                                        colleague_client):
    theirs = meeting_create(engagement=colleague_client.engagements.get(), by=colleague.user,
                            starts_at=timezone.now() + timedelta(days=2))
    url = reverse("meeting_create", args=[engagement.uid])
    assert as_coach.get(url + f"?after={theirs.uid}").status_code == 404
    assert as_coach.get(url + "?after=not-a-meeting").status_code == 404
