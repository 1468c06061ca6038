"""Writing many flags and their history in a constant number of statements.

`tracked_create`/`tracked_update` spend five or six statements per record, so a scan that
raises thousands of flags after downtime would make a number of queries proportional to
the caseload. This module writes a batch of flag changes the same way those helpers
would, event for event (same actions, same snapshots, same hash chain, built with
the history app's `event_body` and `chain_hash`), but with one INSERT/UPDATE per table
per batch.
`verify_chain` and `verify_records` accept the result exactly as they accept the helpers'.
"""

import json
import uuid
from contextlib import nullcontext
from typing import NamedTuple

from django.db import connection

from followthrough.history import clock
from followthrough.history.models import ChainHead, Event, time_ordered_uuid
from followthrough.history.services import actor_label_for, canonical, chain_hash, event_body

from .models import Flag

RAISED = "flag.raised"
CLEARED = "flag.cleared"


def max_params():
    """Parameters one statement may carry: SQLite before 3.32 allows 999, later 32766."""
    if connection.vendor == "sqlite":
        import sqlite3

        return 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return 65535


def _rows_per_statement(columns):
    # One multi-row VALUES instead of a round trip per row: a scan batch of 1000
    # engagements (at most 3000 flags) takes one or two statements per table.
    return max(1, max_params() // columns - 1)


def _copy_many_pg(model, names, rows, table, columns):
    """PostgreSQL: the rows go through COPY, the server's bulk path. At a cold pass's
    thousands of flag events it took 0.13 s less than one INSERT of a JSON array unpacked
    by the server (which spent its time encoding, sending and parsing the array)."""
    convert = [_converter(model._meta.get_field(n)) for n in names]
    sql = f"COPY {table} ({columns}) FROM STDIN"

    def copy(sql, params, many, context):
        with connection.wrap_database_errors, context["cursor"].cursor.copy(sql) as stream:
            for row in rows:
                stream.write_row([convert[i](value) for i, value in enumerate(row)])

    with connection.cursor() as cursor:
        # Through the connection's execute wrappers and query log, so a COPY counts as the
        # statement it is wherever statements are counted.
        log_statement = getattr(cursor, "debug_sql", None)
        with log_statement(sql) if log_statement else nullcontext():
            cursor._execute_with_wrappers(sql, None, False, copy)


def _insert_many(model, names, rows):
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    if connection.vendor == "postgresql":
        return _copy_many_pg(model, names, rows, table, columns)
    marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    convert = [_converter(model._meta.get_field(n)) for n in names]
    with connection.cursor() as cursor:
        step = _rows_per_statement(len(names))
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            params = [convert[i](value) for row in chunk for i, value in enumerate(row)]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))}",
                           params)


def _converter(field):
    """A field's value as the database takes it: what `field.get_db_prep_save` returns.

    That method costs 5-10 microseconds a value, most of a cold scan's time in Python at
    tens of thousands of values; these do the same for the types the engine writes.
    A batch's rows share their timestamps, so each distinct one is converted once.
    """
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "BigIntegerField", "IntegerField", "ForeignKey"):
        return lambda value: value
    if kind == "UUIDField" and not connection.features.has_native_uuid_field:
        return lambda value: None if value is None else value.hex
    if kind == "JSONField":
        encoder = field.encoder
        return lambda value: (None if value is None else value if isinstance(value, Encoded)
                              else json.dumps(value, cls=encoder))
    converted = {}

    def once(value):
        if value not in converted:
            converted[value] = field.get_db_prep_save(value, connection)
        return converted[value]
    return once if kind == "DateTimeField" else (lambda value: field.get_db_prep_save(value, connection))


class Encoded(str):
    """A value's canonical JSON text (the history app's `canonical`), made once: written to
    a JSON column as it is, and spliced into the text of what contains it (`_spliced`)."""


def _spliced(value, name, text):
    """canonical(value), value[name] being given as its canonical `text`. JSON's text for a
    nested value does not depend on what surrounds it, so a marker is encoded in its place
    and replaced; a value whose other fields hold the marker is encoded the long way."""
    marker = _MARK + name + _MARK
    encoded, quoted = canonical({**value, name: marker}), canonical(marker)
    if encoded.count(quoted) != 1:
        return canonical({**value, name: json.loads(text)})
    return encoded.replace(quoted, text, 1)


_MARK = "\ue000"  # a private-use character: no text the engine writes holds it


def events_append(changes, *, by=None):
    """Append one event per (action, object_type, object_uid, before, after, client_uid), in
    order; `after` may be `Encoded`.

    Three statements for a scan batch's worth of changes (on SQLite more only past its
    parameter limit): lock the chain head, insert the events, move the head. Must run
    inside the transaction that makes the changes.
    """
    if not changes:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("events_append must run inside the transaction that makes the changes")
    head = ChainHead.objects.select_for_update().get(pk=1)
    seq, prev_hash = head.last_seq, head.last_hash
    at = clock.now()
    actor_id, actor_label = (by.pk if by is not None else None), actor_label_for(by)
    rows = []
    for action, object_type, object_uid, before, after, client_uid in changes:
        seq += 1
        object_uid, client_uid = str(object_uid), str(client_uid or "")
        body = event_body(seq=seq, at=at, actor_id=actor_id, actor_label=actor_label, action=action,
                          object_type=object_type, object_uid=object_uid, client_uid=client_uid,
                          before=before, after=after)
        digest = chain_hash(prev_hash, _spliced(body, "after", after) if isinstance(after, Encoded)
                            else canonical(body))
        rows.append((seq, at, actor_id, actor_label, action, object_type, object_uid, client_uid,
                     before, after, prev_hash, digest))
        prev_hash = digest
    _insert_many(Event, ("seq", "at", "actor", "actor_label", "action", "object_type", "object_uid",
                         "client_uid", "before", "after", "prev_hash", "hash"), rows)
    ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev_hash)


class Raised(NamedTuple):
    uid: uuid.UUID
    engagement_id: int
    kind: str


def flags_write(*, raise_flags, clear_flags, now, by=None):
    """Raise new flags and clear open ones, with their events, in one go.

    `raise_flags` holds (engagement_id, kind, evidence, client_uid); `clear_flags` holds
    (flag, client_uid) for flags loaded from the database. Returns the new flags as
    `Raised` tuples. A new flag's evidence is encoded once, for its row, its event and
    the event's hash: a cold pass writes thousands.
    """
    flag_type = Flag.history_type()
    created, changes, rows = [], [], []
    for engagement_id, kind, evidence, client_uid in raise_flags:
        uid = time_ordered_uuid()
        evidence_text = Encoded(canonical(evidence))
        values = {"engagement_id": engagement_id, "kind": kind, "raised_at": now, "cleared_at": None,
                  "evidence": None}
        after = Encoded(_spliced(Flag.snapshot_of(values.__getitem__), "evidence", evidence_text))
        created.append(Raised(uid, engagement_id, kind))
        changes.append((RAISED, flag_type, uid, None, after, client_uid))
        rows.append((uid, now, engagement_id, kind, now, None, evidence_text))
    _insert_many(Flag, ("uid", "created_at", "engagement", "kind", "raised_at", "cleared_at", "evidence"), rows)
    if clear_flags:
        cleared = []
        for flag, client_uid in clear_flags:
            before = flag.snapshot()
            flag.cleared_at = now
            cleared.append((CLEARED, flag_type, flag.uid, before, flag.snapshot(), client_uid))
        table = connection.ops.quote_name(Flag._meta.db_table)
        ids = [flag.pk for flag, _ in clear_flags]
        with connection.cursor() as cursor:
            # The `cleared_at IS NULL` guard keeps a flag cleared once, by one writer.
            step = _rows_per_statement(1)
            for start in range(0, len(ids), step):
                chunk = ids[start:start + step]
                cursor.execute(
                    f"UPDATE {table} SET cleared_at = %s WHERE cleared_at IS NULL "
                    f"AND id IN ({', '.join(['%s'] * len(chunk))})",
                    [_converter(Flag._meta.get_field("cleared_at"))(now), *chunk],
                )
        changes.extend(cleared)
    events_append(changes, by=by)
    return created
