"""Personal API tokens: stored as a hash only, shown once, revocable, and the only way in
besides a browser session."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.accounts.models import ApiToken, hash_token
from followthrough.accounts.tokens import api_token_create, api_token_revoke
from followthrough.history.models import Event
from followthrough.history.services import verify_chain, verify_records

# --- services ------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(coach):
    token, raw = api_token_create(coach=coach, name="Calendar sync", by=coach.user)
    assert raw.startswith("ft_") and len(raw) > 40
    assert token.token_hash == hash_token(raw) and token.hint == raw[:9]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(raw in str(value) for value in row.values())
    assert not Event.objects.filter(after__icontains=raw).exists()
    assert Event.objects.filter(action="api_token.created", object_uid=str(token.uid)).exists()


def test_revoking_is_logged_and_happens_once(coach):
    token, _ = api_token_create(coach=coach, name="Old laptop", by=coach.user)
    api_token_revoke(token=token, by=coach.user)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(action="api_token.revoked", object_uid=str(token.uid)).count() == 1
    with pytest.raises(Exception, match="already revoked"):
        api_token_revoke(token=token, by=coach.user)
    assert verify_chain() is None and verify_records() == []


def test_a_token_needs_a_name(coach):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        api_token_create(coach=coach, name="   ", by=coach.user)
    assert "name" in exc.value.message_dict
    assert not ApiToken.objects.exists()


# --- authentication ------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Bearer ft_not-a-real-token", "Bearer nonsense",
    "Basic YW5hOnB3", "Token {raw}", "{raw}",
])
def test_missing_or_bad_tokens_are_401(client, coach, header):
    _, raw = api_token_create(coach=coach, name="real", by=coach.user)
    headers = {"Authorization": header.format(raw=raw)} if header is not None else {}
    assert client.get("/api/clients", headers=headers).status_code == 401


def test_a_revoked_token_is_refused(client, coach, client_record):
    token, raw = api_token_create(coach=coach, name="soon gone", by=coach.user)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/clients", headers=headers).status_code == 200
    api_token_revoke(token=token, by=coach.user)
    assert client.get("/api/clients", headers=headers).status_code == 401
    assert client.get(f"/api/clients/{client_record.uid}", headers=headers).status_code == 401


def test_an_inactive_coachs_token_is_refused(client, coach):
    _, raw = api_token_create(coach=coach, name="t", by=coach.user)
    type(coach).objects.filter(pk=coach.pk).update(is_active=False)
    assert client.get("/api/clients", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_last_used_is_written_at_most_once_a_minute_and_not_logged(client, coach):
    token, raw = api_token_create(coach=coach, name="t", by=coach.user)
    headers = {"Authorization": f"Bearer {raw}"}
    events = Event.objects.count()
    client.get("/api/clients", headers=headers)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/clients", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/clients", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)
    assert Event.objects.count() == events
    assert verify_records() == []


def test_a_coachs_browser_session_works_and_unsafe_methods_need_csrf(coach, client_record):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coach.user)
    assert browser.get("/api/clients").status_code == 200
    body = {"full_name": "Eve Moss"}
    response = browser.post("/api/clients", body, content_type="application/json")
    assert response.status_code == 403
    # A page of the app sets the CSRF cookie; a script in the browser sends it back.
    browser.get(reverse("api_tokens"))
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/api/clients", body, content_type="application/json",
                            headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.content


# --- the token page ------------------------------------------------------------------


def test_the_page_creates_a_token_shows_it_once_and_lists_it(client, coach):
    client.force_login(coach.user)
    response = client.post(reverse("api_tokens"), {"name": "Zapier"})
    assert response.status_code == 200
    token = ApiToken.objects.get(coach=coach)
    page = response.content.decode()
    raw_shown = page.split('readonly value="')[1].split('"')[0]
    assert hash_token(raw_shown) == token.token_hash
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    again = client.get(reverse("api_tokens")).content.decode()
    assert "Zapier" in again and token.hint in again and raw_shown not in again
    assert client.get("/api/clients", headers={"Authorization": f"Bearer {raw_shown}"}).status_code == 200


def test_the_page_refuses_a_nameless_token(client, coach):
    client.force_login(coach.user)
    response = client.post(reverse("api_tokens"), {"name": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_the_page_revokes_only_your_own_tokens(client, coach, colleague):
    mine, _ = api_token_create(coach=coach, name="mine", by=coach.user)
    theirs, _ = api_token_create(coach=colleague, name="theirs", by=colleague.user)
    client.force_login(coach.user)
    response = client.post(reverse("api_token_revoke", args=[theirs.uid]))
    assert response.status_code == 404
    response = client.post(reverse("api_token_revoke", args=[mine.uid]), follow=True)
    assert response.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert "revoked" in response.content.decode()
    assert client.get(reverse("api_token_revoke", args=[mine.uid])).status_code == 405


def test_the_page_is_for_signed_in_coaches_only_and_does_not_exist_for_anyone_else(client, client_user):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
    client.force_login(client_user)
    assert client.get(reverse("api_tokens")).status_code == 404
    assert client.post(reverse("api_tokens"), {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_the_revoked_token_shows_as_revoked_and_has_no_button(client, coach):
    token, _ = api_token_create(coach=coach, name="gone", by=coach.user)
    api_token_revoke(token=token, by=coach.user)
    client.force_login(coach.user)
    page = client.get(reverse("api_tokens")).content.decode()
    assert f"revoked {timezone.now():%-d %b %Y}" in page
    assert reverse("api_token_revoke", args=[token.uid]) not in page
