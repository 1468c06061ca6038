"""The protocol pages make the same number of queries however much there is to show, and
the file review PDF is the page's own template, laid out for paper."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followthrough.clients.services import agreement_create, client_create
from followthrough.commitments.models import Commitment
from followthrough.protocol.letters import letter_draft
from followthrough.protocol.models import Intervention
from followthrough.protocol.referrals import referral_decline, referral_offer
from followthrough.protocol.services import (
    intervention_open,
    step_final_review,
    step_new_goal,
    step_reaffirm,
    step_review_file,
)


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def build(make_story, coach, colleague, focus, size, name):
    """An engagement with `size` of everything: meetings, earlier interventions, letters."""
    client = client_create(coach=coach, by=coach.user, full_name=name, email=f"{size}@example.org")
    engagement = client.engagements.get()
    agreement_create(engagement=engagement, by=coach.user, came_for="More clients", primary_focus=focus["business"],
                     meeting_cadence="Weekly", call_to_action="Ten calls",
                     goals=[{"title": f"Goal {n}"} for n in range(size)])
    story = make_story(engagement, coach)
    story.held([], new=[f"Task {n}" for n in range(size)])
    for _ in range(size):
        story.held(["missed"] * size, new=[f"Task {n}" for n in range(size)])
    for _ in range(size - 1):
        earlier = intervention_open(engagement=engagement, by=coach.user)
        step_reaffirm(intervention=earlier, by=coach.user, response="recommits")
        step_final_review(intervention=earlier, by=coach.user, outcome="back_on_track")
    intervention = intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")
    referral = referral_offer(engagement=engagement, by=coach.user, to_coach=colleague,
                              focus_area=focus["relationships"], intervention=intervention)
    referral_decline(referral=referral, by=colleague.user, note="Full at the moment")
    step_reaffirm(intervention=intervention, by=coach.user, response="renegotiate", work_request="Do it for me")
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=size + 1)
    missed = Commitment.objects.filter(engagement=engagement, outcome="missed").first()
    step_new_goal(intervention=intervention, by=coach.user, mode="reinstate", source=missed,
                  due_on=timezone.localdate() + timedelta(days=5), planned_at=timezone.now() + timedelta(days=2),
                  minutes_needed=30, has_tools=False, tools_needed="a phone list")
    for _ in range(size):
        letter_draft(engagement=engagement, by=coach.user, kind="reaffirmation", intervention=intervention)
    return intervention, review


@pytest.fixture
def small_and_big(clock, make_story, coach, colleague, focus):
    return (build(make_story, coach, colleague, focus, 1, "Sam Small"),
            build(make_story, coach, colleague, focus, 10, "Bea Big"))


def test_intervention_pages_do_not_grow_with_their_content(small_and_big, client, coach):
    client.force_login(coach.user)
    (small, small_review), (big, big_review) = small_and_big
    assert big.steps.count() == 4 and big.engagement.interventions.count() == 10
    for name, uid_small, uid_big in [("intervention", small.uid, big.uid), ("final_review", small.uid, big.uid),
                                     ("file_review", small_review.uid, big_review.uid)]:
        few = queries(client, reverse(f"protocol:{name}", args=[uid_small]))
        many = queries(client, reverse(f"protocol:{name}", args=[uid_big]))
        assert few == many, (name, few, many)
    # Pinned, so a change that adds queries is a decision, not an accident.
    assert queries(client, reverse("protocol:intervention", args=[big.uid])) <= 40


def test_outcomes_page_does_not_grow_with_the_practice(clock, client, coach, colleague, focus):
    client.force_login(coach.user)

    def add(n):
        for index in range(n):
            holder = coach if index % 2 else colleague
            person = client_create(coach=holder, by=holder.user, full_name=f"Client {n}-{index}")
            intervention = intervention_open(engagement=person.engagements.get(), by=holder.user)
            step_reaffirm(intervention=intervention, by=holder.user, response="recommits")
            if index % 3:
                step_final_review(intervention=intervention, by=holder.user,
                                  outcome=["back_on_track", "end", "refer"][index % 3])
            clock.advance(days=3)

    add(1)
    few = queries(client, reverse("protocol:outcomes"))
    add(10)
    many = queries(client, reverse("protocol:outcomes"))
    # 12 for the page, and 2 because this test's clock moves days between requests: the
    # sign-in's last-seen stamp is saved (once a minute) and its practice's second-factor
    # rule asked again (every five minutes), as a real session would at most that often.
    assert few == many <= 14
    page = client.get(reverse("protocol:outcomes"))
    assert page.context["opened"] == Intervention.objects.count() == 11
    assert page.context["median_days"] is not None
    names = page.content.decode()
    assert "Client 10-1" in names and "Client 10-0" not in names  # only the coach's own clients are named


def test_file_review_pdf_comes_from_the_page_template(story, client, coach, engagement):
    story.held([], new=["Send the menu"], summary="Menus and prices.")
    story.held(["missed"], summary="A hard week.", notes="Private: do not show.")
    intervention = intervention_open(engagement=engagement, by=coach.user)
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=2,
                                 client_reaction="Fair enough")
    client.force_login(coach.user)
    page = client.get(reverse("protocol:file_review", args=[review.uid]))
    body = page.content.decode()
    assert "Send the menu" in body and "A hard week." in body and "Private" not in body
    assert {"protocol/file_review.html", "base.html"} <= {t.name for t in page.templates}
    pdf = client.get(reverse("protocol:file_review_pdf", args=[review.uid]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    used = {t.name for t in pdf.templates}
    assert {"protocol/file_review.html", "protocol/pdf_base.html", "protocol/_report.html"} <= used
    assert "base.html" not in used


def test_sharing_a_file_review_from_its_page(story, client, coach, engagement):
    story.held([], new=["Send the menu"])
    intervention = intervention_open(engagement=engagement, by=coach.user)
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=1)
    client.force_login(coach.user)
    page = reverse("protocol:file_review", args=[review.uid])
    assert "Share in the client's portal" in client.get(page).content.decode()
    client.post(reverse("protocol:file_review_share", args=[review.uid]))
    review.refresh_from_db()
    assert review.shared_at is not None
    assert "shared with the client" in client.get(page).content.decode()
