"""A whole engagement recorded through the coach's pages alone, then read back from the file."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.clients.models import Client
from followthrough.history.services import verify_chain, verify_records

from .conftest import initial_data, page_text


def follow(client, response):
    assert response.status_code == 302, getattr(response, "context", None) and [
        getattr(v, "errors", None) for v in response.context.flatten().values()]
    return client.get(response["Location"])


def local(moment):
    moment = timezone.localtime(moment)
    return {"_0": moment.date().isoformat(), "_1": moment.strftime("%H:%M")}


def starts_at(moment):
    return {f"starts_at{k}": v for k, v in local(moment).items()}


@pytest.fixture
def practice_time(coach):
    """Dates typed in the test are the practice's local ones, as a coach would type them."""
    with timezone.override(ZoneInfo(coach.practice.timezone)):
        yield


def test_a_whole_engagement_through_the_pages(as_coach, coach, focus, practice_time):
    today = timezone.localdate()
    now = timezone.now()

    # A new client, who starts with an engagement.
    response = as_coach.post(reverse("client_create"), {
        "full_name": "Carla Mendes", "email": "carla@example.org", "phone": "+351 900 000 000",
        "timezone": "Europe/Lisbon", "started_on": (today - timedelta(days=30)).isoformat()})
    page = follow(as_coach, response)
    assert "Carla Mendes was added" in page_text(page)
    client = Client.objects.get(full_name="Carla Mendes")
    engagement = page.context["selected"]

    # The agreement, with one scaled goal, and the client's acknowledgement.
    url = reverse("agreement_create", args=[engagement.uid])
    form_page = as_coach.get(url)
    data = initial_data(form_page.context["form"])
    data.update(initial_data(form_page.context["goals"].management_form))
    for form in form_page.context["goals"].forms:
        data.update(initial_data(form))
    data.update({"came_for": "Open a second shop", "primary_focus": str(focus["business"].pk),
                 "meeting_cadence": "Every two weeks", "fee_amount": "75",
                 "call_to_action": "Sign a lease by spring", "goals-0-title": "Shortlisted sites",
                 "goals-0-level_0": "Three sites visited", "goals-0-level_plus_1": "Five",
                 "goals-0-level_minus_1": "One"})
    page = follow(as_coach, as_coach.post(url, data))
    agreement = page.context["current_agreement"]
    assert agreement.version == 1
    page = follow(as_coach, as_coach.post(
        reverse("agreement_acknowledge", args=[agreement.uid]), {"typed_name": " carla  MENDES "}))
    assert "Version 1 is acknowledged by Carla Mendes" in page_text(page)

    # A held meeting goes straight on to its review, which sets two commitments.
    first_at = now - timedelta(days=14)
    response = as_coach.post(reverse("meeting_create", args=[engagement.uid]), {
        "status": "held", **starts_at(first_at), "duration_minutes": "50",
        "focus_areas": [str(focus["business"].pk)], "private_notes": "Nervous about money",
        "client_summary": "We listed what a second shop needs.", "paid": "on"})
    review = follow(as_coach, response)
    first = review.context["meeting"]
    assert review.context["page"].reviews == []
    due = (today - timedelta(days=7)).isoformat()
    page = follow(as_coach, as_coach.post(reverse("meeting_review", args=[first.uid]), {
        "new-1-description": "Visit three sites", "new-1-due_on": due,
        "new-1-minutes_needed": "240", "new-1-tools_needed": "car", "new-1-has_tools": "true",
        "new-1-planned_at_0": due, "new-1-planned_at_1": "10:00",
        "new-2-description": "Ask the bank about a loan", "new-2-due_on": due,
        "new-3-description": ""}))
    assert "Review saved: 0 reviewed, 2 new commitments." in page_text(page)
    visit, bank = first.commitments_made.order_by("pk")

    # The next meeting is planned, then recorded as held and reviewed.
    response = as_coach.post(reverse("meeting_create", args=[engagement.uid]), {
        "status": "planned", **starts_at(now - timedelta(hours=2)), "duration_minutes": "50"})
    page = follow(as_coach, response)
    second = page.context["meetings"][0]
    assert second.status == "planned"
    response = as_coach.post(reverse("meeting_update", args=[second.uid]), {
        "status": "held", **starts_at(second.starts_at), "duration_minutes": "50",
        "focus_areas": [str(focus["business"].pk), str(focus["finances"].pk)],
        "client_summary": "Two sites seen; the bank wants a plan."})
    review = follow(as_coach, response)
    assert [f.commitment for f in review.context["page"].reviews] == [visit, bank]
    goal = agreement.goals.get()
    page = follow(as_coach, as_coach.post(reverse("meeting_review", args=[second.uid]), {
        f"review-{visit.uid}-outcome": "partly_kept", f"review-{visit.uid}-kept_fraction": "2/3",
        f"review-{visit.uid}-client_reason": "The third site was let already",
        f"review-{bank.uid}-outcome": "missed",
        f"review-{bank.uid}-client_reason": "I put it off",
        f"goal-{goal.uid}": "-1",
        "new-1-description": "Phone the bank for an appointment",
        "new-1-due_on": (today + timedelta(days=3)).isoformat()}))
    assert "Review saved: 2 reviewed, 1 new commitment." in page_text(page)

    # A pause with a check-back date, then the client comes back as a new engagement.
    check_back = today + timedelta(days=60)
    move = {"state": "paused", "check_back_on": check_back.isoformat(), "note": "Saving up"}
    confirm = as_coach.post(reverse("engagement_move", args=[engagement.uid]), move)
    # The coach sees what the pause closes before confirming it.
    assert "1 open commitment will be withdrawn" in page_text(confirm)
    assert engagement.commitments.open().count() == 1
    page = follow(as_coach, as_coach.post(reverse("engagement_move", args=[engagement.uid]),
                                          {**move, "confirmed": "True"}))
    assert "The engagement is now paused." in page_text(page)
    assert engagement.commitments.open().count() == 0
    page = follow(as_coach, as_coach.post(reverse("engagement_reengage", args=[engagement.uid]), {}))
    assert "re-engaged" in page_text(page)

    # What the file now shows: the new engagement, linked to the old one.
    new = page.context["selected"]
    assert [e.state for e in page.context["engagements"]] == ["active", "ended"]
    assert new.previous_id == engagement.pk
    text = page_text(page)
    assert f'continues the engagement of <a href="?engagement={engagement.uid}">' in text
    assert "Active → <strong>Paused</strong> (check back" in text
    assert "“Saving up”" in text
    assert "Paused → <strong>Ended</strong>" in text
    carried = page.context["current_agreement"]
    assert (carried.version, carried.is_acknowledged) == (1, False)
    assert "Shortlisted sites" in text and page.context["meetings"] == []

    # The old engagement's file: the agreement as acknowledged, and every meeting's record.
    old = as_coach.get(reverse("client_file", args=[client.uid]), {"engagement": engagement.uid})
    text = page_text(old)
    assert "Acknowledged</dt>\n  <dd>by “carla  MENDES” on" in text
    meetings = old.context["meetings"]
    assert [m.status for m in meetings] == ["held", "held"]
    assert meetings[0].follow_through == Decimal("0.335")  # (0.67 + 0) / 2
    assert "Discussed: Business, Finances" in text
    assert "Nervous about money" in text and "We listed what a second shop needs." in text
    assert "Partly kept 67%" in text and "“The third site was let already”" in text
    assert re.search(r"Missed</span>\s*Ask the bank about a loan", text)
    assert "Phone the bank for an appointment" in text
    assert "Shortlisted sites <strong>-1</strong>" in text
    assert "follow-through 34%" in text
    history = old.context["events"]
    actions = {event.action for event in history}
    assert {"client.created", "agreement.acknowledged", "meeting.reviewed",
            "commitment.reviewed", "engagement.moved"} <= actions
    assert "Ana Perez &lt;ana&gt;" in text

    # The caseload: the client is active again, with the last held meeting on show.
    caseload = as_coach.get(reverse("caseload"))
    row = next(r for r in caseload.context["rows"] if r["pk"] == client.pk)
    assert row["engagement_state"] == "active"
    assert row["last_held_at"] == second.starts_at
    assert (row["open_count"], row["overdue_count"]) == (0, 0)

    assert verify_chain() is None
    assert verify_records() == []
