"""The letters honour the lapse plan: their tone follows how firmly the client asked to be
reminded, they say when the coach will be in touch as the client chose, and the closing
letter names whom the client wished to be referred to."""

import pytest
from django.urls import reverse

from followthrough.clients.services import agreement_create
from followthrough.protocol.letters import blame_words_in, letter_draft
from followthrough.protocol.services import intervention_open, step_reaffirm

pytestmark = pytest.mark.django_db


def _version(engagement, coach, focus, **plan):
    previous = engagement.agreements.exists()
    return agreement_create(engagement=engagement, by=coach.user, came_for="Grow the catering side",
                            primary_focus=focus["business"], meeting_cadence="Every two weeks",
                            call_to_action="Ten enquiries a month",
                            renegotiation_reason="The plan changed" if previous else "", **plan)


def _letter(engagement, coach, kind):
    return letter_draft(engagement=engagement, by=coach.user, kind=kind).body


@pytest.mark.parametrize("reminders, contact, expected", [
    ("quiet", "next_meeting", ["a gentle word and no more", "at our next meeting"]),
    ("quiet", "reach_out", ["a gentle word and no more", "in between our meetings"]),
    ("normal", "next_meeting", ["remind you as we agreed", "at our next meeting"]),
    ("normal", "reach_out", ["remind you as we agreed", "in between our meetings"]),
    ("firm", "next_meeting", ["I will say it plainly", "at our next meeting"]),
    ("firm", "reach_out", ["I will say it plainly", "without waiting for it"]),
])
def test_the_plan_letter_speaks_as_firmly_as_asked_and_says_when_the_coach_gets_in_touch(
        engagement, coach, focus, reminders, contact, expected):
    _version(engagement, coach, focus, lapse_reminders=reminders, lapse_contact=contact)
    body = _letter(engagement, coach, "back_on_track")
    for words in expected:
        assert words in body
    others = {"quiet": "a gentle word", "normal": "as we agreed", "firm": "plainly"}
    assert [w for r, w in others.items() if r != reminders and w in body] == []
    assert blame_words_in(body) == []


def test_the_closing_letter_names_the_referral_the_client_wished_for(engagement, coach, focus):
    _version(engagement, coach, focus, lapse_referral_wish="a career coach who knows hospitality")
    body = _letter(engagement, coach, "ending")
    assert "referred to a career coach who knows hospitality" in body
    assert blame_words_in(body) == []


def test_without_a_wish_the_closing_letter_offers_colleagues_as_before(engagement, coach, focus, colleague):
    _version(engagement, coach, focus)
    body = _letter(engagement, coach, "ending")
    assert "you would like to be referred to" not in body


def test_the_reaffirm_recap_and_its_letter_quote_the_plan_in_the_clients_choices(
        engagement, coach, focus, client):
    _version(engagement, coach, focus, lapse_reminders="firm", lapse_contact="reach_out",
             lapse_referral_wish="a nutritionist")
    intervention = intervention_open(engagement=engagement, by=coach.user, trigger="manual")
    words = ("If I stop following through: remind me firmly and follow up; reach out to me in between; "
             "if my focus moves, I'd like to be referred to a nutritionist.")
    client.force_login(coach.user)
    page = client.get(reverse("protocol:intervention", args=[intervention.uid]))
    assert words.replace("'", "&#x27;") in page.content.decode()
    step_reaffirm(intervention=intervention, by=coach.user, response="recommits")
    letter = letter_draft(engagement=engagement, by=coach.user, kind="reaffirmation", intervention=intervention)
    assert words in letter.body
