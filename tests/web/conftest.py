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


def initial_data(form):
    """What a browser would submit for `form` untouched: its initial values as POST data."""
    from django import forms

    data = {}
    for bound in form:
        value = bound.value()
        field = bound.field
        if isinstance(field, forms.BooleanField) and not isinstance(field, forms.NullBooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(field.widget, forms.MultiWidget):
            parts = field.widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                if part not in (None, ""):
                    data[f"{bound.html_name}_{index}"] = str(part)
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


@pytest.fixture
def planned_break(engagement, coach):
    """A holiday the coach recorded for Bob, a week ahead."""
    from datetime import timedelta

    from followthrough.clients.services import planned_break_record

    today = engagement.client.today()
    return planned_break_record(engagement=engagement, starts_on=today + timedelta(days=7),
                                ends_on=today + timedelta(days=14), reason="holiday", by=coach.user)
