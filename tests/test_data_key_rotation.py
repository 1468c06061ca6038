"""Rotating FT_DATA_KEY: every live client key is re-wrapped under the new key, all or nothing,
and the sealed history reads as before under the new key and no longer under the old one."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from followthrough.history import sealing
from followthrough.history.models import ClientKey, Event
from followthrough.history.services import verify_chain

NEW_KEY = "the-new-data-key-" + "n" * 40


def _name_in_history(settings, data_key, client):
    settings.FT_DATA_KEY = data_key
    sealing.forget_all()
    return Event.objects.get(action="client.created", client_uid=str(client.uid)).after["full_name"]


def test_after_the_rotation_the_history_opens_with_the_new_key_only(client_record, colleague_client, settings,
                                                                    monkeypatch, capsys):
    old_key = settings.FT_DATA_KEY
    with transaction.atomic():
        sealing.destroy(colleague_client.uid)  # an erased client stays erased
    monkeypatch.setenv("FT_NEW_DATA_KEY", NEW_KEY)
    call_command("rotatedatakey")
    assert "re-wrapped 1 client key(s)" in capsys.readouterr().out
    assert _name_in_history(settings, NEW_KEY, client_record) == "Bob Stone"
    destroyed = ClientKey.objects.get(client_uid=str(colleague_client.uid))
    assert destroyed.wrapped == "" and destroyed.destroyed_at is not None
    with pytest.raises(RuntimeError, match="does not open with this FT_DATA_KEY"):
        _name_in_history(settings, old_key, client_record)
    assert verify_chain() is None  # the hashes cover the sealed form, which did not change


def test_a_dry_run_checks_both_keys_and_writes_nothing(client_record, settings, monkeypatch, capsys):
    before = ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped
    monkeypatch.setenv("FT_NEW_DATA_KEY", NEW_KEY)
    call_command("rotatedatakey", "--dry-run")
    assert "dry run: 1 client key(s)" in capsys.readouterr().out
    assert ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped == before
    assert _name_in_history(settings, settings.FT_DATA_KEY, client_record) == "Bob Stone"


def test_the_new_key_is_read_from_a_file_by_the_same_rules_as_the_data_key(client_record, settings, monkeypatch,
                                                                           tmp_path):
    key_file = tmp_path / "new-data-key"
    key_file.write_text(NEW_KEY + "\n")
    monkeypatch.setenv("FT_NEW_DATA_KEY_FILE", str(key_file))
    call_command("rotatedatakey")
    assert _name_in_history(settings, NEW_KEY, client_record) == "Bob Stone"


@pytest.mark.parametrize("new_key, message", [
    ("", "FT_NEW_DATA_KEY is not set"),
    ("short", "at least 32 characters"),
    (None, "the one in use"),  # the current key again
])
def test_a_missing_short_or_unchanged_key_is_refused_and_nothing_changes(client_record, settings, monkeypatch,
                                                                          new_key, message):
    monkeypatch.setenv("FT_NEW_DATA_KEY", settings.FT_DATA_KEY if new_key is None else new_key)
    before = ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped
    with pytest.raises(CommandError, match=message):
        call_command("rotatedatakey")
    assert ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped == before


def test_a_key_the_current_data_key_cannot_open_stops_the_rotation_before_any_write(
        client_record, colleague_client, settings, monkeypatch):
    ClientKey.objects.filter(client_uid=str(colleague_client.uid)).update(
        wrapped=sealing._wrap(str(colleague_client.uid), b"k" * 32, "some-other-installation-key-" + "o" * 20))
    before = ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped
    monkeypatch.setenv("FT_NEW_DATA_KEY", NEW_KEY)
    with pytest.raises(CommandError, match="no key was changed"):
        call_command("rotatedatakey")
    assert ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped == before
