"""The file's history: who changed what, before and after, and only about records one may see."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.services import engagement_start
from followthrough.history.selectors import events_by_seq, visible_history
from followthrough.meetings.services import meeting_create, meeting_update

from .conftest import page_text


def test_events_for_a_client_cover_the_client_and_its_records_newest_first(held_meeting):
    client = held_meeting.engagement.client
    events = events_by_seq(visible_history(client))
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    assert {"client.created", "engagement.started", "agreement.created", "goal.created",
            "meeting.created", "commitment.created", "meeting.reviewed"} <= {e.action for e in events}
    assert all(e.client_uid == str(client.uid) for e in events)


def test_another_coachs_engagement_with_the_same_client_stays_out_of_the_file(
        as_coach, coach, colleague, held_meeting):
    """A client also seen by a colleague: the colleague's notes never reach this coach's page."""
    client = held_meeting.engagement.client
    theirs = engagement_start(client=client, coach=colleague, by=colleague.user,
                              started_on=held_meeting.starts_at.date())
    meeting_create(engagement=theirs, focus_areas=on_focus(theirs), by=colleague.user, status="held",
                   starts_at=timezone.now() - timedelta(days=1),
                   private_notes="Colleague's confidential note")
    everything = events_by_seq(visible_history(client))
    mine = events_by_seq(visible_history(client, user=coach.user))
    assert {e.object_uid for e in everything} - {e.object_uid for e in mine} >= {str(theirs.uid)}
    assert not any("confidential" in str(e.after) for e in mine)
    assert any("confidential" in str(e.after) for e in everything)

    response = as_coach.get(reverse("client_file", args=[client.uid]))
    text = page_text(response)
    assert "confidential" not in text
    assert [e.coach for e in response.context["engagements"]] == [coach]
    assert as_coach.get(reverse("client_file", args=[client.uid]),
                        {"engagement": theirs.uid}).status_code == 404


def test_the_history_shows_before_and_after_in_plain_terms(as_coach, coach, held_meeting, focus):
    meeting_update(meeting=held_meeting, by=coach.user, private_notes="Rested, focused.",
                   focus_areas=[focus["business"], focus["career"]])
    response = as_coach.get(reverse("client_file", args=[held_meeting.engagement.client.uid]))
    text = page_text(response)
    assert "<code>meeting.updated</code>" in text
    assert ("<th scope=\"row\">private notes</th><td>Tired, distracted.</td>"
            "<td aria-label=\"became\">→</td><td>Rested, focused.</td>") in text
    assert "<td>Business</td><td aria-label=\"became\">→</td><td>Business, Career</td>" in text
    # Links between records are shown by the page, not as row numbers in the history.
    assert '<th scope="row">engagement</th>' not in text


def test_the_history_reads_in_words_with_the_raw_change_one_click_away(as_coach, coach, commitment):
    from followthrough.commitments.services import MeetingReview, Review, meeting_review

    later = meeting_create(engagement=commitment.engagement, focus_areas=on_focus(commitment.engagement),
                           by=coach.user, status="held", starts_at=timezone.now() - timedelta(hours=2))
    meeting_review(meeting=later, by=coach.user, review=MeetingReview(reviews=[
        Review(commitment=commitment, outcome="missed", client_reason="Work took over")]))
    body = as_coach.get(reverse("client_file", args=[commitment.engagement.client.uid])).content.decode()
    history = body[body.index('id="history"'):]
    who = coach.user.get_full_name() or coach.user.get_username()
    assert "marked “Email five wedding planners” missed — the client said “Work took over”" in history
    assert "agreed a new action: “Email five wedding planners”" in history
    assert "wrote the agreement" in history and "version 1 of" not in history
    assert who in history or coach.display_name in history
    # The raw record stays, folded away for an auditor.
    assert '<details class="raw-change">' in history and "<code>commitment.reviewed</code>" in history
    assert "{'" not in history  # never a raw dictionary


def _many_changes(client, coach, count):
    from followthrough.clients.services import client_update

    for n in range(count):
        client_update(client=client, by=coach.user, phone=f"0700 {n:06d}")


def test_the_file_shows_the_newest_changes_and_links_the_whole_history(as_coach, coach, client_record,
                                                                     django_assert_max_num_queries):
    """Years of history must not make the file slow: it shows the newest thirty, and the
    whole history is paged, a hundred changes to a page, the same reads for any length."""
    _many_changes(client_record, coach, 130)
    total = len(visible_history(client_record, user=coach.user))
    file_page = as_coach.get(reverse("client_file", args=[client_record.uid]))
    text = page_text(file_page)
    assert len(file_page.context["events"]) == 30 and file_page.context["history_total"] == total
    assert f"({total} changes, newest first)" in text and "0700 000129" in text and "0700 000050" not in text
    history_url = reverse("client_history", args=[client_record.uid])
    assert f'href="{history_url}"' in text
    first = as_coach.get(history_url)
    assert len(first.context["events"]) == 100 and first.context["page"].paginator.count == total
    assert [e.seq for e in first.context["events"]] == sorted((e.seq for e in first.context["events"]), reverse=True)
    last = as_coach.get(history_url, {"page": 2})
    assert "client.created" in {e.action for e in last.context["events"]}  # the oldest change is there
    assert "Back to the file" in page_text(last)
    with django_assert_max_num_queries(12):
        as_coach.get(history_url, {"page": 2})
