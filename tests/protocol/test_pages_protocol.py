"""The acceptance scenarios of the protocol, end to end through the coach's pages.

The history is written with the services (as the meeting pages would); everything the
protocol does is then done by POSTing the protocol's own pages, and checked by what the
pages show.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from followthrough.commitments.models import Commitment
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh
from followthrough.history.models import Event
from followthrough.history.services import verify_chain, verify_records
from followthrough.protocol.letters import blame_words_in
from followthrough.protocol.models import FileReview, Intervention, InterventionStep, Letter

from .conftest import text


def url(name, *args):
    return reverse(f"protocol:{name}", args=args)


def three_missed(story):
    """A business client who misses every commitment for three held meetings."""
    story.held([], new=["Email five wedding planners"])
    for _ in range(3):
        story.held(["missed"], new=["Email five wedding planners"])
    engagement_refresh(engagement=story.engagement)


def open_from_flag(client, engagement):
    flag = Flag.objects.get(engagement=engagement, cleared_at__isnull=True)
    page = client.get(url("intervention_open", engagement.uid))
    assert page.status_code == 200 and "Nonproductive phase" in text(page)
    response = client.post(url("intervention_open", engagement.uid),
                           {"flag": str(flag.uid), "trigger": "nonproductive"})
    assert response.status_code == 302
    return Intervention.objects.get(engagement=engagement)


def recommended(client, intervention):
    body = text(client.get(url("intervention", intervention.uid)))
    return body.split("Recommended next step: ", 1)[1].split("<", 1)[0]


def plan(clock, **overrides):
    today = timezone.localdate()
    values = {"mode": "reinstate", "due_on": (today + timedelta(days=5)).isoformat(),
              "planned_at_0": (today + timedelta(days=3)).isoformat(), "planned_at_1": "18:30",
              "minutes_needed": "45", "has_tools": "yes", "tools_needed": ""}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def last_missed(engagement):
    return Commitment.objects.filter(engagement=engagement, outcome="missed").order_by("-due_on", "-pk").first()


def walk_to_new_goal(client, intervention, clock, engagement):
    reaffirmed = client.post(url("intervention_step", intervention.uid, "reaffirm"),
                             {"response": "recommits", "work_request": "Could you write the emails for me?"})
    assert reaffirmed.status_code == 302
    preview = client.get(url("review_file", intervention.uid), {"meetings": 3})
    assert "Email five wedding planners" in text(preview)
    assert client.post(url("review_file", intervention.uid),
                       {"meetings_count": 3, "shown": "on", "client_reaction": "I see it now."}).status_code == 302
    source = last_missed(engagement)
    response = client.post(url("intervention_step", intervention.uid, "new_goal"),
                           plan(clock, source=str(source.uid)))
    assert response.status_code == 302, response.context["forms"]["new_goal"].errors
    return source


def test_three_missed_meetings_lead_through_the_protocol(story, as_coach, clock, engagement):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    page = text(as_coach.get(url("intervention", intervention.uid)))
    # The evidence: the meetings and the commitments that caused the flag.
    assert page.count("Email five wedding planners") >= 3
    assert "below 50%" in page
    assert recommended(as_coach, intervention) == "Reaffirm the agreement"
    assert "Grow the bakery" in page  # the recap, drawn from the agreement

    as_coach.post(url("intervention_step", intervention.uid, "reaffirm"),
                  {"response": "recommits", "work_request": "Could you write the emails for me?"})
    assert recommended(as_coach, intervention) == "Review the file"
    page = text(as_coach.get(url("intervention", intervention.uid)))
    assert "Could you write the emails for me?" in page and "Request declined" in page

    as_coach.post(url("review_file", intervention.uid), {"meetings_count": 3, "shown": "on"})
    assert recommended(as_coach, intervention) == "Set a new goal"

    source = last_missed(engagement)
    as_coach.post(url("intervention_step", intervention.uid, "new_goal"), plan(clock, source=str(source.uid)))
    assert recommended(as_coach, intervention) == "Final review"
    steps = list(InterventionStep.objects.filter(intervention=intervention).values_list("step", flat=True))
    assert steps == ["reaffirm", "review_file", "new_goal"]
    assert verify_chain() is None and verify_records() == []


def test_reinstating_without_the_plan_is_refused_and_nothing_is_saved(story, as_coach, clock, engagement):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    as_coach.post(url("intervention_step", intervention.uid, "reaffirm"), {"response": "recommits"})
    as_coach.post(url("review_file", intervention.uid), {"meetings_count": 3, "shown": "on"})
    before = (Event.objects.count(), Commitment.objects.count(), InterventionStep.objects.count())
    source = last_missed(engagement)
    response = as_coach.post(url("intervention_step", intervention.uid, "new_goal"),
                             plan(clock, source=str(source.uid), planned_at_0=None, planned_at_1=None,
                                  minutes_needed=None, has_tools=None))
    assert response.status_code == 200
    errors = response.context["forms"]["new_goal"].errors
    assert errors["planned_at"] == ["Which day and time will the client do it?"]
    assert errors["minutes_needed"] == ["How many minutes will it take?"]
    assert errors["has_tools"] == ["Does the client have everything needed to do it?"]
    body = text(response)
    assert "Which day and time will the client do it?" in body
    assert (Event.objects.count(), Commitment.objects.count(), InterventionStep.objects.count()) == before
    assert recommended(as_coach, intervention) == "Set a new goal"


def test_trim_form_is_prefilled_smaller(story, as_coach, clock, engagement):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    source = last_missed(engagement)
    response = as_coach.get(url("intervention", intervention.uid), {"source": str(source.uid), "mode": "trim"})
    form = response.context["forms"]["new_goal"]
    assert form.initial["minutes_needed"] == 30  # half of the 60 minutes missed
    assert form.initial["mode"] == "trim"


def test_recovered_after_two_kept_meetings(story, as_coach, clock, engagement,
                                           django_capture_on_commit_callbacks):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    walk_to_new_goal(as_coach, intervention, clock, engagement)
    with django_capture_on_commit_callbacks(execute=True):
        story.held(["kept", "kept"], new=["Send the catering menu"])
    intervention.refresh_from_db()
    assert intervention.is_open  # one kept meeting is not yet a recovery
    with django_capture_on_commit_callbacks(execute=True):
        story.held(["kept"], new=["Call the venue"])
    page = text(as_coach.get(url("intervention", intervention.uid)))
    assert "Recovered" in page and "Recommended next step" not in page
    intervention.refresh_from_db()
    assert (intervention.outcome, intervention.last_step) == ("recovered", "new_goal")
    outcomes = as_coach.get(url("outcomes"))
    assert outcomes.context["recovered_after"] == [("Set a new goal", 1)]


def test_waived_counts_neither_way(story, as_coach, clock, engagement,
                                   django_capture_on_commit_callbacks):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    walk_to_new_goal(as_coach, intervention, clock, engagement)
    with django_capture_on_commit_callbacks(execute=True):
        story.held(["kept", "kept"])
    with django_capture_on_commit_callbacks(execute=True):
        story.held(["waived"])  # in hospital: nothing counted, so no figure either way
    intervention.refresh_from_db()
    assert intervention.is_open
    response = as_coach.post(url("intervention_step", intervention.uid, "reaffirm"), {"response": "recommits"})
    assert response.status_code == 200  # a step back is refused: the pipeline only goes forward
    as_coach.get(url("review_file", intervention.uid), {"meetings": 2})
    with django_capture_on_commit_callbacks(execute=True):
        story.held(["kept", "waived"])  # the waived one is left out: 1 of 1 kept
    intervention.refresh_from_db()
    assert intervention.outcome == "recovered"
    review = FileReview.objects.filter(intervention=intervention).get()
    page = text(as_coach.get(url("file_review", review.uid)))
    assert "follow-through of what was due" in page


def test_final_review_pause_drafts_the_letter_and_later_re_engage(story, as_coach, clock, engagement, client_record):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    walk_to_new_goal(as_coach, intervention, clock, engagement)
    story.held(["missed"])
    page = as_coach.get(url("final_review", intervention.uid))
    assert page.status_code == 200
    assert "What was done during the intervention" in text(page)
    check_back = timezone.localdate() + timedelta(days=90)
    refused = as_coach.post(url("final_review", intervention.uid), {"outcome": "pause", "draft_letter": "on"})
    assert refused.context["form"].errors["check_back_on"] == ["A pause needs a check-back date."]
    response = as_coach.post(url("final_review", intervention.uid),
                             {"outcome": "pause", "check_back_on": check_back.isoformat(), "draft_letter": "on"})
    letter = Letter.objects.get(kind="pause")
    assert response.status_code == 302 and response.url == url("letter", letter.uid)
    engagement.refresh_from_db()
    intervention.refresh_from_db()
    assert (engagement.state, engagement.check_back_on) == ("paused", check_back)
    assert intervention.outcome == "paused"
    body = text(as_coach.get(url("letter", letter.uid)))
    assert check_back.strftime("%-d %B %Y") in body and "write to me" in body
    assert blame_words_in(letter.body) == []

    # The coach adjusts the draft and sends it; from then on it is read-only.
    as_coach.post(url("letter", letter.uid), {"subject": letter.subject, "body": letter.body + "\nWarmly, Ana"})
    as_coach.post(url("letter_send", letter.uid))
    assert mail.outbox[-1].to == ["bob@example.org"] and "Warmly, Ana" in mail.outbox[-1].body
    sent = as_coach.get(url("letter", letter.uid))
    assert sent.context["form"] is None and "kept exactly as sent" in text(sent)
    assert as_coach.post(url("letter", letter.uid), {"subject": "x", "body": "y"}).status_code == 404

    # Months later the client comes back: a new engagement, linked to the old one.
    clock.advance(days=120)
    response = as_coach.post(reverse("engagement_reengage", args=[engagement.uid]), {})
    assert response.status_code == 302
    fresh = client_record.engagements.exclude(pk=engagement.pk).get()
    assert fresh.previous == engagement and fresh.state == "active"
    assert as_coach.get(url("intervention", intervention.uid)).status_code == 200
    assert as_coach.get(url("intervention_open", fresh.uid)).status_code == 200


def test_letters_from_each_step(story, as_coach, clock, engagement):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    walk_to_new_goal(as_coach, intervention, clock, engagement)
    page = as_coach.get(url("intervention", intervention.uid))
    kinds = [kind for kind, _ in page.context["letter_kinds"]]
    assert kinds == ["reaffirmation", "file_review", "new_goal"]
    for kind in kinds:
        response = as_coach.post(url("letter_create", intervention.uid), {"kind": kind})
        assert response.status_code == 302
    letters = {letter.kind: letter for letter in Letter.objects.all()}
    assert "write the emails for me" in letters["reaffirmation"].body
    assert "I see it now." in letters["file_review"].body
    assert "18:30" in letters["new_goal"].body
    assert all(blame_words_in(letter.body) == [] for letter in letters.values())
    # A letter that follows from no recorded step is not offered.
    as_coach.post(url("letter_create", intervention.uid), {"kind": "ending"})
    assert not Letter.objects.filter(kind="ending").exists()


@pytest.mark.parametrize("trigger", ["manual", "no_shows"])
def test_open_by_hand(as_coach, engagement, agreement, trigger):
    response = as_coach.post(url("intervention_open", engagement.uid), {"trigger": trigger})
    intervention = Intervention.objects.get()
    assert response.url == url("intervention", intervention.uid)
    assert intervention.trigger == trigger
    again = as_coach.post(url("intervention_open", engagement.uid), {"trigger": "manual"})
    assert "already has an open intervention" in text(again)
    assert Intervention.objects.count() == 1


def test_new_goal_with_a_renegotiated_agreement(story, as_coach, clock, engagement):
    three_missed(story)
    intervention = open_from_flag(as_coach, engagement)
    source = last_missed(engagement)
    half = as_coach.post(url("intervention_step", intervention.uid, "new_goal"),
                         plan(clock, source=str(source.uid), renegotiate="on", call_to_action=""))
    errors = half.context["forms"]["new_goal"].errors
    assert set(errors) == {"call_to_action", "renegotiation_reason"}
    assert engagement.agreements.count() == 1
    trimmed = plan(clock, source=str(source.uid), mode="trim", description="Email two planners",
                   minutes_needed="25", renegotiate="on", call_to_action="Five catering enquiries a month",
                   renegotiation_reason="Ten was more than the weeks allow right now.")
    assert as_coach.post(url("intervention_step", intervention.uid, "new_goal"), trimmed).status_code == 302
    latest = engagement.agreements.order_by("-version").first()
    assert (latest.version, latest.call_to_action) == (2, "Five catering enquiries a month")
    assert [g.title for g in latest.goals.all()] == ["Catering revenue"]  # goals carried into the new version
    made = Commitment.objects.get(derivation="trimmed")
    assert (made.description, made.minutes_needed, made.derived_from) == ("Email two planners", 25, source)
