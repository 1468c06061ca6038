"""Portal fixtures: links as the client receives them, and a second client's records to
prove Bob never reaches them."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from followthrough.accounts.links import portal_link_send
from followthrough.clients.services import agreement_create, client_link_account, planned_break_record
from followthrough.commitments.services import MeetingReview, commitment_create, meeting_review
from followthrough.meetings.services import meeting_create
from followthrough.portal.services import plan_request_create

SECRET = "PRIVATE-NOTE-do-not-show-7f3a"


def path_of(url):
    return urlsplit(url).path


def link_path_from_mail(message):
    """The sign-in path in an email, as the client would click it."""
    return path_of(re.search(r"https?://\S+/me/link/\S+?/", message.body).group(0))


@pytest.fixture
def send_link(client_record, coach):
    def send(next_path=""):
        link = portal_link_send(client=client_record, by=coach.user, next_path=next_path)
        return link, path_of(link.url)
    return send


@pytest.fixture
def bob(client, client_user):
    """The test client signed in as Bob."""
    client.force_login(client_user)
    return client


@pytest.fixture
def plan_request(engagement, coach, held_meeting):
    """The coach asks Bob to plan a commitment that is still ahead (an overdue one cannot
    be planned: its day has passed)."""
    ahead = commitment_create(engagement=engagement, by=coach.user, made_at=held_meeting,
                              description="Visit two wedding venues", due_on=date(2099, 12, 31))
    return plan_request_create(commitment=ahead, by=coach.user)


@pytest.fixture
def dee(colleague_client, colleague, focus, django_user_model):
    """Dee, Cara's client, with an account, agreement, meeting, commitment and plan request."""
    engagement = colleague_client.engagements.get()
    agreement = agreement_create(
        engagement=engagement, by=colleague.user, came_for="Calmer evenings at home",
        primary_focus=focus["relationships"], meeting_cadence="Weekly", call_to_action="Talk daily",
    )
    meeting = meeting_create(engagement=engagement, by=colleague.user, status="held",
                             starts_at=timezone.now() - timedelta(days=7), private_notes=SECRET,
                             client_summary="Dee's summary", focus_areas=[focus["relationships"]])
    meeting_review(meeting=meeting, by=colleague.user, review=MeetingReview(new_commitments=[{
        "description": "Dee's walk", "due_on": date.today() + timedelta(days=3),
    }]))
    commitment = meeting.commitments_made.get()
    user = django_user_model.objects.create_user("dee", "dee@example.org", "another pass phrase 9")
    client_link_account(client=colleague_client, user=user, by=None)
    request = plan_request_create(commitment=commitment, by=colleague.user)
    today = colleague_client.today()
    planned_break = planned_break_record(engagement=engagement, starts_on=today + timedelta(days=20),
                                         ends_on=today + timedelta(days=25), reason="Dee's holiday", by=user)
    return {"client": colleague_client, "agreement": agreement, "meeting": meeting,
            "commitment": commitment, "plan_request": request, "user": user, "planned_break": planned_break}


@pytest.fixture
def outbox(db):
    """The test mail outbox. Taken after the database fixture, which swaps in a new list
    (pytest-django's own `mailoutbox` goes stale when requested before it)."""
    from django.core import mail

    mail.outbox.clear()
    return mail.outbox


