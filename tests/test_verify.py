"""`followthrough verify`: a clean history passes; every kind of tampering is named."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from followthrough.commitments.models import Commitment
from followthrough.history.models import Event


@pytest.fixture
def world(commitment, client_user, colleague_client, outsider, db_owner):
    return commitment


def verify(*args):
    out = StringIO()
    try:
        call_command("verify", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


EVENTS = Event._meta.db_table
COMMITMENTS = Commitment._meta.db_table


def test_clean_world_passes(world):
    code, out = verify()
    assert code == 0
    assert f"history intact: {Event.objects.count()} events," in out
    assert "records checked" in out


def test_json_report(world):
    code, out = verify("--json")
    report = json.loads(out)
    assert code == 0
    assert report["ok"] is True
    assert report["events"] == Event.objects.count()
    assert report["records_checked"] > 0
    assert report["chain"] is None and report["records"] == []


def test_event_edited_with_raw_sql_is_named(world):
    event = Event.objects.order_by("seq")[3]
    raw(f"UPDATE {EVENTS} SET actor_label = %s WHERE seq = %s", ["someone else", event.seq])
    code, out = verify()
    assert code == 1
    assert f"event #{event.seq} ({event.action}) was altered" in out


def test_event_payload_edited_is_named(world):
    event = Event.objects.filter(object_type="commitments.commitment").order_by("seq").first()
    after = {**event.after, "description": "Something easier"}
    raw(f"UPDATE {EVENTS} SET after = %s WHERE seq = %s", [json.dumps(after), event.seq])
    code, out = verify()
    assert code == 1
    assert f"event #{event.seq} ({event.action}) was altered" in out


def test_event_deleted_in_the_middle_is_named(world):
    raw(f"DELETE FROM {EVENTS} WHERE seq = 5")
    code, out = verify()
    assert code == 1
    assert "event #5 is missing (the next one is #6)" in out


def test_events_deleted_at_the_end_are_noticed(world):
    last = Event.objects.order_by("-seq").first().seq
    raw(f"DELETE FROM {EVENTS} WHERE seq > %s", [last - 2])
    code, out = verify()
    assert code == 1
    assert f"events after #{last - 2} are missing (the log head says #{last})" in out


def test_outcome_changed_behind_the_apps_back_is_named(world):
    commitment = world
    raw(f"UPDATE {COMMITMENTS} SET outcome = %s WHERE id = %s", ["kept", commitment.pk])
    code, out = verify()
    assert code == 1
    assert "event log" not in out  # the log itself is whole; the record is what changed
    assert f"commitments.commitment {commitment.uid} differs from its history in: outcome" in out


def test_row_deleted_with_raw_sql_is_named(world):
    commitment = world
    raw(f"DELETE FROM {COMMITMENTS} WHERE id = %s", [commitment.pk])
    code, out = verify()
    assert code == 1
    assert f"commitments.commitment {commitment.uid} was deleted outside the app" in out


def test_json_report_of_a_failure(world):
    raw(f"DELETE FROM {EVENTS} WHERE seq = 2")
    code, out = verify("--json")
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False
    assert report["chain"] == {"kind": "missing", "message": "event #2 is missing (the next one is #3)"}


def test_exit_status_from_the_command_line(world, capsys):
    from followthrough.cli import main

    raw(f"DELETE FROM {EVENTS} WHERE seq = 2")
    with pytest.raises(SystemExit) as exit_info:
        main(["followthrough", "verify", "--no-color"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "event #2 is missing" in captured.out
    assert "history check failed" in captured.err
