"""TOTP for coaches, recovery codes, a practice's requirement, and the admin site behind both."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from followthrough.accounts import two_factor
from followthrough.history.models import Event
from tests.conftest import PASSWORD

from .helpers import code_for, turn_on


def _password_step(client, username, next_path=""):
    return client.post(reverse("login") + (f"?next={next_path}" if next_path else ""),
                       {"username": username, "password": PASSWORD})


def test_setting_up_shows_a_key_and_a_right_code_turns_it_on_with_recovery_codes(client, coach):
    client.force_login(coach.user)
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = two_factor.totp_pending_device(coach.user)
    wrong = client.post(reverse("two_factor"), {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    done = client.post(reverse("two_factor"), {"code": code_for(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == two_factor.RECOVERY_CODES
    assert two_factor.has_second_factor(coach.user)
    assert client.session[two_factor.SESSION_STATE] == two_factor.VERIFIED
    assert Event.objects.filter(action="two_factor.turned_on").exists()
    assert done["Cache-Control"].startswith("max-age=0") and "no-store" in done["Cache-Control"]


def test_with_an_authenticator_the_password_alone_reaches_nothing(client, coach):
    device, _ = turn_on(coach.user)
    response = _password_step(client, "ana")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login_verify"))
    key_after_password = client.session.session_key
    held = client.get(reverse("caseload"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("login_verify"))
    assert client.get("/api/clients").status_code == 401
    # The code that confirmed the app cannot be used again (replay); the next one can.
    right = client.post(reverse("login_verify"), {"code": code_for(device, offset=1)})
    assert right.status_code == 302
    assert client.session.session_key != key_after_password  # rotated once the factor is proven
    assert client.get(reverse("caseload")).status_code == 200


def test_a_wrong_code_is_said_on_the_field_and_counts_towards_the_lockout(client, coach, settings):
    settings.AXES_FAILURE_LIMIT = 3
    turn_on(coach.user)
    _password_step(client, "ana")
    first = client.post(reverse("login_verify"), {"code": "12345"})
    assert first.status_code == 400 and "That code is not right" in first.content.decode()
    client.post(reverse("login_verify"), {"code": "12345"})
    locked = client.post(reverse("login_verify"), {"code": "12345"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, coach):
    _, codes = turn_on(coach.user)
    _password_step(client, "ana")
    assert client.post(reverse("login_verify"), {"code": codes[0]}).status_code == 302
    client.logout()
    _password_step(client, "ana")
    again = client.post(reverse("login_verify"), {"code": codes[0]})
    assert again.status_code == 400
    assert two_factor.recovery_codes_left(coach.user) == two_factor.RECOVERY_CODES - 1


def test_new_recovery_codes_replace_the_old_ones(client, coach):
    device, codes = turn_on(coach.user)
    client.force_login(coach.user)
    client.post(reverse("login_verify"), {"code": code_for(device, offset=1)})
    fresh = client.post(reverse("recovery_codes")).context["codes"]
    assert set(fresh).isdisjoint(codes)
    assert two_factor.code_matches(coach.user, codes[1]) is None


def test_a_practice_admin_can_require_it_and_coaches_without_are_sent_to_set_it_up(client, coach, colleague):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    client.force_login(coach.user)
    assert client.post(reverse("practice_security"), {"require_two_factor": "on"}).status_code == 302
    assert Event.objects.filter(action="practice_security.created").exists()
    client.force_login(colleague.user)
    held = client.get(reverse("caseload"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("two_factor"))
    assert client.get(reverse("two_factor")).status_code == 200
    device = two_factor.totp_pending_device(colleague.user)
    client.post(reverse("two_factor"), {"code": code_for(device)})
    assert client.get(reverse("caseload")).status_code == 200


def test_a_required_second_factor_cannot_be_turned_off(coach):
    from django.core.exceptions import ValidationError

    device, _ = turn_on(coach.user)
    two_factor.practice_require_two_factor(practice=coach.practice, required=True, by=coach.user)
    with pytest.raises(ValidationError, match="requires a second factor"):
        two_factor.two_factor_off(user=coach.user, code=code_for(device))


def test_the_admin_site_needs_the_second_factor_in_this_session(client, db):
    staff = get_user_model().objects.create_user("root", "root@example.org", PASSWORD, is_staff=True,
                                                 is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert followed.status_code == 302 and followed["Location"].startswith(reverse("two_factor"))
    device = two_factor.totp_pending_device(staff)
    client.post(reverse("two_factor"), {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    _password_step(client, "root", "/admin/")
    assert client.get(reverse("admin:index")).status_code == 302
    client.post(reverse("login_verify"), {"code": code_for(device, offset=1)})
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("name", ["two_factor", "practice_security", "access_log"])
def test_security_pages_are_not_for_clients(client, client_user, name):
    client.force_login(client_user)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["practice_security", "access_log"])
def test_practice_pages_are_for_its_admin_only(client, coach, outsider, name):
    client.force_login(coach.user)
    assert client.get(reverse(name)).status_code == 404
    outsider.is_practice_admin = True
    outsider.save(update_fields=["is_practice_admin"])
    client.force_login(outsider.user)
    page = client.get(reverse(name))
    assert page.status_code == 200 and "Ana Perez" not in page.content.decode()
