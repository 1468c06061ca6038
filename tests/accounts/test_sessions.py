"""Sign-ins end when idle, get a new key on sign-in, and can all be ended at once."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from followthrough.history import clock
from tests.conftest import PASSWORD


def test_a_coach_idle_longer_than_the_limit_is_signed_out(client, coach, settings):
    settings.FT_SESSION_IDLE_MINUTES = 30
    client.force_login(coach.user)
    start = clock.now()
    with clock.set_to(start + timedelta(minutes=29)):
        assert client.get(reverse("caseload")).status_code == 200
    with clock.set_to(start + timedelta(minutes=58)):
        assert client.get(reverse("caseload")).status_code == 200  # activity moved the limit on
    with clock.set_to(start + timedelta(minutes=89)):
        response = client.get(reverse("caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()


def test_a_client_has_a_longer_idle_limit(client, client_user, settings):
    settings.FT_PORTAL_SESSION_IDLE_MINUTES = 120
    client.force_login(client_user)
    start = clock.now()
    with clock.set_to(start + timedelta(minutes=90)):
        assert client.get(reverse("portal_home")).status_code == 200
    with clock.set_to(start + timedelta(minutes=90 + 121)):
        response = client.get(reverse("portal_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal_sign_in"))


def test_signing_in_gives_the_session_a_new_key(client, coach):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "planted-by-someone-else"
    client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    assert client.session.session_key not in (None, "planted-by-someone-else")


def test_log_out_everywhere_ends_every_session_of_the_account(coach):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post(reverse("login"), {"username": "ana", "password": PASSWORD})
        assert device.get(reverse("caseload")).status_code == 200
    response = phone.post(reverse("log_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    for device in (laptop, phone):
        assert device.get(reverse("caseload")).status_code == 302


def test_a_client_can_log_out_everywhere_too(client_user):
    browser = Client()
    browser.force_login(client_user)
    assert browser.post(reverse("log_out_everywhere"))["Location"] == reverse("portal_sign_in")
    assert browser.get(reverse("portal_home")).status_code == 302
