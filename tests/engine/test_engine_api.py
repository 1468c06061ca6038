"""The engine's router, mounted on its own in ninja's test client (the project's API
mounts it with `api.add_router("/", engine_router)`)."""

from datetime import timedelta

import pytest
from meeting_helpers import on_focus
from ninja.testing import TestClient

from followthrough.commitments.services import MeetingReview, Review, commitment_create, meeting_review
from followthrough.engine.api import router
from followthrough.engine.services import scan_pass
from followthrough.meetings.services import meeting_create


@pytest.fixture
def api():
    return TestClient(router)


def test_followthrough_series_both_variants_and_current_run(api, timeline, engagement, coach):
    timeline.meeting("held", ["kept", "missed"], minutes=[30, 90])
    timeline.meeting("held", ["missed", "waived"], minutes=[None, 500])
    timeline.meeting("held", [0.5, "kept"], minutes=[60, None])
    data = api.get(f"/engagements/{engagement.uid}/followthrough", user=coach.user).json()
    figures = data["figures"]
    assert [f["figure"] for f in figures] == [0.5, 0.0, 0.75]
    assert [f["due"] for f in figures] == [2, 1, 2]
    # Unknown minutes weigh the median of the counted ones (30, 90, 60) = 60.
    assert data["weight_if_unknown"] == 60
    assert [f["weighted"] for f in figures] == [0.25, 0.0, 0.75]
    assert data["current_run"] == 0
    assert data["thresholds"]["followthrough_below"] == 0.5


def test_repeat_misses_follow_the_reinstated_line(api, timeline, engagement, coach):
    first = timeline.meeting("held", ["missed"])
    missed = timeline.commitments[0]
    again = commitment_create(engagement=engagement, by=coach.user, description="Call the bank again",
                              due_on=(first.starts_at + timedelta(days=6)).date(),
                              derived_from=missed, derivation="reinstated")
    second = meeting_create(engagement=engagement, focus_areas=on_focus(engagement), by=coach.user, status="held",
                            starts_at=first.starts_at + timedelta(days=7))
    meeting_review(meeting=second, by=coach.user,
                   review=MeetingReview(reviews=[Review(again, "missed")]))
    data = api.get(f"/engagements/{engagement.uid}/followthrough", user=coach.user).json()
    assert data["current_run"] == 2
    [line] = data["repeat_misses"]
    assert line["misses"] == 2
    assert line["commitments"] == [str(missed.uid), str(again.uid)]


def test_flags_of_an_engagement_and_a_coachs_open_flags(api, timeline, engagement, coach, colleague):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    scan_pass()
    flags = api.get(f"/engagements/{engagement.uid}/flags", user=coach.user).json()
    assert [f["kind"] for f in flags] == ["nonproductive"]
    assert flags[0]["cleared_at"] is None and flags[0]["url"] == f"/flags/{flags[0]['uid']}/"
    mine = api.get("/flags", user=coach.user).json()
    assert [f["uid"] for f in mine] == [flags[0]["uid"]]
    assert api.get("/flags", user=colleague.user).json() == []


@pytest.mark.parametrize("path", ["/engagements/{uid}/followthrough", "/engagements/{uid}/flags"])
def test_another_coach_or_the_client_gets_404(api, engagement, colleague, client_user, agreement, path):
    for user in (colleague.user, client_user):
        assert api.get(path.format(uid=engagement.uid), user=user).status_code == 404
    assert api.get("/flags", user=client_user).status_code == 404
    assert api.get(path.format(uid="not-a-uid"), user=colleague.user).status_code == 404
