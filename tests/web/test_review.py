"""The review screen: every due commitment, goal scores and the next commitments in one go."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.commitments.models import Commitment
from followthrough.commitments.services import commitment_create
from followthrough.meetings.models import GoalScore
from followthrough.meetings.services import meeting_create

from .conftest import event_count, page_text


@pytest.fixture
def second(commitment, coach):
    """A second commitment from the earlier meeting, also due by now."""
    return commitment_create(engagement=commitment.engagement, by=coach.user,
                             made_at=commitment.made_at, description="Update the price list",
                             due_on=date.today() - timedelta(days=2))


@pytest.fixture
def meeting(engagement, coach, commitment, second):
    """Today's held meeting, at which both commitments are due."""
    return meeting_create(engagement=engagement, focus_areas=on_focus(engagement), by=coach.user, status="held",
                          starts_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def url(meeting):
    return reverse("meeting_review", args=[meeting.uid])


def outcome(c, value, fraction="", reason=""):
    prefix = f"review-{c.uid}"
    return {f"{prefix}-outcome": value, f"{prefix}-kept_fraction": fraction,
            f"{prefix}-client_reason": reason}


def new_row(n, description="", due_on="", **extra):
    row = {f"new-{n}-description": description, f"new-{n}-due_on": due_on,
           f"new-{n}-planned_at_0": "", f"new-{n}-planned_at_1": "",
           f"new-{n}-minutes_needed": "", f"new-{n}-tools_needed": "",
           f"new-{n}-has_tools": "unknown"}
    row.update({f"new-{n}-{key}": value for key, value in extra.items()})
    return row


def test_the_screen_lists_what_is_due_goals_and_three_empty_rows(as_coach, url, commitment, second,
                                                                 agreement):
    response = as_coach.get(url)
    text = page_text(response)
    assert [form.commitment for form in response.context["page"].reviews] == [second, commitment]
    for value in ("kept", "partly_kept", "missed", "waived"):
        assert f'name="review-{commitment.uid}-outcome" value="{value}"' in text
    goal = agreement.goals.get()
    assert f'name="goal-{goal.uid}"' in text and "0 — EUR 2,000 a month" in text
    assert [f"new-{n}-description" in text for n in (1, 2, 3, 4)] == [True, True, True, False]
    assert 'hx-get="' + reverse("meeting_review_row", args=[response.context["meeting"].uid]) in text


def test_bad_input_is_shown_on_each_field_and_nothing_is_saved(as_coach, url, commitment, second,
                                                               meeting):
    before = event_count()
    data = {**outcome(commitment, "partly_kept"), **outcome(second, "waived"),
            **new_row(1, "Call three caterers"), **new_row(2),
            **new_row(3, "Old task", (meeting.starts_at - timedelta(days=3)).date().isoformat()),
            **new_row(4, "Bad date", "2026-02-31", minutes_needed="0")}
    response = as_coach.post(url, data)
    page = response.context["page"]
    first, waived = page.reviews[1], page.reviews[0]
    assert first.errors == {"kept_fraction": ["Say how much was done, for example 0.5 or 50%."]}
    assert waived.errors == {"client_reason": ["Say what outside the client's control prevented it."]}
    rows = page.new_rows
    assert rows[0].errors == {"due_on": ["Give the date it is due by."]}
    assert rows[1].errors == {}  # left empty: ignored, not an error
    assert rows[2].errors == {"due_on": ["The due date cannot be before this meeting."]}
    assert rows[3].errors == {"due_on": ["“2026-02-31” is not a date on the calendar; give it as year-month-day, "
                                         "e.g. 2026-04-30."],
                              "minutes_needed": ["Ensure this value is greater than or equal to 1."]}
    text = page_text(response)
    assert "Nothing was saved" in text
    assert "Call three caterers" in text and "Old task" in text  # the input is kept
    assert event_count() == before
    assert Commitment.objects.filter(outcome="open").count() == 2
    assert not meeting.commitments_made.exists()


@pytest.mark.parametrize(("fraction", "message"), [
    ("1.5", "between 0.01 and 0.99"), ("100%", "between 0.01 and 0.99"), ("0", "between 0.01"),
    ("half", "Enter the share done as a number"), ("1/0", "Enter the share done as a number"),
])
def test_a_fraction_out_of_range_or_unreadable(as_coach, url, commitment, second, fraction,
                                              message):
    before = event_count()
    response = as_coach.post(url, {**outcome(commitment, "partly_kept", fraction),
                                   **outcome(second, "kept")})
    form = response.context["page"].reviews[1]
    assert message in form.errors["kept_fraction"][0]
    assert f'value="{fraction}"' in page_text(response)
    assert event_count() == before


def test_an_unreviewed_commitment_is_flagged(as_coach, url, commitment, second):
    response = as_coach.post(url, outcome(second, "kept"))
    assert response.context["page"].reviews[1].errors == {
        "outcome": ["Choose kept, partly kept, missed or waived."]}


def test_errors_raised_by_the_service_land_on_their_row(as_coach, url, commitment, second,
                                                        agreement, monkeypatch):
    goal = agreement.goals.get()

    def refuse(**kwargs):
        raise ValidationError({
            f"review-{commitment.uid}-client_reason": ["Reason refused."],
            "new-2-tools_needed": ["Tools refused."],
            f"goal-{goal.uid}": ["Level refused."],
            "status": ["Meeting refused."],
        })

    monkeypatch.setattr("followthrough.web.views.review.meeting_review", refuse)
    data = {**outcome(commitment, "missed"), **outcome(second, "kept"),
            **new_row(1, "First", date.today().isoformat()), **new_row(2),
            **new_row(3, "Second", date.today().isoformat(), tools_needed="a saw")}
    response = as_coach.post(url, data)
    page = response.context["page"]
    assert page.reviews[1].errors == {"client_reason": ["Reason refused."]}
    # The service counts only the rows it was given: its second is the page's third row.
    assert page.new_rows[2].errors == {"tools_needed": ["Tools refused."]}
    assert page.new_rows[0].errors == {}
    assert page.scores.errors == {f"goal-{goal.uid}": ["Level refused."]}
    assert page.errors == ["Meeting refused."]
    text = page_text(response)
    for message in ("Reason refused.", "Tools refused.", "Level refused.", "Meeting refused."):
        assert message in text


def test_a_complete_review_is_saved_at_once(as_coach, url, meeting, commitment, second, agreement):
    goal = agreement.goals.get()
    due = (date.today() + timedelta(days=14)).isoformat()
    data = {**outcome(commitment, "missed", reason="Forgot"),
            **outcome(second, "partly_kept", "50%", "Half the list"),
            f"goal-{goal.uid}": "-1",
            **new_row(1, "Email five wedding planners again", due, planned_at_0=due,
                      planned_at_1="09:30", minutes_needed="60", tools_needed="price list",
                      has_tools="true"),
            **new_row(2),
            **new_row(3, "Draft a menu", due)}
    response = as_coach.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#meeting-{meeting.uid}")
    commitment.refresh_from_db()
    second.refresh_from_db()
    assert (commitment.outcome, commitment.client_reason) == ("missed", "Forgot")
    assert (second.outcome, str(second.kept_fraction)) == ("partly_kept", "0.50")
    assert commitment.reviewed_in == meeting == second.reviewed_in
    made = list(meeting.commitments_made.order_by("pk"))
    assert [c.description for c in made] == ["Email five wedding planners again", "Draft a menu"]
    planned = made[0]
    assert planned.derived_from is None  # deriving is the protocol's step, with its plan rules
    local = timezone.localtime(planned.planned_at, timezone.get_fixed_timezone(0))
    assert planned.planned_at.tzinfo is not None and local.minute == 30
    assert (planned.has_tools, planned.minutes_needed, planned.tools_needed) == (
        True, 60, "price list")
    assert GoalScore.objects.get(meeting=meeting, goal=goal).level == -1
    page = as_coach.get(response["Location"])
    assert "Review saved: 2 reviewed, 2 new commitments." in page_text(page)
    assert "Email five wedding planners again" in page_text(page)

    again = as_coach.get(url)
    text = page_text(again)
    assert f'value="missed" required id="id_review-{commitment.uid}-outcome_2" checked' in text
    assert 'value="-1" selected' in text


def test_planned_times_are_read_in_the_practice_time_zone(as_coach, url, commitment, second):
    due = f"{date.today().year + 1}-07-01"  # London is on summer time (UTC+1) then
    as_coach.post(url, {**outcome(commitment, "kept"), **outcome(second, "kept"),
                        **new_row(1, "Summer task", due, planned_at_0=due, planned_at_1="09:00")})
    planned = Commitment.objects.get(description="Summer task").planned_at
    assert planned.astimezone(timezone.get_fixed_timezone(0)).hour == 8


def test_the_add_row_partial(as_coach, meeting):
    row_url = reverse("meeting_review_row", args=[meeting.uid])
    response = as_coach.get(row_url, {"index": 4})
    text = page_text(response)
    assert 'id="new-4"' in text and 'name="new-4-description"' in text
    assert "<html" not in text
    for bad in ("0", "31", "x", ""):
        assert as_coach.get(row_url, {"index": bad}).status_code == 404


def test_adding_a_row_without_javascript_keeps_the_input_and_judges_nothing(
        as_coach, url, commitment, second, meeting):
    before = event_count()
    data = {**outcome(commitment, "partly_kept"), **new_row(1, "Typed already"), **new_row(2),
            **new_row(3), "add_row": "1"}
    response = as_coach.post(url, data)
    text = page_text(response)
    assert 'name="new-4-description"' in text
    assert "Typed already" in text
    assert f'value="partly_kept" required id="id_review-{commitment.uid}-outcome_1" checked' in text
    assert "errorlist" not in text
    assert event_count() == before


def test_a_planned_meeting_is_not_reviewed_yet(as_coach, engagement, coach, commitment):
    planned = meeting_create(engagement=engagement, by=coach.user,
                             starts_at=timezone.now() + timedelta(days=3))
    url = reverse("meeting_review", args=[planned.uid])
    assert "Record it as held first" in page_text(as_coach.get(url))
    before = event_count()
    response = as_coach.post(url, outcome(commitment, "kept"))
    assert "Record it as held first" in " ".join(response.context["page"].errors)
    assert event_count() == before


def test_a_clients_own_report_shows_on_the_review_row_until_the_coach_confirms(
        as_coach, url, commitment, client_user):
    from followthrough.commitments.services import commitment_client_report

    commitment_client_report(commitment=commitment, by=client_user, note="Sent all five on Sunday")
    text = page_text(as_coach.get(url))
    assert "Client reports done" in text and "Sent all five on Sunday" in text
    commitment.refresh_from_db()
    assert commitment.outcome == "open"
