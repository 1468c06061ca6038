"""A move out of active leaves nothing open behind it, on every surface.

The situation each test starts from: a business client who missed three meetings in a row,
flagged, with an intervention open, a commitment open with a reminder pending and the next
meeting planned.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_move, engagement_move_preview, engagement_pause
from followthrough.commitments.models import Commitment
from followthrough.engine.metrics import engagement_followthrough
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.models import Meeting
from followthrough.meetings.services import meeting_create
from followthrough.notifications.models import Reminder
from followthrough.notifications.schedule import reconcile
from followthrough.protocol.models import Intervention
from followthrough.protocol.services import intervention_open, step_final_review

from .conftest import Api
from .test_api_protocol import token_for


@pytest.fixture
def flagged(story, coach, engagement):
    story.held([], new=["Email five wedding planners"])
    for _ in range(3):
        story.held(["missed"], new=["Email five wedding planners"])
    engagement_refresh(engagement=engagement)
    flag = Flag.objects.open().get(engagement=engagement)
    intervention = intervention_open(engagement=engagement, by=coach.user, flag=flag)
    planned = meeting_create(engagement=engagement, by=coach.user, starts_at=story.clock.current + timedelta(days=5))
    reconcile(now=story.clock.current)
    assert Reminder.objects.filter(commitment__engagement=engagement, sent_at=None, cancelled_at=None).exists()
    return {"engagement": engagement, "flag": flag, "intervention": intervention, "planned": planned}


def nothing_open(engagement, *, planned_kept=False):
    engagement.refresh_from_db()
    assert not Flag.objects.open().filter(engagement=engagement).exists()
    assert not engagement.interventions.open().exists()
    assert not Commitment.objects.filter(engagement=engagement, outcome="open").exists()
    assert not Reminder.objects.filter(commitment__engagement=engagement, sent_at=None, cancelled_at=None).exists()
    planned = Meeting.objects.filter(engagement=engagement, status="planned").exists()
    assert planned == planned_kept
    assert verify_chain() is None and verify_records() == []


def test_a_pause_closes_everything_open_and_says_why(flagged, coach, story):
    engagement = flagged["engagement"]
    before = engagement_followthrough(engagement)["figures"]
    engagement_pause(engagement=engagement, until=engagement.coach.practice.today() + timedelta(days=30),
                     by=coach.user, note="Surgery")
    nothing_open(engagement)
    withdrawn = Commitment.objects.get(engagement=engagement, outcome="withdrawn")
    assert withdrawn.withdrawn_reason == "engagement paused: Surgery"
    assert Meeting.objects.get(pk=flagged["planned"].pk).status == "cancelled"
    flagged["intervention"].refresh_from_db()
    assert flagged["intervention"].outcome == Intervention.Outcome.PAUSED
    # Withdrawn counts neither as kept nor as missed: the client's figures are as they were.
    assert engagement_followthrough(engagement)["figures"] == before


def test_a_pause_may_keep_its_planned_meetings_on_purpose(flagged, coach):
    engagement = flagged["engagement"]
    engagement_move(engagement=engagement, to_state="paused", by=coach.user, keep_planned_meetings=True,
                    check_back_on=engagement.coach.practice.today() + timedelta(days=30))
    nothing_open(engagement, planned_kept=True)


def test_only_a_pause_keeps_planned_meetings(flagged, coach):
    with pytest.raises(ValidationError, match="Only a pause"):
        engagement_move(engagement=flagged["engagement"], to_state="referred_out", by=coach.user,
                        keep_planned_meetings=True)


def test_the_preview_lists_what_the_move_closes_and_writes_nothing(flagged):
    engagement = flagged["engagement"]
    pending = Reminder.objects.filter(commitment__engagement=engagement, sent_at=None).count()
    found = [c.what for c in engagement_move_preview(engagement=engagement, to_state="ended")]
    assert found == ["1 planned meeting will be cancelled",
                     "1 open commitment will be withdrawn (counted neither kept nor missed)",
                     "1 open flag will clear",
                     "The open intervention will close as “ended”",
                     f"{pending} pending reminder{'s' if pending > 1 else ''} will not be sent"]
    assert Flag.objects.open().filter(engagement=engagement).exists()
    assert engagement.interventions.open().exists()


def test_ending_needs_confirmation(flagged, coach):
    engagement = flagged["engagement"]
    with pytest.raises(ValidationError, match="confirm"):
        engagement_move(engagement=engagement, to_state="ended", by=coach.user)
    engagement.refresh_from_db()
    assert engagement.state == "active" and engagement.interventions.open().exists()
    engagement_move(engagement=engagement, to_state="ended", by=coach.user, confirmed=True)
    nothing_open(engagement)


def test_a_final_review_that_ends_leaves_nothing_open_and_the_portal_shows_the_way_back(
        flagged, coach, client, client_user):
    engagement = flagged["engagement"]
    intervention = flagged["intervention"]
    # Straight to the final review: the steps before it are tested elsewhere.
    Intervention.objects.filter(pk=intervention.pk).update(last_step="new_goal")
    intervention.refresh_from_db()
    closed = step_final_review(intervention=intervention, by=coach.user, outcome="end")
    assert closed.outcome == Intervention.Outcome.ENDED and closed.closed_at is not None
    nothing_open(engagement)
    client.force_login(client_user)
    home = client.get(reverse("portal_home")).content.decode()
    assert "Your next meeting" not in home
    assert "You have no open actions right now." in home
    assert "Closed when the coaching stopped" in home and "When you would like to come back" in home


def test_the_caseload_no_longer_asks_for_attention_after_an_ending(flagged, coach, client):
    client.force_login(coach.user)
    name = flagged["engagement"].client.full_name

    def needs_attention():
        page = client.get(reverse("caseload")).content.decode()
        return page.split('class="needs-attention"')[1].split("</section>")[0]

    assert name in needs_attention()
    engagement_move(engagement=flagged["engagement"], to_state="ended", by=coach.user, confirmed=True)
    assert name not in needs_attention()


def test_the_page_shows_what_closes_before_the_coach_confirms(flagged, coach, client):
    engagement = flagged["engagement"]
    client.force_login(coach.user)
    url = reverse("engagement_move", args=[engagement.uid])
    confirm = client.post(url, {"state": "ended", "note": "Moving abroad"})
    page = confirm.content.decode()
    assert "End the engagement?" in page and "1 open commitment will be withdrawn" in page
    assert Engagement.objects.get(pk=engagement.pk).state == "active"
    done = client.post(url, {"state": "ended", "note": "Moving abroad", "confirmed": "True"})
    assert done.status_code == 302
    nothing_open(engagement)


def test_the_api_previews_and_needs_confirmation_to_end(flagged, coach, client):
    engagement = flagged["engagement"]
    api = Api(client, "/api/", token_for(coach))
    preview = api.get(f"engagements/{engagement.uid}/moves/preview", to_state="ended").json()
    assert [c["what"] for c in preview["consequences"]][0] == "1 planned meeting will be cancelled"
    refused = api.post(f"engagements/{engagement.uid}/moves", {"to_state": "ended"})
    assert refused.status_code == 422 and "confirmed" in refused.json()["errors"]
    done = api.post(f"engagements/{engagement.uid}/moves", {"to_state": "ended", "confirmed": True})
    assert done.status_code == 200 and done.json()["state"] == "ended"
    nothing_open(engagement)


def test_a_referral_out_closes_the_open_intervention_as_referred(flagged, coach):
    engagement_move(engagement=flagged["engagement"], to_state="referred_out", by=coach.user)
    nothing_open(flagged["engagement"])
    flagged["intervention"].refresh_from_db()
    assert flagged["intervention"].outcome == Intervention.Outcome.REFERRED


def test_a_resume_withdraws_nothing(story, coach, engagement):
    story.held([], new=["Call two caterers"])
    engagement_pause(engagement=engagement, until=engagement.coach.practice.today() + timedelta(days=9), by=coach.user)
    story.clock.advance(days=1)
    engagement_move(engagement=engagement, to_state="active", by=coach.user)
    assert engagement.transitions.count() == 2
    assert Commitment.objects.filter(engagement=engagement, outcome="withdrawn").count() == 1


def test_letters_open_with_the_name_the_client_likes_to_be_called(coach):
    from followthrough.clients.services import client_create
    from followthrough.protocol.letters import letter_draft

    client = client_create(coach=coach, by=coach.user, full_name="Margaret Ellis", preferred_name="Peggy",
                           email="peggy@example.org")
    letter = letter_draft(engagement=client.engagements.get(), by=coach.user, kind="pause")
    assert letter.body.startswith("Dear Peggy,")


def test_mail_held_back_leaves_nobodys_outbox_but_is_recorded(coach, mailoutbox):
    from followthrough.protocol.models import Notification
    from followthrough.protocol.referrals import _notify
    from followthrough.ui import mail

    with mail.held_back():
        _notify(coach, "A referral for you", "/")
    assert mailoutbox == [] and Notification.objects.filter(coach=coach).count() == 1
    _notify(coach, "Another referral", "/")
    assert len(mailoutbox) == 1


def test_a_pause_without_its_check_back_date_is_refused_before_any_confirmation(flagged, coach, client):
    client.force_login(coach.user)
    response = client.post(reverse("engagement_move", args=[flagged["engagement"].uid]), {"state": "paused"})
    assert "check_back_on" in response.context["form"].errors
    assert "Confirm" not in response.content.decode()  # neither a confirmation nor a stray label
