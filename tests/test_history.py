import pytest
from django.db import connection

from followthrough.clients.services import client_update
from followthrough.history.models import ChainHead, Event
from followthrough.history.services import verify_chain, verify_records


def test_every_write_appends_an_event_with_who_what_before_and_after(client_record, coach):
    count = Event.objects.count()
    client_update(client=client_record, by=coach.user, email="bob.stone@example.org")
    event = Event.objects.order_by("-seq").first()
    assert Event.objects.count() == count + 1
    assert event.action == "client.updated"
    assert event.actor == coach.user and "ana" in event.actor_label
    assert event.client_uid == str(client_record.uid)
    assert event.changes() == [("email", "bob@example.org", "bob.stone@example.org")]


def test_a_change_that_changes_nothing_writes_no_event(client_record, coach):
    count = Event.objects.count()
    client_update(client=client_record, by=coach.user, email="bob@example.org")
    assert Event.objects.count() == count


def test_events_are_chained_and_the_head_points_at_the_last(commitment):
    events = list(Event.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    head = ChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    assert verify_chain() is None


def test_verify_names_an_event_edited_behind_the_apps_back(commitment, db_owner):
    target = Event.objects.filter(action="commitment.created").get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE history_event SET actor_label = %s WHERE id = %s", ["someone else", target.pk])
    problem = verify_chain()
    assert problem.kind == "altered" and f"#{target.seq}" in problem.message


def test_verify_names_a_record_edited_behind_the_apps_back(commitment):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE commitments_commitment SET due_on = %s WHERE id = %s", ["2030-01-01", commitment.pk])
    problems = verify_records()
    assert [p.kind for p in problems] == ["edited"]
    assert str(commitment.uid) in problems[0].message and "due_on" in problems[0].message


def test_verify_reports_a_missing_log_head_and_writes_refuse_to_start_a_new_chain(client_record, coach):
    ChainHead.objects.all().delete()
    assert verify_chain().message == "the event log's head row is missing"
    with pytest.raises(RuntimeError, match="head row is missing"):
        client_update(client=client_record, by=coach.user, email="new@example.org")


def test_time_ordered_uuids_sort_by_creation_and_are_standard_v7():
    import time
    import uuid

    from followthrough.history.models import time_ordered_uuid

    earlier = time_ordered_uuid()
    time.sleep(0.002)
    later = time_ordered_uuid()
    assert str(earlier) < str(later)  # index order is creation order across milliseconds
    assert earlier.version == later.version == 7 and earlier.variant == uuid.RFC_4122
    assert abs((later.int >> 80) - time.time_ns() // 1_000_000) < 5_000  # the time, in ms
    assert len({time_ordered_uuid() for _ in range(1000)}) == 1000
