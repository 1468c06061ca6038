"""A new practice staffed and run from the pages, in a real browser: the admin invites a
coach, the coach accepts, sets their specialties, adds a client and finds them."""

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail

from followthrough.practice.models import Coach
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"practice-{name}.png"), full_page=True)


def test_an_admin_staffs_the_practice_and_the_new_coach_finds_their_client(chromium, live_server, client, coach):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    client.force_login(coach.user)
    admin_context = chromium.new_context()
    admin_context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                                "url": live_server.url}])
    admin = admin_context.new_page()
    admin.set_default_timeout(15_000)
    admin.goto(f"{live_server.url}/")
    admin.get_by_role("link", name="Practice", exact=True).click()
    admin.get_by_role("link", name="Coaches", exact=True).click()
    admin.locator("#id_display_name").fill("Dan Wu")
    admin.locator("#id_email").fill("dan@example.org")
    admin.get_by_role("button", name="Send the invitation").click()
    admin.wait_for_load_state()
    assert "An invitation is on its way to dan@example.org" in admin.content()
    _shot(admin, "coaches")

    link = re.search(r"https?://\S+/join/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("/join/", 1)[1]
    page = chromium.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/join/{path}")
    _shot(page, "invitation")
    page.locator("#id_username").fill("dan")
    page.locator("#id_password").fill("a long enough passphrase")
    page.locator("#id_password_again").fill("a long enough passphrase")
    page.get_by_role("button", name="Join the practice").click()
    page.wait_for_load_state()
    assert "Your profile" in page.content()
    page.get_by_label("Career").check()
    page.get_by_label("Leadership").check()
    page.get_by_role("button", name="Save your profile").click()
    page.wait_for_load_state()
    assert "Your profile is saved" in page.content()
    _shot(page, "profile")
    dan = Coach.objects.get(user__username="dan")
    assert {a.slug for a in dan.specialties.all()} == {"career", "leadership"}

    page.get_by_role("link", name="New client").click()
    page.locator("#id_full_name").fill("Zara Quinn")
    page.locator("#id_email").fill("zara@example.org")
    page.get_by_role("button", name=re.compile("Add|Save|Create")).click()
    page.wait_for_load_state()
    page.get_by_label("Find a client by name or email").fill("quinn")
    page.get_by_label("Find a client by name or email").press("Enter")
    page.wait_for_load_state()
    _shot(page, "search")
    assert page.get_by_role("link", name="Zara Quinn").is_visible()
    assert "1 client matching “quinn”" in page.content()
