"""Shared fixtures: one practice and the personas every permission test is written against.

- coach: Ana, business coach, holds Bob's engagement (the owner of the records).
- colleague: Cara, relationships coach in the same practice, holds her own client Dee.
- outsider: Olga, coach of another practice.
- client: Bob's own portal account.
"""

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import waitress
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from followthrough.clients.services import agreement_create, client_create, client_link_account
from followthrough.commitments.services import MeetingReview, meeting_review
from followthrough.meetings.services import meeting_create
from followthrough.practice.services import coach_create, practice_create

PASSWORD = "correct horse battery staple"

# CI searches harder; a local run is lighter. Tests that pin their own number of examples
# keep it under both. `HYPOTHESIS_PROFILE=ci scripts/test` runs the CI search locally.
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", max_examples=25, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _flushable_history(request):
    """Tests on a real transaction end with a flush, which on SQLite is a DELETE that the
    history's append-only triggers refuse; drop them just before it (the flush's post_migrate
    puts them back for the next test)."""
    marker = request.node.get_closest_marker("django_db")
    on_a_transaction = marker is not None and marker.kwargs.get("transaction")
    if not ({"transactional_db", "live_server"} & set(request.fixturenames) or on_a_transaction):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from followthrough.history import guards

    for alias in connections:
        guards.remove(connections[alias])


@pytest.fixture
def db_owner(db):
    """The attacker with the database owner's rights: they can drop the append-only
    triggers, and the tests that tamper with the log start by doing so. The drop is inside
    the test's transaction (DDL is transactional on SQLite and PostgreSQL), so the rollback
    at the end of the test brings the triggers back."""
    from django.db import connection

    from followthrough.history import guards

    guards.remove(connection)
    return connection


@pytest.fixture
def practice(db):
    return practice_create(name="Harbour Coaching", timezone="Europe/London")


@pytest.fixture
def focus(practice):
    return {area.slug: area for area in practice.focus_areas.all()}


@pytest.fixture
def coach(practice, focus):
    return coach_create(practice=practice, username="ana", email="ana@example.org",
                        display_name="Ana Perez", password=PASSWORD, specialties=[focus["business"]])


@pytest.fixture
def colleague(practice, focus):
    return coach_create(practice=practice, username="cara", email="cara@example.org",
                        display_name="Cara Lind", password=PASSWORD,
                        specialties=[focus["relationships"]])


@pytest.fixture
def outsider(db):
    other = practice_create(name="Elsewhere Coaching")
    return coach_create(practice=other, username="olga", email="olga@example.org",
                        display_name="Olga Berg", password=PASSWORD)


@pytest.fixture
def client_record(coach):
    return client_create(coach=coach, by=coach.user, full_name="Bob Stone", email="bob@example.org",
                         started_on=date.today() - timedelta(days=730))


@pytest.fixture
def engagement(client_record):
    return client_record.engagements.get()


@pytest.fixture
def agreement(engagement, coach, focus):
    return agreement_create(
        engagement=engagement, by=coach.user, came_for="Grow the bakery's catering side",
        primary_focus=focus["business"], meeting_cadence="Every two weeks",
        fee_amount=Decimal("90.00"), call_to_action="Ten catering enquiries a month",
        goals=[{"title": "Catering revenue", "level_0": "EUR 2,000 a month"}],
    )


@pytest.fixture
def client_user(client_record):
    """Bob's own login, linked to his client record."""
    user = get_user_model().objects.create_user("bob", "bob@example.org", PASSWORD)
    client_link_account(client=client_record, user=user, by=None)
    return user


@pytest.fixture
def held_meeting(engagement, coach, agreement, focus):
    """A held meeting two weeks ago that set one commitment, due before today."""
    meeting = meeting_create(engagement=engagement, by=coach.user, status="held",
                             starts_at=timezone.now() - timedelta(days=14),
                             focus_areas=[focus["business"]], private_notes="Tired, distracted.",
                             client_summary="We planned outreach to caterers.")
    meeting_review(meeting=meeting, by=coach.user, review=MeetingReview(new_commitments=[{
        "description": "Email five wedding planners", "due_on": date.today() - timedelta(days=1),
        "minutes_needed": 90, "tools_needed": "price list", "has_tools": True,
    }]))
    return meeting


@pytest.fixture
def commitment(held_meeting):
    return held_meeting.commitments_made.get()


@pytest.fixture
def colleague_client(colleague):
    return client_create(coach=colleague, by=colleague.user, full_name="Dee Hart",
                         started_on=date.today() - timedelta(days=730))


def login(client, user):
    client.force_login(user)
    return client


CHROMIUM = "/usr/bin/chromium"
# Screenshots from the browser tests, for a person to look at.
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium driven by Playwright (never a browser download). Skipped where it is
    not installed, except in CI, where a missing browser is a failure."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # would otherwise look "async" to Django.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Playwright's sync API runs an event loop in this thread, and the queries a test
            # makes meanwhile get a connection of their own that pytest-django never closes
            # (PostgreSQL then refused to drop the test database at the end of the run).
            connections.close_all()


@pytest.fixture
def served(monkeypatch):
    """What `serve` would have handed to waitress, instead of serving."""
    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw)))
    return calls
