"""The coach's daily digest of what became overdue: one email per coach per day."""

from datetime import date

from django.core import mail
from reminder_helpers import make_commitment, utc

from followthrough.clients.services import client_create
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.meetings.services import meeting_create
from followthrough.notifications.models import Digest, DigestItem
from followthrough.notifications.services import digests_prepare, remind_pass

# The practice is in Europe/London: 08:30 there on 11 June 2026 is 07:30 UTC.
MORNING_AFTER = utc(2026, 6, 11, 7, 30)


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def _caseloads(coach, colleague, colleague_client, engagement):
    """Ana: Bob with two overdue commitments and Cy with one; Cara: Dee with one."""
    make_commitment(engagement, coach.user, date(2026, 6, 10), description="Call three caterers")
    make_commitment(engagement, coach.user, date(2026, 6, 9), description="Price the tasting menu")
    make_commitment(engagement, coach.user, date(2026, 6, 20), description="Not due yet")
    cy = client_create(coach=coach, by=coach.user, full_name="Cy Ode")
    make_commitment(cy.engagements.get(), coach.user, date(2026, 6, 10), description="Update the CV")
    make_commitment(colleague_client.engagements.get(), colleague.user, date(2026, 6, 10),
                    description="Dee's private plan")
    return cy


def test_one_digest_per_coach_listing_each_client_and_commitment(coach, colleague, colleague_client, engagement,
                                                                 settings):
    settings.SITE_URL = "https://coach.example.org"
    cy = _caseloads(coach, colleague, colleague_client, engagement)
    remind_pass(now=MORNING_AFTER)

    [digest] = to("ana@example.org")
    assert digest.subject == "3 commitments became overdue (2 clients)"
    assert "Bob Stone" in digest.body and "Cy Ode" in digest.body
    assert "Call three caterers" in digest.body and "Price the tasting menu" in digest.body
    assert "Update the CV" in digest.body
    assert "Not due yet" not in digest.body
    assert "Dee" not in digest.body  # Cara's client never appears in Ana's digest
    assert f"https://coach.example.org/clients/{engagement.client.uid}/" in digest.body
    [(html, _)] = digest.alternatives
    assert f'href="https://coach.example.org/clients/{cy.uid}/"' in html

    [other] = to("cara@example.org")
    assert "Dee&#x27;s private plan" in other.alternatives[0][0] and "Bob" not in other.body
    assert Digest.objects.filter(on_date=date(2026, 6, 11)).count() == 2


def test_the_digest_goes_once_a_day_and_the_next_day_lists_only_what_is_new(coach, colleague, colleague_client,
                                                                            engagement):
    _caseloads(coach, colleague, colleague_client, engagement)
    remind_pass(now=MORNING_AFTER)
    remind_pass(now=utc(2026, 6, 11, 16, 0))
    assert len(to("ana@example.org")) == 1
    # Something made later that day with a past due date waits for tomorrow's digest.
    make_commitment(engagement, coach.user, date(2026, 6, 10), description="Book the van")
    remind_pass(now=utc(2026, 6, 11, 17, 0))
    assert len(to("ana@example.org")) == 1
    remind_pass(now=utc(2026, 6, 12, 7, 30))
    ana = to("ana@example.org")
    assert len(ana) == 2
    assert "Book the van" in ana[1].body and "Call three caterers" not in ana[1].body
    assert ana[1].subject == "1 commitment became overdue (1 client)"
    assert Digest.objects.filter(coach=coach).count() == 2


def test_preparing_twice_makes_no_second_digest(coach, colleague, colleague_client, engagement):
    _caseloads(coach, colleague, colleague_client, engagement)
    assert digests_prepare(now=MORNING_AFTER) == 2
    assert digests_prepare(now=MORNING_AFTER) == 0
    assert DigestItem.objects.count() == 4


def test_no_digest_before_eight_in_the_practices_morning(coach, colleague, colleague_client, engagement):
    _caseloads(coach, colleague, colleague_client, engagement)
    assert digests_prepare(now=utc(2026, 6, 11, 6, 59)) == 0  # 07:59 in London
    assert digests_prepare(now=utc(2026, 6, 11, 7, 0)) == 2


def test_a_digest_whose_commitments_were_all_reviewed_meanwhile_is_not_sent(coach, engagement, focus):
    commitment = make_commitment(engagement, coach.user, date(2026, 6, 10))
    digests_prepare(now=MORNING_AFTER)
    meeting = meeting_create(engagement=engagement, by=coach.user, status="held", starts_at=MORNING_AFTER,
                             focus_areas=[focus["business"]])
    meeting_review(meeting=meeting, by=coach.user,
                   review=MeetingReview(reviews=[Review(commitment=commitment, outcome="kept")]))
    remind_pass(now=MORNING_AFTER)
    assert to("ana@example.org") == []
    assert Digest.objects.get().cancel_reason == "nothing_left"
