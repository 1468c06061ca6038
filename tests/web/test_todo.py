"""The coach's to-do on the caseload: what waits on the coach, each item with its link."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from followthrough.clients.services import agreement_acknowledge, agreement_create, engagement_move
from followthrough.commitments.services import (
    MeetingReview,
    commitment_client_report,
    commitment_client_report_undo,
    meeting_review,
)
from followthrough.history import clock
from followthrough.meetings.services import meeting_create, meeting_update
from followthrough.protocol.referrals import referral_accept, referral_offer
from followthrough.web.todo import coach_todo

from .conftest import page_text


def _items(as_coach, kind=None):
    """The items the caseload shows (it loads them from the to-do's list part)."""
    items = as_coach.get(reverse("todo"), {"part": "list"}).context["todo"].items
    return [item for item in items if kind is None or item.kind == kind]


def _held(engagement, coach, focus, **details):
    return meeting_create(engagement=engagement, by=coach.user, status="held",
                          starts_at=timezone.now() - timedelta(days=2), focus_areas=[focus["business"]], **details)


def test_a_held_meeting_without_review_or_summary_is_listed_with_the_review_link(as_coach, held_meeting, coach,
                                                                                 focus):
    assert _items(as_coach, "meeting_review") == []  # the fixture's meeting has both
    meeting = _held(held_meeting.engagement, coach, focus)
    [item] = _items(as_coach, "meeting_review")
    assert item.url == reverse("meeting_review", args=[meeting.uid])
    assert "no review and no summary" in item.text and item.client_name == "Bob Stone"
    assert item.url in page_text(as_coach.get(reverse("todo"), {"part": "list"}))


def test_a_reviewed_meeting_without_a_summary_asks_for_the_summary(as_coach, held_meeting, coach, focus):
    meeting = _held(held_meeting.engagement, coach, focus)
    meeting_review(meeting=meeting, by=coach.user, review=MeetingReview())
    [item] = _items(as_coach, "meeting_summary")
    assert item.url == reverse("meeting_update", args=[meeting.uid]) and "no summary" in item.text
    meeting_update(meeting=meeting, by=coach.user, client_summary="We looked at the quarter.")
    assert _items(as_coach, "meeting_summary") == [] and _items(as_coach, "meeting_review") == []


def test_a_commitment_the_client_reports_done_waits_for_confirmation_until_taken_back(
        as_coach, commitment, client_user):
    assert _items(as_coach, "reported_done") == []
    commitment_client_report(commitment=commitment, by=client_user, note="Sent all five")
    [item] = _items(as_coach, "reported_done")
    assert item.record_uid == str(commitment.uid) and item.url.endswith(f"#c-{commitment.uid}")
    commitment_client_report_undo(commitment=commitment, by=client_user)
    assert _items(as_coach, "reported_done") == []


def test_a_paused_engagement_is_listed_once_its_check_back_date_has_come(as_coach, engagement, coach):
    check_back = coach.practice.today() + timedelta(days=3)
    engagement_move(engagement=engagement, to_state="paused", by=coach.user, note="Holiday",
                    check_back_on=check_back)
    assert _items(as_coach, "check_back") == []
    # The sign-in would have lapsed in three days; the selector is what the page reads.
    with clock.set_to(timezone.now() + timedelta(days=3)):
        [item] = [i for i in coach_todo(coach, coach.user).items if i.kind == "check_back"]
    assert item.since == check_back and item.url == reverse("engagement_move", args=[engagement.uid])


def test_only_the_current_unacknowledged_agreement_version_is_listed(as_coach, agreement, coach, focus,
                                                                      client_user):
    [item] = _items(as_coach, "agreement")
    assert item.url == reverse("agreement_acknowledge", args=[agreement.uid])
    agreement_acknowledge(agreement=agreement, typed_name="Bob Stone", by=client_user)
    assert _items(as_coach, "agreement") == []
    second = agreement_create(engagement=agreement.engagement, by=coach.user, came_for="Catering",
                              primary_focus=focus["business"], meeting_cadence="Monthly",
                              call_to_action="Five enquiries", renegotiation_reason="A lower bar for now")
    assert [i.record_uid for i in _items(as_coach, "agreement")] == [str(second.uid)]


def test_an_offered_referral_waits_on_both_coaches_until_answered(client, as_coach, engagement, coach,
                                                                  colleague, focus):
    referral = referral_offer(engagement=engagement, by=coach.user, to_coach=colleague,
                              focus_area=focus["relationships"])
    [mine] = _items(as_coach, "referral_out")
    assert "Cara Lind" in mine.text and mine.url == reverse("protocol:referral", args=[referral.uid])
    client.force_login(colleague.user)
    [theirs] = _items(client, "referral_in")
    assert "accept or decline" in theirs.text
    referral_accept(referral=referral, by=colleague.user)
    assert _items(client) == []


def test_a_colleagues_to_do_never_shows_this_coachs_clients(client, held_meeting, coach, colleague, focus):
    _held(held_meeting.engagement, coach, focus)
    client.force_login(colleague.user)
    assert _items(client) == []


def test_the_list_is_oldest_first_and_capped_per_kind(held_meeting, coach, focus):
    for days in (5, 3, 9):
        meeting_create(engagement=held_meeting.engagement, by=coach.user, status="held",
                       starts_at=timezone.now() - timedelta(days=days), focus_areas=[focus["business"]])
    todo = coach_todo(coach, coach.user, limit=2)
    meetings = [item for item in todo.items if item.kind == "meeting_review"]
    assert [item.since for item in meetings] == sorted(item.since for item in meetings) and len(meetings) == 2
    assert todo.more
    assert not coach_todo(coach, coach.user, limit=10).more


def test_the_todo_page_lists_what_the_caseload_lists(as_coach, held_meeting, coach, focus):
    _held(held_meeting.engagement, coach, focus)
    full = as_coach.get(reverse("todo"))
    assert full.status_code == 200
    assert [i.url for i in full.context["todo"].items] == [i.url for i in _items(as_coach)]


def test_the_caseload_loads_its_to_do_on_its_landing_view_only(as_coach, client_record):
    landing = page_text(as_coach.get(reverse("caseload")))
    assert f'hx-get="{reverse("todo")}?part=list"' in landing and f'href="{reverse("todo")}"' in landing
    assert "hx-get" not in page_text(as_coach.get(reverse("caseload"), {"q": "stone"})).split("<main")[1]
    part = as_coach.get(reverse("todo"), {"part": "list"})
    assert "<html" not in page_text(part) and 'class="todo"' in page_text(part)
