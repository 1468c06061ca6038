"""What the pages do when the input is right: each write goes through its service and shows."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from followthrough.clients.services import engagement_end, engagement_move, engagement_pause
from followthrough.meetings.services import meeting_create

from .conftest import event_count, initial_data, page_text


def _renegotiation(client, engagement, **changes):
    page = client.get(reverse("agreement_create", args=[engagement.uid]))
    data = initial_data(page.context["form"])
    data.update(initial_data(page.context["goals"].management_form))
    for form in page.context["goals"].forms:
        data.update(initial_data(form))
    data.update(changes)
    return data


def test_renegotiating_with_the_goals_unchanged_carries_them_over(as_coach, agreement):
    engagement = agreement.engagement
    data = _renegotiation(as_coach, engagement, renegotiation_reason="A lower bar for now",
                          call_to_action="Five enquiries a month")
    response = as_coach.post(reverse("agreement_create", args=[engagement.uid]), data)
    assert response.status_code == 302
    new = engagement.agreements.get(version=2)
    assert new.call_to_action == "Five enquiries a month"
    assert new.renegotiation_reason == "A lower bar for now"
    assert [(g.title, g.carried_from) for g in new.goals.all()] == [
        ("Catering revenue", agreement.goals.get())]
    page = as_coach.get(response["Location"])
    assert "Agreement version 2 is written." in page_text(page)
    assert "Version 1 (" in page_text(page)  # the older version stays viewable


def test_renegotiating_with_new_goals_writes_them(as_coach, agreement):
    engagement = agreement.engagement
    data = _renegotiation(as_coach, engagement, renegotiation_reason="New focus",
                          **{"goals-0-title": "", "goals-0-level_0": "",
                             "goals-1-title": "Weekly open day", "goals-1-level_0": "Held weekly"})
    assert as_coach.post(reverse("agreement_create", args=[engagement.uid]), data).status_code == 302
    goals = list(engagement.agreements.get(version=2).goals.all())
    assert [(g.title, g.level_0, g.carried_from) for g in goals] == [
        ("Weekly open day", "Held weekly", None)]


def test_no_agreement_changes_once_the_engagement_has_ended(as_coach, coach, agreement):
    engagement = agreement.engagement
    engagement_end(engagement=engagement, by=coach.user)
    data = _renegotiation(as_coach, engagement, renegotiation_reason="Too late")
    before = event_count()
    response = as_coach.post(reverse("agreement_create", args=[engagement.uid]), data)
    assert response.context["form"].non_field_errors() == [
        "An ended engagement's agreement cannot change."]
    assert "Re-engage the client to agree anew." in page_text(response)
    assert event_count() == before


def test_a_planned_meeting_is_cancelled_and_shown_so(as_coach, coach, engagement):
    planned = meeting_create(engagement=engagement, by=coach.user,
                             starts_at=timezone.now() + timedelta(days=2))
    url = reverse("meeting_update", args=[planned.uid])
    page = as_coach.get(url)
    assert [value for value, _ in page.context["form"].fields["status"].choices] == [
        "planned", "held", "no_show", "cancelled"]
    data = initial_data(page.context["form"])
    data["status"] = "cancelled"
    response = as_coach.post(url, data)
    assert response.status_code == 302 and "#meeting-" in response["Location"]
    planned.refresh_from_db()
    assert planned.status == "cancelled"
    assert "Cancelled" in page_text(as_coach.get(response["Location"]))


def test_a_new_meeting_form_is_in_the_practice_time_zone(as_coach, engagement):
    response = as_coach.get(reverse("meeting_create", args=[engagement.uid]))
    assert "times are Europe/London" in page_text(response)
    data = initial_data(response.context["form"])
    data.update({"status": "planned", "starts_at_0": f"{date.today().year + 1}-01-15",
                 "starts_at_1": "09:00"})
    response = as_coach.post(reverse("meeting_create", args=[engagement.uid]), data)
    assert response.status_code == 302
    meeting = engagement.meetings.get()
    assert meeting.starts_at.astimezone(timezone.get_fixed_timezone(0)).hour == 9  # GMT in winter


def test_the_caseload_filters_by_state(as_coach, coach, engagement, client_record):
    from followthrough.clients.services import client_create

    other = client_create(coach=coach, by=coach.user, full_name="Zed Ended")
    engagement_end(engagement=other.engagements.get(), by=coach.user)
    page = as_coach.get(reverse("caseload"))
    assert [r["full_name"] for r in page.context["rows"]] == ["Bob Stone"]
    page = as_coach.get(reverse("caseload"), {"state": "ended"})
    assert [r["full_name"] for r in page.context["rows"]] == ["Zed Ended"]
    page = as_coach.get(reverse("caseload"), {"state": "paused"})
    assert page.context["rows"] == []


def test_the_caseload_shows_each_figure(as_coach, commitment, held_meeting, coach):
    upcoming = meeting_create(engagement=held_meeting.engagement, by=coach.user,
                              starts_at=timezone.now() + timedelta(days=3))
    row = as_coach.get(reverse("caseload")).context["rows"][0]
    assert row["engagement_state"] == "active"
    assert row["last_held_at"] == held_meeting.starts_at
    assert row["next_planned_at"] == upcoming.starts_at
    assert (row["open_count"], row["overdue_count"]) == (1, 1)


def test_an_unknown_engagement_in_the_file_is_not_found(as_coach, client_record, colleague_client):
    url = reverse("client_file", args=[client_record.uid])
    assert as_coach.get(url, {"engagement": "not-a-uid"}).status_code == 404
    other = colleague_client.engagements.get()
    assert as_coach.get(url, {"engagement": other.uid}).status_code == 404


def test_a_new_client_lands_on_their_file(as_coach, coach):
    response = as_coach.post(reverse("client_create"), {
        "full_name": "  Nia Obi ", "email": "nia@example.org", "timezone": "Africa/Lagos"})
    page = as_coach.get(response["Location"])
    client = page.context["client"]
    assert (client.full_name, client.timezone, client.practice) == (
        "Nia Obi", "Africa/Lagos", coach.practice)
    assert page.context["selected"].state == "active"
    assert "Write the agreement" in page_text(page)


def test_the_file_shows_each_commitments_lineage_both_ways(as_coach, coach, commitment):
    from followthrough.commitments.models import Commitment
    from followthrough.commitments.services import commitment_create

    trimmed = commitment_create(
        engagement=commitment.engagement, by=coach.user, description="Email two planners",
        due_on=date.today() + timedelta(days=5), derived_from=commitment,
        derivation=Commitment.Derivation.TRIMMED)
    page = as_coach.get(reverse("client_file", args=[commitment.engagement.client.uid]))
    text = page_text(page)
    assert f'Trimmed from <a href="#c-{commitment.uid}">“Email five wedding planners”</a>' in text
    assert f'Trimmed as <a href="#c-{trimmed.uid}">“Email two planners”</a>' in text
    assert "Commitments set outside a meeting" in text


def test_the_file_offers_the_portal_link_and_asks_for_a_missing_plan(as_coach, coach, engagement, client_record):
    from django.core import mail

    from followthrough.commitments.services import commitment_create

    unplanned = commitment_create(engagement=engagement, by=coach.user, description="Draft the menu",
                                  due_on=date.today() + timedelta(days=5))
    file_url = reverse("client_file", args=[client_record.uid])
    text = page_text(as_coach.get(file_url))
    assert "Email Bob Stone a sign-in link to their portal" in text
    assert reverse("portal_ask_plan", args=[unplanned.uid]) in text
    response = as_coach.post(reverse("portal_ask_plan", args=[unplanned.uid]), {"next": file_url})
    assert response.status_code == 302
    assert mail.outbox and mail.outbox[-1].to == ["bob@example.org"]


def test_the_file_lists_an_engagements_moves_and_none_for_one_that_never_moved(as_coach, coach, engagement):
    url = reverse("client_file", args=[engagement.client.uid])
    assert "state change" not in page_text(as_coach.get(url))
    engagement_pause(engagement=engagement, until=date.today() + timedelta(days=30), by=coach.user,
                     note="Moving house")
    engagement_move(engagement=engagement, to_state="active", by=coach.user)
    text = page_text(as_coach.get(url))
    assert "2 state changes" in text
    assert "Active → <strong>Paused</strong>" in text and "“Moving house”" in text
    assert "Paused → <strong>Active</strong>" in text
