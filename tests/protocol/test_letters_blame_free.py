"""Every kind of letter, drafted from varied records, judges no one: none of the blame
words appears, whatever the client's name, goals, outcomes or answers were."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.clients.services import agreement_create, client_create
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.meetings.services import meeting_create
from followthrough.protocol.letters import blame_words_in, letter_draft
from followthrough.protocol.models import Letter
from followthrough.protocol.services import (
    intervention_open,
    step_final_review,
    step_new_goal,
    step_reaffirm,
    step_review_file,
)

WORDS = ["bakery", "catering", "planner", "menu", "weekly", "call", "new", "clients", "price", "list",
         "garden", "morning", "walk", "notes", "plan", "Lisbon", "quiet", "steady", "budget", "team"]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
name = st.tuples(st.sampled_from(["Bob", "Ann", "Zoë", "Kwame", "Li", "O'Neil"]),
                 st.sampled_from(["Stone", "Ortiz", "Nakamura", "Åberg", "Smith-Jones"])).map(" ".join)
outcome = st.sampled_from(["kept", "partly_kept", "missed", "waived"])
case = st.fixed_dictionaries({
    "name": name, "came_for": phrase, "call_to_action": phrase,
    "goals": st.lists(phrase, max_size=3),
    "outcomes": st.lists(outcome, min_size=0, max_size=3),
    "response": st.sampled_from(["recommits", "renegotiate", "declines"]),
    "work_request": st.one_of(st.just(""), phrase),
    "reaction": st.one_of(st.just(""), phrase),
    "has_tools": st.booleans(), "tools": phrase,
    "final": st.sampled_from(["pause", "end", "back_on_track"]),
    "lapse_reminders": st.sampled_from(["quiet", "normal", "firm"]),
    "lapse_contact": st.sampled_from(["next_meeting", "reach_out"]),
    "lapse_referral_wish": st.one_of(st.just(""), phrase),
})


def build(coach, focus, data):
    today = timezone.localdate()
    client = client_create(coach=coach, by=coach.user, full_name=data["name"], email="client@example.org",
                           started_on=today - timedelta(days=30))
    engagement = client.engagements.get()
    agreement_create(engagement=engagement, by=coach.user, came_for=data["came_for"], primary_focus=focus["business"],
                     meeting_cadence="Every two weeks", call_to_action=data["call_to_action"],
                     goals=[{"title": g, "level_0": g} for g in data["goals"]],
                     **{k: data[k] for k in ("lapse_reminders", "lapse_contact", "lapse_referral_wish")})
    first = meeting_create(engagement=engagement, by=coach.user, status="held",
                           starts_at=timezone.now() - timedelta(days=14), focus_areas=[focus["business"]],
                           client_summary=data["came_for"])
    outcomes = ["missed", *data["outcomes"]]  # one missed commitment to set a new goal from
    made = meeting_review(meeting=first, by=coach.user, review=MeetingReview(new_commitments=[
        {"description": f"{data['call_to_action']} {n}", "due_on": today - timedelta(days=8), "minutes_needed": 30}
        for n in range(len(outcomes))]))
    second = meeting_create(engagement=engagement, by=coach.user, status="held",
                            starts_at=timezone.now() - timedelta(days=7), focus_areas=[focus["business"]])
    reviews = [Review(c, o, Decimal("0.5") if o == "partly_kept" else None,
                      data["reaction"] or "It was a busy week" if o == "waived" else data["reaction"])
               for c, o in zip(made, outcomes, strict=True)]
    meeting_review(meeting=second, by=coach.user, review=MeetingReview(reviews=reviews))
    made[0].refresh_from_db()
    intervention = intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")
    step_reaffirm(intervention=intervention, by=coach.user, response=data["response"],
                  work_request=data["work_request"])
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=2,
                                 client_reaction=data["reaction"])
    created = step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=made[0],
                            due_on=today + timedelta(days=6), planned_at=timezone.now() + timedelta(days=3),
                            minutes_needed=25, has_tools=data["has_tools"],
                            tools_needed="" if data["has_tools"] else data["tools"])
    letters = [letter_draft(engagement=engagement, by=coach.user, kind="reaffirmation", intervention=intervention),
               letter_draft(engagement=engagement, by=coach.user, kind="file_review", intervention=intervention,
                            file_review=review),
               letter_draft(engagement=engagement, by=coach.user, kind="new_goal", intervention=intervention,
                            commitments=created)]
    step_final_review(intervention=intervention, by=coach.user, outcome=data["final"],
                      check_back_on=date.today() + timedelta(days=60) if data["final"] == "pause" else None)
    engagement.refresh_from_db()
    letters += [letter_draft(engagement=engagement, by=coach.user, kind=kind, intervention=intervention)
                for kind in ("pause", "ending", "back_on_track")]
    return letters


@pytest.mark.django_db
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=case)
def test_no_letter_blames_anyone(coach, colleague, focus, data):
    with transaction.atomic():
        letters = build(coach, focus, data)
        assert sorted(letter.kind for letter in letters) == sorted(Letter.Kind.values)
        for letter in letters:
            assert letter.body.strip(), letter.kind
            assert blame_words_in(letter.subject + "\n" + letter.body) == [], (letter.kind, letter.body)
            # Greeted by first name, as people write to each other, and never defensively.
            assert letter.body.startswith(f"Dear {data['name'].split()[0]},\n"), letter.body[:40]
            assert "judgement" not in letter.body and "not to judge" not in letter.body
        ending = next(letter for letter in letters if letter.kind == "ending")
        assert "Cara Lind" in ending.body  # an associate offered, for support of another kind
        assert "door" in ending.body and "door" in next(x for x in letters if x.kind == "pause").body
        transaction.set_rollback(True)


def test_blame_words_are_found():
    assert blame_words_in("You failed again; no excuses.") == ["failed", "excuses"]
    assert blame_words_in("A fair failure-free plan") == ["failure"]
