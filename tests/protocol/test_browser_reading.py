"""What a coach and a client read, in a real browser at desktop (1280 px) and phone
(390 px) widths: the caseload, the client file with its chart, the file review page and
its PDF (rendered to PNG with pdftoppm when it is installed), the intervention, and the
portal. Screenshots go to test-artifacts/ to be looked at; the checks here are what a
person would notice first: nothing runs off the side, the chart is the one that fits."""

import shutil
import subprocess

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from followthrough.protocol.services import intervention_open, step_review_file
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def open_as(chromium, live_server, client, user, size):
    context = chromium.new_context(viewport=WIDTHS[size], device_scale_factor=1 if size == "desktop" else 2,
                                   # not is_mobile: a mobile viewport widens to fit what overflows, hiding it
                                   is_mobile=False)
    client.force_login(user)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def look(page, name):
    page.screenshot(path=str(ARTIFACTS / f"reading-{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the screen"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_chart_and_the_file_review_read_at_both_widths(chromium, live_server, client, clock, story, coach,
                                                           engagement, client_user, size):
    story.held([], new=["Email five wedding planners", "Price the new menu"])
    story.held(["kept", 0.5], new=["Call three former clients", "Update the website"])
    story.held(["missed", "waived"], new=["Email five wedding planners"])
    story.held(["missed"], new=["Call the bakery"])
    intervention = intervention_open(engagement=engagement, by=coach.user)
    review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=3)
    page = open_as(chromium, live_server, client, coach.user, size)

    page.goto(live_server.url + reverse("caseload"))
    look(page, f"caseload-{size}")
    page.goto(live_server.url + reverse("client_file", args=[engagement.client.uid]))
    look(page, f"client-file-{size}")
    shown = "chart-narrow" if size == "phone" else "chart-wide"
    hidden = "chart-wide" if size == "phone" else "chart-narrow"
    assert page.locator(f"#followthrough .{shown} svg").is_visible()
    assert not page.locator(f"#followthrough .{hidden} svg").is_visible()
    page.locator("#followthrough figure").scroll_into_view_if_needed()
    page.locator("#followthrough figure").screenshot(path=str(ARTIFACTS / f"reading-chart-{size}.png"))
    page.goto(live_server.url + reverse("protocol:file_review", args=[review.uid]))
    look(page, f"file-review-{size}")
    assert page.get_by_text("Due and reviewed at this meeting").first.is_visible()
    page.goto(live_server.url + reverse("protocol:intervention", args=[intervention.uid]))
    look(page, f"intervention-{size}")

    review.refresh_from_db()
    portal = open_as(chromium, live_server, client, client_user, size)
    portal.goto(live_server.url + reverse("portal_home"))
    look(portal, f"portal-home-{size}")
    open_one = engagement.commitments.filter(outcome="open").first()
    portal.goto(live_server.url + reverse("portal_commitment", args=[open_one.uid]))
    portal.get_by_role("button", name="Mark as done").click()
    assert portal.get_by_role("button", name="Undo: it's not done yet").is_visible()
    look(portal, f"portal-commitment-{size}")

    client.force_login(coach.user)
    if size == "desktop":
        pdf = client.get(reverse("protocol:file_review_pdf", args=[review.uid])).content
        (ARTIFACTS / "reading-file-review.pdf").write_bytes(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "70", str(ARTIFACTS / "reading-file-review.pdf"),
                            str(ARTIFACTS / "reading-file-review-pdf")], check=True)
            pages = sorted(ARTIFACTS.glob("reading-file-review-pdf*.png"))
            assert pages


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_new_clients_file_says_in_a_sentence_there_is_nothing_to_chart(chromium, live_server, client, coach,
                                                                          engagement, agreement, size):
    page = open_as(chromium, live_server, client, coach.user, size)
    page.goto(live_server.url + reverse("client_file", args=[engagement.client.uid]))
    look(page, f"client-file-new-{size}")
    assert page.get_by_text("No reviewed meeting yet").is_visible()
    assert page.locator("#followthrough svg").count() == 0


def test_showing_associates_keeps_the_refer_panel_open_in_place(chromium, live_server, client, clock, story, coach,
                                                                engagement, practice, focus, colleague):
    from followthrough.engine.services import engagement_refresh
    from followthrough.practice.services import coach_create
    from tests.conftest import PASSWORD

    coach_create(practice=practice, username="rita", email="rita@example.org", display_name="Rita Moss",
                 password=PASSWORD, specialties=[focus["relationships"]], accepts_referrals=False)
    story.held([], focus=["business"])
    for _ in range(3):
        story.held(["kept"], focus=["relationships"])
    engagement_refresh(engagement=engagement)
    intervention = intervention_open(engagement=engagement, by=coach.user, trigger="drift")
    page = open_as(chromium, live_server, client, coach.user, "desktop")
    page.goto(live_server.url + reverse("protocol:intervention", args=[intervention.uid]))
    page.locator("#refer-focus").select_option("business")
    page.get_by_role("button", name="Show associates").click()
    page.wait_for_url("**focus=business**")
    assert page.locator("#refer").get_attribute("open") is not None
    assert page.get_by_text("Associates for Business, best fit first").is_visible()
    page.locator("#refer-focus").select_option("relationships")
    page.get_by_role("button", name="Show associates").click()
    page.wait_for_url("**focus=relationships**")
    assert page.get_by_role("heading", name="Not taking referrals now").is_visible()
    page.locator("#refer").screenshot(path=str(ARTIFACTS / "reading-refer-panel-desktop.png"))
