"""Every protocol page, as every persona who must not see it: the same 404 an unknown
record gets, and nothing written."""

import pytest
from django.urls import reverse

from followthrough.history.models import Event
from followthrough.practice.services import coach_create
from followthrough.protocol.letters import letter_draft
from followthrough.protocol.models import Notification
from followthrough.protocol.referrals import referral_offer
from followthrough.protocol.services import intervention_open, step_reaffirm, step_review_file
from tests.conftest import PASSWORD


@pytest.fixture
def records(engagement, coach, practice, focus, held_meeting, commitment):
    """One of everything the protocol pages show, all of Ana's client Bob; the referral goes
    to Rita, so Cara (the colleague persona) is not part of it."""
    rita = coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                        password=PASSWORD, specialties=[focus["relationships"]])
    intervention = intervention_open(engagement=engagement, by=coach.user)
    step_reaffirm(intervention=intervention, by=coach.user, response="recommits")
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=2)
    letter = letter_draft(engagement=engagement, by=coach.user, kind="reaffirmation", intervention=intervention)
    referral = referral_offer(engagement=engagement, by=coach.user, to_coach=rita, focus_area=focus["relationships"],
                              intervention=intervention)
    Notification.objects.create(coach=coach, text="A note for Ana about Bob Stone", link="/")
    return {"engagement": engagement, "intervention": intervention, "review": review, "letter": letter,
            "referral": referral}


def routes(r):
    e, i, fr, lt, rf = (r["engagement"].uid, r["intervention"].uid, r["review"].uid, r["letter"].uid,
                        r["referral"].uid)
    gets = [("intervention_open", e), ("intervention", i), ("review_file", i), ("final_review", i),
            ("file_review", fr), ("file_review_pdf", fr), ("letter", lt), ("referral", rf)]
    posts = [("intervention_open", e), ("review_file", i), ("final_review", i), ("letter_create", i),
             ("file_review_share", fr), ("letter", lt), ("letter_send", lt), ("referral_consent", rf),
             ("referral_accept", rf), ("referral_decline", rf), ("referral_complete", rf)]
    posts += [("intervention_step", i, step) for step in ("amend", "refer", "reaffirm", "new_goal")]
    return ([reverse(f"protocol:{name}", args=args) for name, *args in gets],
            [reverse(f"protocol:{name}", args=args) for name, *args in posts])


PAYLOAD = {"trigger": "manual", "response": "recommits", "meetings_count": 2, "shown": "on", "outcome": "end",
           "kind": "reaffirmation", "subject": "x", "body": "y", "shares_agreement": "on", "consent_note": "ok"}


@pytest.mark.parametrize("persona", ["colleague", "outsider", "client_user"])
def test_other_people_get_404_everywhere(records, persona, request, client):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    gets, posts = routes(records)
    before = Event.objects.count()
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path in posts:
        assert client.post(path, PAYLOAD).status_code == 404, path
    assert Event.objects.count() == before


def test_anonymous_is_sent_to_sign_in(records, client):
    gets, posts = routes(records)
    for path in gets + posts:
        response = client.get(path) if path in gets else client.post(path, PAYLOAD)
        assert response.status_code == 302 and response.url.startswith("/login/"), path


def test_the_owner_sees_every_page(records, client, coach):
    client.force_login(coach.user)
    gets, _ = routes(records)
    for path in gets:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_other_coaches_see_counts_but_no_names(records, persona, request, client):
    client.force_login(request.getfixturevalue(persona).user)
    outcomes = client.get(reverse("protocol:outcomes"))
    assert outcomes.status_code == 200 and "Bob Stone" not in outcomes.content.decode()
    assert outcomes.context["opened"] == (1 if persona == "colleague" else 0)  # same practice: counted
    notices = client.get(reverse("protocol:notifications"))
    assert "Bob Stone" not in notices.content.decode()


def test_clients_have_no_practice_pages(records, client, client_user):
    client.force_login(client_user)
    assert client.get(reverse("protocol:outcomes")).status_code == 404
    assert client.get(reverse("protocol:notifications")).status_code == 404
