"""Focus drift through the pages: refer, the associate's side of a referral, consent, and
the way back to the original coach."""

import re

import pytest
from django.urls import reverse

from followthrough.clients.services import engagement_move
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh
from followthrough.practice.services import coach_create
from followthrough.protocol.models import Intervention, Notification, Referral
from followthrough.protocol.services import intervention_open
from tests.conftest import PASSWORD

from .conftest import text


def url(name, *args):
    return reverse(f"protocol:{name}", args=args)


@pytest.fixture
def associates(practice, focus, colleague):
    """Cara (relationships, accepting) is the colleague persona; around her: a relationships
    coach not taking referrals and a business coach who is."""
    rita = coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                        password=PASSWORD, specialties=[focus["relationships"]], accepts_referrals=False)
    ben = coach_create(practice=practice, username="ben", email="ben@example.org", display_name="Ben Ode",
                       password=PASSWORD, specialties=[focus["business"]])
    return {"cara": colleague, "rita": rita, "ben": ben}


def drifted(story):
    story.held([], focus=["business"])
    for _ in range(3):
        story.held(["kept"], focus=["relationships"],
                   summary="We talked about how things are at home.", notes="Private: marriage under strain.")
    engagement_refresh(engagement=story.engagement)


def test_one_off_focus_meeting_is_not_drift(story, as_coach, engagement):
    story.held([], focus=["business"])
    story.held(["kept"], focus=["business"])
    story.held(["kept"], focus=["relationships"])
    story.held(["kept"], focus=["business"])
    engagement_refresh(engagement=engagement)
    page = as_coach.get(url("intervention_open", engagement.uid))
    assert page.context["flags"] == []
    assert "Focus drift" not in text(page).split("Open one by hand")[0]


def test_the_refer_panel_stays_open_when_associates_are_shown_and_loads_in_place(
        story, as_coach, engagement, coach, associates, focus):
    drifted(story)
    intervention = intervention_open(engagement=engagement, by=coach.user)
    page = text(as_coach.get(url("intervention", intervention.uid), {"focus": "business"}))
    assert re.search(r'<details class="step" id="refer"\s+open>', page)
    assert 'hx-select="#refer"' in page and 'hx-target="#refer"' in page


def test_a_tie_between_off_focus_areas_goes_to_the_most_recent_meeting(story, engagement, agreement, focus):
    from followthrough.protocol.selectors import drifted_focus
    story.held([], focus=["relationships"])
    story.held([], focus=["health"])
    assert drifted_focus(engagement, agreement) == focus["health"]
    story.held([], focus=["relationships"])
    assert drifted_focus(engagement, agreement) == focus["relationships"]


def test_drift_refer_consent_accept_complete(story, as_coach, client, engagement, coach, associates, focus):
    drifted(story)
    flag = Flag.objects.get(engagement=engagement, kind="focus_drift")
    as_coach.post(url("intervention_open", engagement.uid), {"flag": str(flag.uid)})
    intervention = Intervention.objects.get()
    assert intervention.trigger == "drift"

    page = as_coach.get(url("intervention", intervention.uid))
    body = text(page)
    assert "Recommended next step: Refer" in body
    forms = page.context["forms"]
    assert forms["refer_focus"] == focus["relationships"]  # the drifted focus, found from the meetings
    suggested = [c.display_name for c in forms["candidates"] if c.specialty_match and c.accepts_referrals]
    assert suggested == ["Cara Lind"]
    assert [c.display_name for c in forms["candidates"]][0] == "Cara Lind"
    # Those not taking referrals are listed apart, not among the choices.
    assert all(c.accepts_referrals for c in forms["candidates"])
    assert "Rita Moss" in [c.display_name for c in forms["not_accepting"]]
    assert "Not taking referrals now" in body
    refer_form = body.split("Associates for Relationships, best fit first")[1].split("</fieldset>")[0]
    assert "Rita Moss" not in refer_form
    # Amending is offered only to this coach's own specialties: relationships is not one.
    assert list(forms["amend"].fields["focus_area"].queryset) == []

    refused = as_coach.post(url("intervention_step", intervention.uid, "refer"),
                            {"focus_area": "relationships", "to_coach": str(associates["rita"].uid)})
    assert "does not accept referrals" in text(refused)
    assert not Referral.objects.exists()

    response = as_coach.post(url("intervention_step", intervention.uid, "refer"),
                             {"focus_area": "relationships", "to_coach": str(associates["cara"].uid),
                              "message": "Wants to work on home life first."})
    referral = Referral.objects.get()
    assert response.status_code == 302

    # The associate sees the referral but nothing of the file before the client consents.
    client.force_login(associates["cara"].user)
    before = text(client.get(url("referral", referral.uid)))
    assert "Wants to work on home life first." in before
    assert "We talked about how things are at home." not in before
    assert "Grow the bakery" not in before and "marriage under strain" not in before

    client.force_login(coach.user)
    refused = client.post(url("referral_consent", referral.uid), {"consent_note": "In the meeting"})
    assert "Choose at least one part" in text(refused)
    client.post(url("referral_consent", referral.uid),
                {"shares_summaries": "on", "consent_note": "Agreed in our meeting today"})

    client.force_login(associates["cara"].user)
    after = text(client.get(url("referral", referral.uid)))
    assert "We talked about how things are at home." in after  # the summaries, as consented
    assert "Grow the bakery" not in after  # the agreement was not part of the consent
    assert "marriage under strain" not in after  # private notes never leave the coach
    # Only the associate answers a referral.
    client.force_login(coach.user)
    assert client.post(url("referral_accept", referral.uid)).status_code == 404
    client.force_login(associates["cara"].user)
    assert client.post(url("referral_accept", referral.uid)).status_code == 302
    engagement.refresh_from_db()
    intervention.refresh_from_db()
    assert engagement.state == "referred_out" and intervention.outcome == "referred"
    assert "The client is in your caseload" in text(client.get(url("referral", referral.uid)))

    client.post(url("referral_complete", referral.uid), {"note": "Things at home are steadier."})
    client.force_login(coach.user)
    notices = client.get(url("notifications"))
    assert notices.context["unread_notifications"] == 2  # accepted, then completed
    assert "the client may come back to you" in text(notices)
    assert "Completed" in text(client.get(url("referral", referral.uid)))
    client.post(url("notifications_read"))
    assert not Notification.objects.filter(coach=coach, read_at__isnull=True).exists()
    engagement_move(engagement=engagement, to_state="active", by=coach.user, note="Back for the business")


def test_final_review_refer_then_offer(story, as_coach, engagement, associates, agreement):
    as_coach.post(url("intervention_open", engagement.uid), {"trigger": "manual"})
    intervention = Intervention.objects.get()
    response = as_coach.post(url("final_review", intervention.uid), {"outcome": "refer"})
    assert response.url == url("intervention", intervention.uid) + "#refer"
    page = as_coach.get(url("intervention", intervention.uid), {"focus": "relationships"})
    assert "refer" in page.context["forms"]
    as_coach.post(url("intervention_step", intervention.uid, "refer"),
                  {"focus_area": "relationships", "to_coach": str(associates["cara"].uid)})
    referral = Referral.objects.get()
    assert referral.intervention == intervention and referral.status == "offered"
    # While one referral is under way no second one is offered.
    assert "refer" not in as_coach.get(url("intervention", intervention.uid)).context["forms"]


def test_amend_to_own_specialty_closes_as_amended(story, as_coach, engagement, coach, focus):
    coach.specialties.add(focus["career"])
    as_coach.post(url("intervention_open", engagement.uid), {"trigger": "drift"})
    intervention = Intervention.objects.get()
    refused = as_coach.post(url("intervention_step", intervention.uid, "amend"), {"focus_area": focus["career"].pk})
    assert refused.context["forms"]["amend"].errors["reason"]
    as_coach.post(url("intervention_step", intervention.uid, "amend"),
                  {"focus_area": focus["career"].pk, "reason": "The bakery is for sale; the next job matters now."})
    intervention.refresh_from_db()
    assert intervention.outcome == "amended"
    assert engagement.agreements.order_by("-version").first().primary_focus == focus["career"]


def test_the_associate_can_decline(story, as_coach, client, engagement, associates, coach):
    as_coach.post(url("intervention_open", engagement.uid), {"trigger": "drift"})
    intervention = Intervention.objects.get()
    as_coach.post(url("intervention_step", intervention.uid, "refer"),
                  {"focus_area": "relationships", "to_coach": str(associates["cara"].uid)})
    referral = Referral.objects.get()
    client.force_login(associates["cara"].user)
    client.post(url("referral_decline", referral.uid), {"note": "My caseload is full this month."})
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert client.post(url("referral_complete", referral.uid)).status_code == 200  # refused, with the reason shown
    client.force_login(coach.user)
    assert "declined the referral" in text(client.get(url("notifications")))
    engagement.refresh_from_db()
    intervention.refresh_from_db()
    assert engagement.state == "active" and intervention.is_open  # the protocol goes on with Ana
    assert intervention.recommended_step()[0] == "reaffirm"
