"""Reminder fixtures: Bob's commitments with chosen due dates, and Bob in other time zones."""

from datetime import date

import pytest
from reminder_helpers import make_commitment

from followthrough.clients.services import client_update


@pytest.fixture
def bob_commitment(engagement, coach, agreement):
    """Bob (UTC, default reminder terms) has one commitment due on 10 June 2026."""
    return make_commitment(engagement, coach.user, date(2026, 6, 10))


@pytest.fixture
def new_yorker(client_record, coach):
    return client_update(client=client_record, by=coach.user, timezone="America/New_York")


@pytest.fixture
def londoner(client_record, coach):
    return client_update(client=client_record, by=coach.user, timezone="Europe/London")
