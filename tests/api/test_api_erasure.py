"""Erasure through the API: practice admins only, a reason required, errors in the house shape."""

import pytest
from django.db import transaction

from followthrough.history import sealing
from followthrough.history.services import tracked_update


@pytest.fixture
def admin(coach):
    with transaction.atomic():
        return tracked_update(coach, by=None, action="coach.updated", changes={"is_practice_admin": True})


def test_an_erasure_without_a_reason_is_refused_with_422_on_the_field(admin, api, client_record):
    answer = api.post(f"/api/clients/{client_record.uid}/erasure", {"reason": ""})
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["reason"]
    assert sealing.key_exists(client_record.uid)


def test_the_admin_erases_a_client_once(admin, api, client_record):
    answer = api.post(f"/api/clients/{client_record.uid}/erasure", {"reason": "the client's request"})
    assert answer.status_code == 200 and answer.json()["erased"] is True
    assert not sealing.key_exists(client_record.uid)
    again = api.post(f"/api/clients/{client_record.uid}/erasure", {"reason": "the client's request"})
    assert again.status_code == 422 and "client" in again.json()["errors"]


def test_a_coach_who_is_not_the_admin_gets_404(colleague_api, api, client_record):
    assert colleague_api.post(f"/api/clients/{client_record.uid}/erasure", {"reason": "x"}).status_code == 404
    assert api.post(f"/api/clients/{client_record.uid}/erasure", {"reason": "x"}).status_code == 404
    assert api.get("/api/erasure/due").status_code == 404
    assert sealing.key_exists(client_record.uid)


def test_the_admin_lists_clients_past_the_retention_period(admin, api, client_record):
    answer = api.get("/api/erasure/due")
    assert answer.status_code == 200 and answer.json() == []
