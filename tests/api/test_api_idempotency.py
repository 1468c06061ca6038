"""A write retried with the same Idempotency-Key is written once and answered the same."""

import json

from followthrough.api.models import IdempotentRequest
from followthrough.clients.models import Client


def post(api, path, payload, key):
    return api.client.post(path, json.dumps(payload), content_type="application/json",
                           headers={**api._headers(), "Idempotency-Key": key})


def test_a_retried_write_is_written_once_and_answered_the_same(api, coach):
    first = post(api, "/api/clients", {"full_name": "Eve Moss"}, "add-eve-1")
    again = post(api, "/api/clients", {"full_name": "Eve Moss"}, "add-eve-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Client.objects.filter(full_name="Eve Moss").count() == 1


def test_a_key_reused_for_another_request_is_refused(api, coach):
    post(api, "/api/clients", {"full_name": "Eve Moss"}, "k-1")
    other = post(api, "/api/clients", {"full_name": "Finn Moss"}, "k-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]
    assert not Client.objects.filter(full_name="Finn Moss").exists()


def test_keys_are_each_callers_own(api, colleague_api):
    mine = post(api, "/api/clients", {"full_name": "Eve Moss"}, "same-key")
    theirs = post(colleague_api, "/api/clients", {"full_name": "Gus Hale"}, "same-key")
    assert mine.status_code == theirs.status_code == 201
    assert IdempotentRequest.objects.count() == 2


def test_a_refused_write_is_answered_the_same_on_retry_and_a_server_error_is_not_kept(api, coach):
    bad = post(api, "/api/clients", {"full_name": ""}, "bad-1")
    assert post(api, "/api/clients", {"full_name": ""}, "bad-1").json() == bad.json()
    assert not Client.objects.filter(full_name="").exists()


def test_writes_without_a_key_work_as_before(api, coach):
    for _ in range(2):
        assert api.post("/api/clients", {"full_name": "Hal Reed"}).status_code == 201
    assert Client.objects.filter(full_name="Hal Reed").count() == 2
    assert not IdempotentRequest.objects.exists()
