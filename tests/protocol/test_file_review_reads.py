"""A file review adds up: each meeting lists what was due at it, the figure is of that,
the totals count what is listed, the chart covers only the meetings chosen, and the PDF
carries the practice's letterhead with the chart beside its table."""

import re

from django.template.loader import render_to_string
from django.urls import reverse

from followthrough.protocol.reports import file_review_context
from followthrough.protocol.services import intervention_open, step_review_file


def review_of(story, coach, engagement, count):
    intervention = intervention_open(engagement=engagement, by=coach.user)
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=count)
    return review


def test_each_meeting_lists_what_was_due_at_it_not_what_was_made_at_it(story, client, coach, engagement):
    story.held([], new=["Send the menu"])
    story.held(["missed"], new=["Call the bakery"])
    review = review_of(story, coach, engagement, 1)
    client.force_login(coach.user)
    page = client.get(reverse("protocol:file_review", args=[review.uid]))
    [row] = page.context["rows"]
    assert [c.description for c in row["commitments"]] == ["Send the menu"]
    assert row["figure_percent"] == 0
    # The one agreed at it is still open, listed apart, and counted in the totals.
    assert [c.description for c in page.context["still_open"]] == ["Call the bakery"]
    assert page.context["totals"] == {"kept": 0, "partly": 0, "missed": 1, "waived": 0, "open": 1}
    body = page.content.decode()
    assert "Due and reviewed at this meeting" in body and "Still open" in body


def test_the_totals_add_up_to_what_is_listed(story, client, coach, engagement):
    story.held([], new=["A", "B"])
    story.held(["kept", 0.5], new=["C", "D"])
    story.held(["missed", "waived"], new=["E"])
    review = review_of(story, coach, engagement, 2)
    client.force_login(coach.user)
    context = client.get(reverse("protocol:file_review", args=[review.uid])).context
    listed = [c for row in context["rows"] for c in row["commitments"]] + context["still_open"]
    assert len(listed) == sum(context["totals"].values()) == 5


def test_the_chart_covers_only_the_meetings_chosen(story, client, coach, engagement):
    for _ in range(4):
        story.held(["missed"] if story.engagement.commitments.exists() else [], new=["Send the menu"])
    review = review_of(story, coach, engagement, 2)
    client.force_login(coach.user)
    body = client.get(reverse("protocol:file_review", args=[review.uid])).content.decode()
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", body, re.S).group(1)
    assert "at 2 reviewed meetings" in desc


def test_the_pdf_has_the_practice_letterhead_and_keeps_the_chart_with_its_table(
        story, client, coach, engagement):
    story.held([], new=["Send the menu"])
    story.held(["missed"], new=[])
    review = review_of(story, coach, engagement, 2)
    client.force_login(coach.user)
    pdf = client.get(reverse("protocol:file_review_pdf", args=[review.uid]))
    html = render_to_string("protocol/file_review.html", file_review_context(review, pdf=True))
    assert 'class="letterhead"' in html and coach.practice.name in html
    chart = html[html.index('class="report-chart"'):]
    assert chart.index("<svg") < chart.index("<table") < chart.index("</section>")
    assert "break-inside: avoid" in html
    assert pdf.content.startswith(b"%PDF")
