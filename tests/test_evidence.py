"""The log holds: append-only in the database, a signed head, and earlier heads checkable."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connection, transaction

from followthrough.history import guards, signing
from followthrough.history.models import ChainHead, Event
from followthrough.history.services import event_hash

KEY = "log-signing-key-for-tests-" + "x" * 40


def verify(*args):
    out = StringIO()
    try:
        call_command("verify", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.parametrize("sql", [
    "UPDATE history_event SET actor_label = 'someone else'",
    "DELETE FROM history_event",
    "UPDATE history_accessrecord SET actor_label = 'someone else'",
    "DELETE FROM history_accessrecord",
])
def test_the_apps_own_connection_cannot_change_or_delete_history(commitment, client, sql):
    client.force_login(commitment.engagement.coach.user)
    client.get(f"/clients/{commitment.engagement.client.uid}/")  # an access record to protect
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_triggers_come_back_after_every_migrate(commitment):
    guards.remove(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM history_event")


def _recompute_from(seq):
    """What someone with the database's rights and no key does: edit an event, then rewrite
    every later hash and the head so the chain is whole again."""
    prev = Event.objects.get(seq=seq - 1).hash
    for event in Event.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.actor_label = "someone else"
        event.prev_hash = prev
        event.hash = event_hash(prev_hash=prev, seq=event.seq, at=event.at, actor_id=event.actor_id,
                                actor_label=event.actor_label, action=event.action,
                                object_type=event.object_type, object_uid=event.object_uid,
                                client_uid=event.client_uid, before=event.before, after=event.after)
        event.save()
        prev = event.hash
    ChainHead.objects.filter(pk=1).update(last_hash=prev)


def test_a_recomputed_chain_passes_without_a_key_but_not_with_one(commitment, db_owner, settings):
    settings.FT_LOG_SIGNING_KEY = KEY
    call_command("verify", "--sign-head", stdout=StringIO())
    _recompute_from(3)
    settings.FT_LOG_SIGNING_KEY = ""
    assert verify()[0] == 0  # the finding: the chain alone cannot tell
    settings.FT_LOG_SIGNING_KEY = KEY
    code, out = verify()
    assert code == 1
    assert "does not carry this installation's signature" in out


def test_an_earlier_head_catches_a_recomputed_chain_even_without_the_key(commitment, db_owner):
    earlier = str(signing.current())
    assert verify("--head", earlier)[0] == 0
    _recompute_from(3)
    code, out = verify("--head", earlier)
    assert code == 1
    assert "no longer has the hash the head given records" in out


def test_every_append_signs_the_head_and_verify_prints_it(client_record, settings, coach):
    from followthrough.clients.services import client_update

    settings.FT_LOG_SIGNING_KEY = KEY
    client_update(client=client_record, by=coach.user, email="b@example.org")
    head = signing.current()
    assert signing.signature_valid(head.seq, head.hash, head.signature)
    code, out = verify()
    assert code == 0 and f"head: {head} (signed)" in out
    assert json.loads(verify("--json")[1])["head"] == str(head)


def test_an_unsigned_head_fails_once_a_key_is_set(client_record, settings):
    settings.FT_LOG_SIGNING_KEY = KEY
    code, out = verify()
    assert code == 1 and "verify --sign-head" in out
    assert verify("--sign-head")[0] == 0
    assert verify()[0] == 0
    ChainHead.objects.update(signature="0" * 64)  # a made-up signature
    assert "does not carry this installation's signature" in verify()[1]


def test_a_head_value_that_cannot_be_read_is_named(db):
    with pytest.raises(CommandError, match="--head: a head value reads ft1:"):
        call_command("verify", "--head", "not-a-head", stdout=StringIO())


def test_a_sent_letter_carries_the_logs_head_as_it_left(coach, engagement, agreement, mailoutbox):
    from followthrough.history import signing
    from followthrough.protocol.letters import letter_draft, letter_send

    letter = letter_draft(engagement=engagement, by=coach.user, kind="pause")
    letter_send(letter=letter, by=coach.user)
    [message] = [m for m in mailoutbox if m.to == ["bob@example.org"]]
    stamp = message.body.rsplit("Record check: ", 1)[1].strip()
    assert signing.parse(stamp).seq > 0
