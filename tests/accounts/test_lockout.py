"""Guessing is limited: passwords and codes per account and per address, link requests per address."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5


def _login(client, username, password, ip="10.0.0.1", path=None):
    return client.post(path or reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(client, coach):
    for _ in range(4):
        assert _login(client, "ana", "wrong guess").status_code == 200
    locked = _login(client, "ana", "wrong guess")
    assert locked.status_code == 429
    assert "Signing in is paused" in locked.content.decode()
    assert _login(client, "ana", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_follows_the_account_to_another_address(client, coach):
    for n in range(5):
        _login(client, "ana", "wrong guess", ip=f"10.0.1.{n}")
    assert _login(client, "ana", PASSWORD, ip="10.0.9.9").status_code == 429


def test_one_address_trying_many_accounts_is_locked(client, coach, colleague):
    for n in range(5):
        _login(client, f"someone{n}", "wrong guess", ip="10.0.2.1")
    assert _login(client, "cara", PASSWORD, ip="10.0.2.1").status_code == 429
    assert _login(client, "cara", PASSWORD, ip="10.0.2.2").status_code == 302


def test_an_unknown_username_locks_the_same_way_so_nothing_tells_which_exist(client, coach):
    pages = []
    for username in ("ana", "nobody-here"):
        for _ in range(5):
            _login(client, username, "wrong guess", ip=f"10.0.3.{len(pages)}")
        pages.append(_login(client, username, "wrong guess", ip=f"10.0.3.{len(pages)}"))
    assert [p.status_code for p in pages] == [429, 429]
    def without_tokens(page):
        return re.sub(r'[A-Za-z0-9]{64}', "", page.content.decode())  # CSRF tokens differ per page

    assert without_tokens(pages[0]) == without_tokens(pages[1])


def test_a_failed_attempt_is_kept_for_the_audit(client, coach):
    from axes.models import AccessAttempt, AccessFailureLog

    _login(client, "ana", "wrong guess")
    assert AccessAttempt.objects.filter(username="ana", failures_since_start=1).exists()
    assert AccessFailureLog.objects.filter(username="ana").exists()


def test_the_admin_login_is_the_apps_own_and_locks_the_same(client, coach):
    staff = get_user_model().objects.create_user("root", "root@example.org", PASSWORD, is_staff=True,
                                                 is_superuser=True)
    for _ in range(30):
        response = _login(client, staff.username, "wrong guess", path=reverse("admin:login"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    for _ in range(5):
        _login(client, "root", "wrong guess", path=reverse("login") + "?next=/admin/")
    assert _login(client, "root", PASSWORD, path=reverse("login") + "?next=/admin/").status_code == 429


def test_a_locked_out_response_says_how_long(client, coach):
    for _ in range(5):
        _login(client, "ana", "wrong guess")
    assert "15 minutes" in _login(client, "ana", PASSWORD).content.decode()


def test_sign_in_link_requests_are_limited_per_address(client, client_record, settings, mailoutbox):
    settings.FT_PORTAL_LINK_REQUESTS_PER_IP_PER_HOUR = 3
    url = reverse("portal_sign_in")
    for n in range(3):
        response = client.post(url, {"email": f"guess{n}@example.org"}, REMOTE_ADDR="10.0.4.1")
        assert response.status_code == 200
    refused = client.post(url, {"email": "bob@example.org"}, REMOTE_ADDR="10.0.4.1")
    assert refused.status_code == 429
    assert "Too many sign-in links were asked for from your network" in refused.content.decode()
    assert client.post(url, {"email": "other@example.org"}, REMOTE_ADDR="10.0.4.2").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(rf, settings):
    from followthrough.accounts.throttle import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "127.0.0.1"
    settings.FT_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"
