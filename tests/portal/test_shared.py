"""Letters and file reviews reach the client only once the coach sends or shares them."""

import pytest
from django.urls import reverse

from followthrough.protocol.letters import letter_draft, letter_send
from followthrough.protocol.services import file_review_share, intervention_open, step_review_file

from .conftest import SECRET


@pytest.fixture
def review(engagement, coach, held_meeting):
    intervention = intervention_open(engagement=engagement, by=coach.user)
    file_review, _step = step_review_file(intervention=intervention, by=coach.user, meetings_count=3)
    return file_review


@pytest.fixture
def letter(engagement, coach, agreement):
    return letter_draft(engagement=engagement, by=coach.user, kind="back_on_track")


def test_a_draft_letter_and_an_unshared_review_are_not_found(bob, letter, review):
    assert bob.get(reverse("portal_letter", args=[letter.uid])).status_code == 404
    assert bob.get(reverse("portal_file_review", args=[review.uid])).status_code == 404
    assert "Nothing has been shared with you yet." in bob.get(reverse("portal_home")).content.decode()


def test_a_sent_letter_and_a_shared_review_are_listed_and_readable(bob, letter, review, coach):
    letter_send(letter=letter, by=coach.user)
    file_review_share(file_review=review, by=coach.user)
    home = bob.get(reverse("portal_home")).content.decode()
    assert reverse("portal_letter", args=[letter.uid]) in home
    assert reverse("portal_file_review", args=[review.uid]) in home
    assert "Carrying on together" in bob.get(reverse("portal_letter", args=[letter.uid])).content.decode()
    page = bob.get(reverse("portal_file_review", args=[review.uid])).content.decode()
    assert "Email five wedding planners" in page and "Tired, distracted." not in page
    # Spoken to the client: "your", never "the client's".
    report = page[page.index('<div class="report">'):]
    assert "Your last" in report and "the client" not in report.lower()
    pdf = bob.get(reverse("portal_file_review_pdf", args=[review.uid]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_another_clients_shared_records_are_not_found(client, dee, letter, review, coach):
    letter_send(letter=letter, by=coach.user)
    file_review_share(file_review=review, by=coach.user)
    client.force_login(dee["user"])
    assert client.get(reverse("portal_letter", args=[letter.uid])).status_code == 404
    assert client.get(reverse("portal_file_review", args=[review.uid])).status_code == 404
    assert client.get(reverse("portal_file_review_pdf", args=[review.uid])).status_code == 404
    assert SECRET not in client.get(reverse("portal_home")).content.decode()


def test_coaches_do_not_use_the_clients_pages(as_coach_client, letter, coach):
    letter_send(letter=letter, by=coach.user)
    assert as_coach_client.get(reverse("portal_letter", args=[letter.uid])).status_code == 404


@pytest.fixture
def as_coach_client(client, coach):
    client.force_login(coach.user)
    return client
