"""The client's pages: only their own records, never the coach's private notes."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from meeting_helpers import on_focus

from followthrough.clients.services import agreement_create
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.history.models import Event
from followthrough.meetings.services import meeting_create, meeting_update

from .conftest import SECRET


def uid_routes(records):
    """Every portal route that takes a record, filled with the given client's uids."""
    return [
        ("get", reverse("portal_agreement_version", args=[records["agreement"].uid])),
        ("post", reverse("portal_agreement_version", args=[records["agreement"].uid])),
        ("get", reverse("portal_meeting", args=[records["meeting"].uid])),
        ("post", reverse("portal_check", args=[records["meeting"].uid])),
        ("get", reverse("portal_commitment", args=[records["commitment"].uid])),
        ("post", reverse("portal_commitment_done", args=[records["commitment"].uid])),
        ("post", reverse("portal_commitment_done_undo", args=[records["commitment"].uid])),
        ("get", reverse("portal_plan_answer", args=[records["plan_request"].uid])),
        ("post", reverse("portal_plan_answer", args=[records["plan_request"].uid])),
        ("post", reverse("portal_break_cancel", args=[records["planned_break"].uid])),
    ]


PLAIN_ROUTES = ["portal_home", "portal_agreement", "portal_meetings", "portal_password", "portal_breaks"]


def test_another_clients_records_are_not_found_on_every_route(bob, dee):
    for method, url in uid_routes(dee):
        response = getattr(bob, method)(url, {"typed_name": "Dee Hart", "note": "mine now",
                                              "planned_at": "2099-01-01T10:00", "minutes_needed": "5",
                                              "has_tools": "yes"})
        assert response.status_code == 404, (method, url)
    dee["commitment"].refresh_from_db()
    dee["agreement"].refresh_from_db()
    dee["plan_request"].refresh_from_db()
    assert dee["commitment"].client_reported_done_at is None
    assert dee["agreement"].acknowledged_at is None and not dee["plan_request"].is_answered
    dee["planned_break"].refresh_from_db()
    assert dee["planned_break"].in_force
    for name in PLAIN_ROUTES:
        page = bob.get(reverse(name)).content.decode()
        # Whole names: a bare "Dee" can turn up inside a random CSRF token or CSP nonce.
        assert "Dee Hart" not in page and "Calmer evenings" not in page and "Dee&#x27;s holiday" not in page


def test_coaches_get_not_found_and_the_signed_out_are_offered_a_link(client, coach, dee, bob):
    anonymous_routes = [reverse(name) for name in PLAIN_ROUTES] + [url for _, url in uid_routes(dee)]
    bob.logout()
    for url in anonymous_routes:
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response.url.startswith(reverse("portal_sign_in") + "?next=")
    client.force_login(coach.user)
    for url in anonymous_routes:
        assert client.get(url).status_code in (404, 405), url


def test_the_sign_in_page_goes_back_where_the_client_was_going(client, commitment):
    target = reverse("portal_commitment", args=[commitment.uid])
    response = client.get(target)
    page = client.get(response.url)
    assert page.status_code == 200 and b"Email me a sign-in link" in page.content
    assert f'value="{target}"'.encode() in page.content


def test_private_notes_never_appear_in_any_portal_page(bob, held_meeting, commitment, plan_request, coach):
    meeting_update(meeting=held_meeting, by=coach.user, private_notes=SECRET)
    planned = meeting_create(engagement=held_meeting.engagement, by=coach.user,
                             starts_at=timezone.now() + timedelta(days=3), private_notes=SECRET)
    urls = [reverse(name) for name in PLAIN_ROUTES] + [
        reverse("portal_meeting", args=[held_meeting.uid]),
        reverse("portal_meeting", args=[planned.uid]),
        reverse("portal_commitment", args=[commitment.uid]),
        reverse("portal_plan_answer", args=[plan_request.uid]),
        reverse("portal_agreement_version", args=[held_meeting.engagement.agreements.get().uid]),
    ]
    for url in urls:
        response = bob.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert "We planned outreach to caterers." in bob.get(reverse("portal_meetings")).content.decode()


def test_home_shows_open_actions_with_their_plan_past_outcomes_and_the_next_meeting(
        bob, engagement, held_meeting, commitment, coach, focus):
    later = meeting_create(engagement=engagement, by=coach.user, status="held",
                           starts_at=timezone.now() - timedelta(hours=2), focus_areas=[focus["business"]])
    meeting_review(meeting=later, by=coach.user, review=MeetingReview(
        reviews=[Review(commitment=commitment, outcome="missed", client_reason="The oven broke that week")],
        new_commitments=[{"description": "Call three caterers", "due_on": date.today() + timedelta(days=5),
                          "minutes_needed": 45, "has_tools": False, "tools_needed": "a headset"}],
    ))
    meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now() + timedelta(days=6))
    page = bob.get(reverse("portal_home")).content.decode()
    open_part, past_part = page.split('id="past-actions"')
    assert "Call three caterers" in open_part and "about 45 minutes" in open_part
    assert "Still needed: a headset" in open_part
    assert "Email five wedding planners" in past_part and "Not done" in past_part
    assert "The oven broke that week" in past_part
    assert "Your next meeting" in page and "Ana Perez" in page
    shared = page.split('id="shared-with-you"')[1]
    assert "Letters and file reviews your coach shares with you appear here" in shared
    assert "Nothing has been shared with you yet." in shared


def test_the_agreement_page_shows_all_terms_and_goals(bob, agreement):
    page = bob.get(reverse("portal_agreement")).content.decode()
    for text in ("Grow the bakery", "Business", "Every two weeks", "90.00", "Ten catering enquiries",
                 "Catering revenue", "EUR 2,000 a month", "do the actions we agree", "does not do",
                 "At each meeting we review"):
        assert text in page, text
    assert "Not acknowledged yet" in page and "Acknowledge version 1" in page


def test_a_first_agreement_is_announced_as_ready_not_as_a_new_version(bob, agreement):
    home = bob.get(reverse("portal_home")).content.decode()
    assert "Your agreement with" in home and "is ready" in home and "Read your agreement" in home
    assert "new version" not in home and "version 1" not in home


def test_acknowledging_a_new_version_by_typed_name(bob, agreement, engagement, coach, client_user):
    version_2 = agreement_create(engagement=engagement, by=coach.user, renegotiation_reason="A lower bar for now",
                                 came_for="Grow catering", primary_focus=agreement.primary_focus,
                                 meeting_cadence="Monthly", call_to_action="Five enquiries a month")
    home = bob.get(reverse("portal_home")).content.decode()
    assert "has a new version (version 2)" in home
    url = reverse("portal_agreement_version", args=[version_2.uid])

    response = bob.post(url, {"typed_name": "Robert Stone"})
    assert response.status_code == 400
    # Spoken to the client, not about "the client".
    assert "Please type your full name as it is on your agreement: Bob Stone." in response.content.decode()
    assert "the client" not in response.content.decode().split("<form", 1)[1].split("</form>", 1)[0]
    assert 'aria-invalid="true"' in response.content.decode()
    version_2.refresh_from_db()
    assert version_2.acknowledged_at is None

    response = bob.post(url, {"typed_name": "  bob stone "})
    assert response.status_code == 302
    version_2.refresh_from_db()
    assert version_2.acknowledged_at is not None and version_2.acknowledged_name == "bob stone"
    page = bob.get(url).content.decode()
    assert "You acknowledged this version" in page and "Acknowledge version" not in page

    # The older version is no longer the one to acknowledge.
    assert "Acknowledge version" not in bob.get(
        reverse("portal_agreement_version", args=[agreement.uid])).content.decode()
    assert bob.post(reverse("portal_agreement_version", args=[agreement.uid]),
                    {"typed_name": "Bob Stone"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.acknowledged_at is None


def test_acknowledgement_is_recorded_as_the_clients_own(bob, agreement, client_user):
    bob.post(reverse("portal_agreement_version", args=[agreement.uid]), {"typed_name": "Bob Stone"})
    event = Event.objects.filter(action="agreement.acknowledged", object_uid=str(agreement.uid)).get()
    assert event.actor_id == client_user.pk


def test_meeting_without_a_summary_says_so(bob, engagement, coach, agreement):
    meeting_create(engagement=engagement, focus_areas=on_focus(engagement), by=coach.user, status="held",
                   starts_at=timezone.now() - timedelta(days=1), private_notes=SECRET)
    page = bob.get(reverse("portal_meetings")).content.decode()
    assert "No summary was shared for this meeting." in page and SECRET not in page
