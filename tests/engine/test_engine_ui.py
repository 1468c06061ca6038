"""The two template tags, rendered standalone, and the evidence page behind a flag."""

import re

import pytest
from django.template import Context, Template

from followthrough.engine.models import Flag
from followthrough.engine.services import scan_pass


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def flagged(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed", "missed"])
    scan_pass()
    return Flag.objects.get()


def render(source, **context):
    return Template("{% load followthrough_engine %}" + source).render(Context(context))


def test_needs_attention_lists_flagged_clients_first_with_reason_and_evidence_link(
        flagged, coach, colleague_client, client_record, focus):
    from followthrough.clients.services import client_create
    client_create(coach=coach, by=coach.user, full_name="Aaron Able")  # sorts before Bob
    html = render("{% needs_attention coach %}", coach=coach)
    assert html.index("Bob Stone") < html.index("Aaron Able")
    assert f'href="/clients/{client_record.uid}/"' in html
    assert f'href="/flags/{flagged.uid}/"' in html
    assert "under 50% of what was due at each of the last 3 reviewed meetings" in html
    assert "Dee Hart" not in html  # Cara's client


def test_needs_attention_accepts_the_coach_user_and_shows_nothing_for_a_client(
        flagged, coach, client_user):
    assert "Bob Stone" in render("{% needs_attention user %}", user=coach.user)
    assert "Bob Stone" not in render("{% needs_attention user %}", user=client_user)


def _svgs(html):
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def test_chart_is_bars_on_one_count_axis_readable_without_colour(flagged, engagement):
    html = render("{% followthrough_chart engagement %}", engagement=engagement)
    wide, narrow = _svgs(html)
    for svg in (wide, narrow):
        assert re.search(r'<svg[^>]*role="img"', svg)
        assert "<title" in svg and "<desc" in svg
        # One count axis: no secondary axis, whole-number ticks only.
        assert "axis y2" not in svg and ">0.2<" not in svg
        # Bars, not lines: due and kept side by side for each of the 3 reviewed meetings.
        assert len(re.findall(r'class="rect reactive', svg)) == 3 * 4
        # Told apart without colour: a hatch pattern and dashed outlines, and the threshold line.
        assert "<pattern" in svg and "stroke-dasharray" in svg
        assert svg.count('class="ft-threshold"') == 3 and "Threshold 50%" in svg
        assert "<script" not in svg and "http://" not in svg.split(">", 1)[1].replace(
            'xmlns="http://www.w3.org/2000/svg"', "").replace("http://www.w3.org/1999/xlink", "")
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", wide, re.S).group(1)
    assert "4 reviewed meetings" not in desc and "3 reviewed meetings" in desc
    assert "0 of 2 due kept (0%)" in desc
    # The figure is printed under each meeting.
    assert len(re.findall(r"· 0%</text>", wide)) == 3


def test_chart_has_a_table_for_screen_readers(flagged, engagement):
    html = render("{% followthrough_chart engagement %}", engagement=engagement)
    table = html[html.index("<table"):html.index("</table>")]
    assert table.count("<tr>") == 4  # header and three meetings
    assert "0% (0 of 2)" in table


def test_chart_shows_waived_and_partly_kept_apart(timeline, engagement, agreement):
    timeline.meeting("held", [])
    timeline.meeting("held", ["kept", 0.5, "waived"])
    html = render("{% followthrough_chart engagement %}", engagement=engagement)
    row = re.findall(r"<tr><th scope=\"row\">.*?</tr>", html)[0]
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[:4] == ["2", "1", "1", "1"]  # due (waived left out), kept, partly, waived


def test_chart_can_be_limited_to_chosen_meetings(flagged, engagement):
    from followthrough.meetings.models import Meeting
    last = Meeting.objects.filter(engagement=engagement, status="held").order_by("-starts_at").first()
    html = render("{% followthrough_chart engagement meetings=uids %}", engagement=engagement,
                  uids=[str(last.uid)])
    assert "1 reviewed meetings" in html and "3 reviewed meetings" not in html


def test_chart_without_reviewed_meetings_is_one_short_sentence(engagement, agreement):
    html = render("{% followthrough_chart engagement %}", engagement=engagement).strip()
    assert "<svg" not in html
    assert html.startswith("<p") and "No reviewed meeting yet" in html and len(html) < 200


def test_evidence_page_shows_the_meetings_and_commitments(client, coach, flagged, timeline):
    response = login(client, coach.user).get(f"/flags/{flagged.uid}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nonproductive phase" in body
    assert body.count("Missed") >= 6
    assert "<svg" in body
    assert f"/clients/{flagged.engagement.client.uid}/" in body


def test_evidence_page_is_404_for_another_coach_and_for_the_client(
        client, colleague, client_user, flagged):
    assert login(client, colleague.user).get(f"/flags/{flagged.uid}/").status_code == 404
    assert login(client, client_user).get(f"/flags/{flagged.uid}/").status_code == 404


def test_evidence_page_needs_a_login(client, flagged):
    assert client.get(f"/flags/{flagged.uid}/").status_code == 302


def test_a_chart_drawn_once_is_not_drawn_again_until_what_it_shows_changes(flagged, timeline, engagement,
                                                                             monkeypatch):
    from followthrough.engine import charts

    drawn = []
    draw = charts._draw
    monkeypatch.setattr(charts, "_draw", lambda *args: drawn.append(args) or draw(*args))
    first = render("{% followthrough_chart engagement %}", engagement=engagement)
    assert len(drawn) in (0, 2)  # wide and narrow, unless an earlier render of the same chart is kept
    drawn.clear()
    assert render("{% followthrough_chart engagement %}", engagement=engagement) == first and drawn == []
    timeline.meeting("held", ["kept"])
    changed = render("{% followthrough_chart engagement %}", engagement=engagement)
    assert len(drawn) == 2 and "4 reviewed meetings" in changed
