"""Production settings: no development key, `check --deploy` clean, headers on every page,
no inline script or style, and password rules that favour length."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
DEV_KEY = "followthrough-insecure-development-key-set-FT_SECRET_KEY-in-production"


def _env(tmp_path, **extra):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "FT_DATA_DIR": str(tmp_path / "var")}
    env.update(extra)
    return env


def _settings_load(env):
    return subprocess.run([sys.executable, "-c", "import followthrough.settings"], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def production_env():
    values = {}
    for line in (ROOT / "deploy" / "followthrough.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value.strip('"')
    return values


def test_no_key_is_refused_with_a_message_that_says_what_to_do(tmp_path):
    result = _settings_load(_env(tmp_path))
    assert result.returncode != 0
    assert "FT_SECRET_KEY is not set" in result.stderr and "token_urlsafe" in result.stderr


def test_the_public_development_key_is_refused_unless_debugging(tmp_path):
    assert "public development key" in _settings_load(_env(tmp_path, FT_SECRET_KEY=DEV_KEY)).stderr
    assert _settings_load(_env(tmp_path, FT_DEBUG="1")).returncode == 0


def test_a_key_file_is_read(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 60 + "\n")
    files = {"FT_SECRET_KEY_FILE": str(key_file), "FT_DATA_KEY_FILE": str(key_file)}
    assert _settings_load(_env(tmp_path, **files)).returncode == 0
    empty = tmp_path / "empty"
    empty.write_text("")
    assert "is empty" in _settings_load(_env(tmp_path, FT_SECRET_KEY_FILE=str(empty))).stderr
    assert "FT_DATA_KEY_FILE" in _settings_load(_env(tmp_path, FT_SECRET_KEY_FILE=str(key_file),
                                                     FT_DATA_KEY_FILE=str(empty))).stderr


DEV_DATA_KEY = "followthrough-insecure-development-data-key-set-FT_DATA_KEY-in-production"


def test_the_data_key_is_required_long_and_not_the_public_one_outside_debugging(tmp_path):
    secret = {"FT_SECRET_KEY": "k" * 60}
    missing = _settings_load(_env(tmp_path, **secret))
    assert missing.returncode != 0 and "FT_DATA_KEY is not set" in missing.stderr
    assert "public development key" in _settings_load(_env(tmp_path, **secret, FT_DATA_KEY=DEV_DATA_KEY)).stderr
    assert "at least 32 characters" in _settings_load(_env(tmp_path, **secret, FT_DATA_KEY="short")).stderr
    assert _settings_load(_env(tmp_path, FT_DEBUG="1")).returncode == 0


def _check_deploy(env):
    return subprocess.run([str(Path(sys.executable).parent / "followthrough"), "check", "--deploy",
                           "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_under_the_documented_production_variables(tmp_path):
    result = _check_deploy(_env(tmp_path, **{**production_env(), "FT_DATA_DIR": str(tmp_path / "var")}))
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_names_what_is_missing_otherwise(tmp_path):
    result = _check_deploy(_env(tmp_path, FT_SECRET_KEY="k" * 60, FT_DATA_KEY="d" * 60))
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "followthrough.W001"):
        assert check in result.stderr


@pytest.mark.parametrize("persona", ["coach", "client_user"])
def test_pages_carry_the_security_headers(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    response = client.get(reverse("caseload" if persona == "coach" else "portal_home"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_login_page_is_not_cached_either(client, db):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


def test_hsts_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_the_proxy_https_is_recognised(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("login")).status_code == 301
    assert client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https").status_code == 200


# Emails are read in mail programs, which a page's CSP does not reach; the PDF's template is
# only ever rendered by WeasyPrint on the server.
NOT_SERVED = ("/email/", "/emails/", "pdf_base.html")


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in (ROOT / "followthrough").rglob("templates/**/*.html"):
        if any(part in str(path) for part in NOT_SERVED):
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text) or "<style" in text \
                or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=", text) or "js:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_chart_style_carries_the_pages_nonce(client, coach, held_meeting):
    from datetime import timedelta

    from django.utils import timezone

    from followthrough.commitments.services import MeetingReview, Review, meeting_review
    from followthrough.meetings.services import meeting_create

    # A reviewed meeting, so there is a chart to draw (a new file says so in a sentence).
    engagement = held_meeting.engagement
    later = meeting_create(engagement=engagement, by=coach.user, status="held",
                           starts_at=timezone.now() - timedelta(hours=1),
                           focus_areas=list(held_meeting.focus_areas.all()))
    meeting_review(meeting=later, by=coach.user, review=MeetingReview(reviews=[
        Review(commitment=held_meeting.commitments_made.get(), outcome="kept")]))
    client.force_login(coach.user)
    response = client.get(reverse("client_file", args=[held_meeting.engagement.client.uid]))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce and f'<style nonce="{nonce[1]}"' in response.content.decode()


@pytest.mark.parametrize("password", ["93847561", "coaching1", "Coaching2024!", "followthrough"])
def test_weak_passwords_are_refused(password, db):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_is_accepted(db):
    validate_password("lantern orchard biscuit")
