"""The engine and the protocol as the coach meets them: on the caseload and in the file."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.engine.services import engagement_refresh
from followthrough.meetings.services import meeting_create
from followthrough.protocol.models import Intervention

from .conftest import page_text


@pytest.fixture
def stalled(engagement, coach, agreement):
    """Three held meetings, each reviewing one missed commitment: a nonproductive phase."""
    start = timezone.now() - timedelta(days=60)
    previous = None
    for n in range(4):
        meeting = meeting_create(engagement=engagement, by=coach.user, status="held",
                                 starts_at=start + timedelta(days=14 * n), focus_areas=on_focus(engagement))
        reviews = [Review(previous, "missed", None, "No time")] if previous else []
        (previous,) = meeting_review(meeting=meeting, by=coach.user, review=MeetingReview(
            reviews=reviews, new_commitments=[{"description": f"Call {n + 1} caterers",
                                               "due_on": meeting.starts_at.date() + timedelta(days=7),
                                               "minutes_needed": 30}]))
    engagement_refresh(engagement=engagement)
    return engagement


def test_the_caseload_puts_a_stalled_client_under_needs_attention(as_coach, stalled):
    text = page_text(as_coach.get(reverse("caseload")))
    assert "Needs attention (1)" in text
    assert "Bob Stone" in text and "at each of the last 3 reviewed meetings" in text


def test_the_file_shows_the_flag_the_chart_and_opens_an_intervention_from_it(as_coach, stalled, client_record):
    file_url = reverse("client_file", args=[client_record.uid])
    text = page_text(as_coach.get(file_url))
    assert "Nonproductive phase" in text and "See the evidence" in text
    assert "<svg" in text and "Open an intervention for this flag" in text
    flag_uid = stalled.flags.get(cleared_at__isnull=True).uid
    response = as_coach.post(reverse("protocol:intervention_open", args=[stalled.uid]), {"flag": str(flag_uid)})
    intervention = Intervention.objects.get(engagement=stalled)
    assert response.status_code == 302 and intervention.trigger == "nonproductive"
    assert "Continue the intervention" in page_text(as_coach.get(file_url))


def test_a_quiet_caseload_says_so(as_coach, engagement):
    assert "Nobody needs attention right now." in page_text(as_coach.get(reverse("caseload")))
