"""The event log as evidence: what an event's hash covers, how each hash depends on the one
before it, and what `verify` catches when someone edits the log or the records behind the
app's back (the edits an attacker with database access and this open-source code could make)."""

import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from followthrough.clients.models import Client
from followthrough.clients.services import client_create, client_update
from followthrough.commitments.models import Commitment
from followthrough.history.models import GENESIS_HASH, ChainHead, Event
from followthrough.history.services import (
    event_hash,
    event_record,
    hash_of,
    lock,
    tracked_create,
    tracked_update,
    verify_chain,
    verify_records,
)

EVENTS = Event._meta.db_table

# One known event, written out by hand: its canonical body has sorted keys, no spaces, the
# time in UTC and non-ASCII kept as it is. PostgreSQL's jsonb hands keys back in its own
# order, so only sorted keys make the hash the same after a round trip.
KNOWN_EVENT = dict(
    seq=7, at=datetime(2025, 3, 31, 9, 30, tzinfo=ZoneInfo("Europe/Madrid")), actor_id=3,
    actor_label="José Núñez <jose>", action="client.updated", object_type="clients.client",
    object_uid="0195f0a2-0000-7000-8000-000000000001", client_uid="0195f0a2-0000-7000-8000-000000000001",
    before={"email": "bob@example.org", "full_name": "Bob Stone"},
    after={"full_name": "Bob Stone", "email": "bob.stone@example.org"},
)
KNOWN_PREV_HASH = "ab" * 32
KNOWN_BODY = (
    '{"action":"client.updated","actor_id":3,"actor_label":"José Núñez <jose>",'
    '"after":{"email":"bob.stone@example.org","full_name":"Bob Stone"},"at":"2025-03-31T07:30:00+00:00",'
    '"before":{"email":"bob@example.org","full_name":"Bob Stone"},'
    '"client_uid":"0195f0a2-0000-7000-8000-000000000001","object_type":"clients.client",'
    '"object_uid":"0195f0a2-0000-7000-8000-000000000001","seq":7}'
)
KNOWN_HASH = "47957f355b9e7acfabf58815bcff60e2ee69f6a3d2396d9d676b671465dae561"


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rehash(event):
    """What someone who edited an event would do to make its own hash fit again."""
    event.refresh_from_db()
    digest = hash_of(event)
    raw(f"UPDATE {EVENTS} SET hash = %s WHERE id = %s", [digest, event.pk])
    return digest


def test_a_hash_is_pinned_to_a_known_value_for_a_known_event():
    assert hashlib.sha256((KNOWN_PREV_HASH + KNOWN_BODY).encode()).hexdigest() == KNOWN_HASH
    assert event_hash(prev_hash=KNOWN_PREV_HASH, **KNOWN_EVENT) == KNOWN_HASH


def test_the_same_event_after_another_previous_hash_has_another_hash():
    assert event_hash(prev_hash=GENESIS_HASH, **KNOWN_EVENT) != KNOWN_HASH
    assert event_hash(prev_hash=GENESIS_HASH, **KNOWN_EVENT) == hashlib.sha256(
        (GENESIS_HASH + KNOWN_BODY).encode()).hexdigest()


def test_a_written_event_is_hashed_over_the_previous_hash_and_its_sorted_compact_body(client_record, coach):
    client_update(client=client_record, by=coach.user, email="bob.stone@example.org")
    event = Event.objects.order_by("-seq").first()
    previous = Event.objects.get(seq=event.seq - 1)
    body = json.dumps({
        "seq": event.seq, "at": event.at.isoformat(), "actor_id": coach.user.pk,
        "actor_label": "Ana Perez <ana>", "action": "client.updated", "object_type": "clients.client",
        "object_uid": str(client_record.uid), "client_uid": str(client_record.uid),
        "before": event.stored_before, "after": event.stored_after,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event.prev_hash == previous.hash
    assert event.hash == hashlib.sha256((previous.hash + body).encode()).hexdigest()
    # The hash covers the sealed form of the personal fields; reading the event opens them.
    assert set(event.stored_after["email"]) == {"sealed"}
    assert event.before["email"] == "bob@example.org" and event.after["email"] == "bob.stone@example.org"


def test_an_event_whose_payload_comes_back_with_its_keys_reordered_still_verifies(db_owner, commitment):
    # What PostgreSQL's jsonb does to every payload: same content, keys in another order.
    event = Event.objects.filter(object_type="commitments.commitment").order_by("seq").first()
    reordered = dict(reversed(list(event.stored_after.items())))
    assert list(reordered) != list(event.stored_after)
    raw(f"UPDATE {EVENTS} SET after = %s WHERE id = %s", [json.dumps(reordered), event.pk])
    assert verify_chain() is None


@pytest.mark.parametrize("column, value", [
    ("actor_label", "someone else"),
    ("action", "client.created"),
    ("object_type", "clients.engagement"),
    ("object_uid", "0195f0a2-0000-7000-8000-00000000beef"),
    ("client_uid", "0195f0a2-0000-7000-8000-00000000beef"),
    ("before", json.dumps({"email": "someone@example.org"})),
    ("after", json.dumps({"email": "someone@example.org"})),
    ("at", "2020-01-01 00:00:00"),
    ("actor_id", None),
])
def test_every_recorded_fact_of_an_event_is_covered_by_its_hash(db_owner, column, value, client_record, coach):
    client_update(client=client_record, by=coach.user, email="bob.stone@example.org")
    event = Event.objects.order_by("-seq").first()
    raw(f"UPDATE {EVENTS} SET {column} = %s WHERE id = %s", [value, event.pk])
    problem = verify_chain()
    assert problem is not None and problem.kind == "altered"
    assert problem.message == f"event #{event.seq} ({Event.objects.get(pk=event.pk).action}) was altered"


def test_an_event_edited_and_its_own_hash_recomputed_is_caught_where_the_next_one_no_longer_links(db_owner, commitment):
    events = list(Event.objects.order_by("seq"))
    target, following = events[2], events[3]
    raw(f"UPDATE {EVENTS} SET actor_label = %s WHERE id = %s", ["someone else", target.pk])
    rehash(target)
    problem = verify_chain()
    assert problem.kind == "altered"
    assert problem.message == f"event #{following.seq} ({following.action}) was altered"


def test_an_edited_event_with_the_next_one_re_pointed_at_it_is_still_caught(db_owner, commitment):
    # Each hash covers the link to the previous hash, so re-pointing the next event breaks its own hash.
    events = list(Event.objects.order_by("seq"))
    target, following = events[2], events[3]
    raw(f"UPDATE {EVENTS} SET actor_label = %s WHERE id = %s", ["someone else", target.pk])
    new_hash = rehash(target)
    raw(f"UPDATE {EVENTS} SET prev_hash = %s WHERE id = %s", [new_hash, following.pk])
    problem = verify_chain()
    assert problem.kind == "altered"
    assert problem.message == f"event #{following.seq} ({following.action}) was altered"


def test_rewriting_an_early_event_changes_every_later_hash_and_the_head(db_owner, commitment):
    # So a head hash written down elsewhere (a printout, a message to the client) exposes the rewrite.
    events = list(Event.objects.order_by("seq"))
    head_before = ChainHead.objects.get().last_hash
    raw(f"UPDATE {EVENTS} SET actor_label = %s WHERE id = %s", ["someone else", events[1].pk])
    prev = events[0].hash
    for event in events[1:]:
        raw(f"UPDATE {EVENTS} SET prev_hash = %s WHERE id = %s", [prev, event.pk])
        prev = rehash(event)
    rewritten = list(Event.objects.order_by("seq"))
    assert all(new.hash != old.hash for old, new in zip(events[1:], rewritten[1:], strict=True))
    assert rewritten[-1].hash != head_before


def test_an_event_that_does_not_link_to_the_genesis_is_caught(db_owner, commitment):
    first = Event.objects.order_by("seq").first()
    raw(f"UPDATE {EVENTS} SET prev_hash = %s WHERE id = %s", ["f" * 64, first.pk])
    rehash(first)
    problem = verify_chain()
    assert problem.kind == "altered" and problem.message.startswith(f"event #{first.seq} ")


def test_a_log_that_starts_after_its_first_event_is_caught(db_owner, commitment):
    raw(f"DELETE FROM {EVENTS} WHERE seq = 1")
    problem = verify_chain()
    assert problem.kind == "missing"
    assert problem.message == "event #1 is missing (the next one is #2)"


def test_an_empty_log_without_a_head_is_whole(db):
    Event.objects.all().delete()
    ChainHead.objects.all().delete()
    assert verify_chain() is None


def test_a_head_that_points_at_another_hash_is_caught(commitment):
    last = Event.objects.order_by("-seq").first()
    ChainHead.objects.filter(pk=1).update(last_hash="e" * 64)
    problem = verify_chain()
    assert problem.kind == "truncated"
    assert problem.message == f"events after #{last.seq} are missing (the log head says #{last.seq})"


def test_a_lost_head_over_an_existing_log_is_caught(commitment):
    ChainHead.objects.all().delete()
    problem = verify_chain()
    assert problem.kind == "truncated" and problem.message == "the event log's head row is missing"


def test_the_first_event_of_a_new_log_starts_the_chain_at_the_genesis(db):
    Event.objects.all().delete()
    ChainHead.objects.all().delete()
    from followthrough.practice.services import practice_create

    practice_create(name="Fresh Coaching")
    first = Event.objects.order_by("seq").first()
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert verify_chain() is None and verify_records() == []


def test_who_did_it_is_named_by_full_name_and_login_or_as_the_system(client_record, coach, client_user):
    client_update(client=client_record, by=coach.user, email="one@example.org")
    client_update(client=client_record, by=None, email="two@example.org")
    client_user.first_name = client_user.last_name = ""
    client_update(client=client_record, by=client_user, email="three@example.org")
    by_coach, by_system, by_client = Event.objects.order_by("-seq")[:3][::-1]
    assert (by_coach.actor_id, by_coach.actor_label) == (coach.user.pk, "Ana Perez <ana>")
    assert (by_system.actor_id, by_system.actor_label) == (None, "system")
    # The client's own login is not named: its name and email would stay in the log for good.
    assert (by_client.actor_id, by_client.actor_label) == (client_user.pk, "the client")


def test_an_event_about_a_clients_record_names_the_client(commitment):
    event = Event.objects.get(object_type="commitments.commitment", action="commitment.created")
    assert (event.actor, event.actor_label) == (commitment.engagement.coach.user, "Ana Perez <ana>")
    assert event.client_uid == str(commitment.engagement.client.uid)
    assert event.object_uid == str(commitment.uid)
    assert event.after == commitment.snapshot()
    assert event.before is None


def test_an_event_names_the_client_it_was_told_about(client_record, coach):
    event = event_record(by=coach.user, action="client.noted", obj=coach, client_uid=client_record.uid)
    assert event.client_uid == str(client_record.uid)
    assert event.after == coach.snapshot()


@pytest.mark.parametrize("action", ["commitment.deleted", "commitment.plan.deleted"])
def test_a_deletion_through_the_log_records_nothing_after_and_verifies(action, commitment, coach):
    # A deletion is known by the last part of its action, however many parts it has.
    uid = str(commitment.uid)
    with transaction.atomic():
        before = commitment.snapshot()
        commitment.delete()
        commitment.uid = uid
        event = event_record(by=coach.user, action=action, obj=commitment, before=before)
    assert event.after is None and event.before == before
    assert verify_chain() is None and verify_records() == []


@pytest.mark.django_db(transaction=True)
def test_a_change_logged_outside_its_own_transaction_is_refused(practice):
    count = Event.objects.count()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_record(by=None, action="practice.noted", obj=practice)
    assert Event.objects.count() == count


def test_a_record_written_behind_the_apps_back_is_named(client_record):
    sneaked = Client.objects.create(practice=client_record.practice, full_name="Nobody Logged")
    problems = verify_records()
    assert [(p.kind, p.message) for p in problems] == [
        ("unlogged", f"clients.client {sneaked.uid} has no history")]


def test_every_field_edited_behind_the_apps_back_is_named_in_order(commitment):
    Commitment.objects.filter(pk=commitment.pk).update(outcome="kept", description="Something easier")
    problems = verify_records()
    assert [(p.kind, str(p)) for p in problems] == [
        ("edited", f"commitments.commitment {commitment.uid} differs from its history in: description, outcome")]


def test_a_record_restored_behind_the_apps_back_after_its_deletion_is_named(commitment, coach):
    with transaction.atomic():
        before = commitment.snapshot()
        event_record(by=coach.user, action="commitment.deleted", obj=commitment, before=before)
    problems = verify_records()
    assert [p.kind for p in problems] == ["edited"]
    assert "description" in problems[0].message and "outcome" in problems[0].message


def test_a_rejected_change_is_not_saved_and_not_logged(client_record, coach):
    count = Event.objects.count()
    with pytest.raises(ValidationError):
        client_update(client=client_record, by=coach.user, email="not an address")
    client_record.refresh_from_db()
    assert client_record.email == "bob@example.org"
    assert Event.objects.count() == count


def test_a_rejected_new_record_is_not_saved_and_not_logged(coach):
    count, clients = Event.objects.count(), Client.objects.count()
    with pytest.raises(ValidationError):
        client_create(coach=coach, by=coach.user, full_name="Eve", email="not an address")
    assert (Event.objects.count(), Client.objects.count()) == (count, clients)


def test_a_change_saves_only_its_own_fields(client_record, coach):
    # Someone else changed the phone meanwhile; this update of the email must not put the old phone back.
    stale = Client.objects.get(pk=client_record.pk)
    client_update(client=client_record, by=coach.user, phone="+44 20 7946 0000")
    client_update(client=stale, by=coach.user, email="bob.stone@example.org")
    client_record.refresh_from_db()
    assert (client_record.phone, client_record.email) == ("+44 20 7946 0000", "bob.stone@example.org")


def test_many_to_many_values_are_saved_and_logged(coach, focus):
    from followthrough.practice.services import coach_update

    coach_update(coach=coach, by=None, specialties=[focus["business"], focus["career"]])
    event = Event.objects.order_by("-seq").first()
    assert event.action == "coach.updated"
    assert sorted(event.after["specialties"]) == sorted([focus["business"].pk, focus["career"].pk])
    assert set(coach.specialties.all()) == {focus["business"], focus["career"]}
    assert verify_records() == []


def test_a_new_record_with_many_to_many_values_is_logged_with_them(practice, focus):
    from followthrough.practice.services import coach_create

    made = coach_create(practice=practice, username="dan", email="dan@example.org", display_name="Dan Moss",
                        specialties=[focus["career"]])
    event = Event.objects.filter(action="coach.created", object_uid=str(made.uid)).get()
    assert event.after["specialties"] == [focus["career"].pk]
    assert verify_records() == []


def test_locking_a_stale_copy_of_a_record_brings_it_up_to_date(client_record, coach):
    stale = Client.objects.get(pk=client_record.pk)
    client_update(client=client_record, by=coach.user, email="bob.stone@example.org")
    with transaction.atomic():
        assert lock(stale) is stale
    assert stale.email == "bob.stone@example.org"


def test_creating_without_validation_still_saves_and_logs(practice):
    count = Event.objects.count()
    made = tracked_create(Client(practice=practice, full_name="Quick Entry", email="not checked"),
                          by=None, action="client.created", validate=False)
    assert Client.objects.filter(pk=made.pk).exists() and Event.objects.count() == count + 1
    tracked_update(made, by=None, action="client.updated", changes={"phone": "123"}, validate=False)
    assert Event.objects.count() == count + 2


def test_a_server_running_in_another_time_zone_hashes_the_same_event_the_same(settings):
    settings.TIME_ZONE = "America/New_York"
    assert event_hash(prev_hash=KNOWN_PREV_HASH, **KNOWN_EVENT) == KNOWN_HASH


def test_an_event_told_which_client_it_concerns_names_that_client(commitment, coach, colleague_client):
    with transaction.atomic():
        event = event_record(by=coach.user, action="commitment.noted", obj=commitment,
                             client_uid=colleague_client.uid)
    assert event.client_uid == str(colleague_client.uid)


def test_an_event_about_no_client_names_none(practice):
    event = Event.objects.filter(object_type="practice.practice").order_by("seq").first()
    assert event.client_uid == "" and event.object_uid == str(practice.uid)


@pytest.mark.django_db(transaction=True)
def test_logging_outside_a_transaction_says_what_to_do(practice):
    with pytest.raises(RuntimeError) as exc:
        event_record(by=None, action="practice.noted", obj=practice)
    assert str(exc.value) == "event_record must run inside the transaction that makes the change"


def test_a_write_over_a_log_that_lost_its_head_says_to_run_verify(client_record, coach):
    ChainHead.objects.all().delete()
    with pytest.raises(RuntimeError) as exc:
        client_update(client=client_record, by=coach.user, email="new@example.org")
    assert str(exc.value) == "The event log's head row is missing; run `followthrough verify`."


def test_an_unlogged_record_does_not_hide_an_edited_one_after_it(client_record, coach):
    # Records are checked in their listing order (by name): Aaron, then Bob, then Zoe.
    sneaked = Client.objects.create(practice=client_record.practice, full_name="Aaron Unlogged")
    later = client_create(coach=coach, by=coach.user, full_name="Zoe Long")
    Client.objects.filter(pk=later.pk).update(full_name="Zoe Short")
    problems = verify_records()
    assert [(p.kind, p.message) for p in problems] == [
        ("unlogged", f"clients.client {sneaked.uid} has no history"),
        ("edited", f"clients.client {later.uid} differs from its history in: full_name"),
    ]


def test_a_record_deleted_behind_the_apps_back_is_reported_as_vanished(commitment):
    Commitment.objects.filter(pk=commitment.pk).delete()
    problems = verify_records()
    assert [(p.kind, p.message) for p in problems] == [
        ("vanished", f"commitments.commitment {commitment.uid} was deleted outside the app")]
