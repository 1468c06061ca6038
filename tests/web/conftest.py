"""Helpers for the coach page tests."""

import pytest

from followthrough.history.models import Event


@pytest.fixture
def as_coach(client, coach):
    client.force_login(coach.user)
    return client


def field_errors(response, form_key="form"):
    """The errors of the form a page rendered, by field ('__all__' for the top)."""
    return response.context[form_key].errors


def event_count():
    return Event.objects.count()


def page_text(response):
    return response.content.decode()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas' passwords are hashed at every test's setup; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
