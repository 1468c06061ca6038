"""Deciding which flags are due and turning the answer into flag rows.

Both entry points share one unit of work (`_settle`): lock the engagements' scan rows,
decide their conditions, read their open flags, and raise or clear the difference in one
transaction. `engagement_refresh` decides one engagement with the detection statement
(`detection.py`) in a fixed number of statements (at most 11, 10 unless it clears a
flag), however long the engagement's history is.

`scan_pass` runs the sweep (`sweep.py`): one statement over the whole practice that
returns the difference between the conditions and the open flags, with the evidence of
each condition to raise. Its rows are read as a stream, `batch_size` engagements at a
time; each batch is claimed and settled from the sweep's own answer. So:

- a pass that changes nothing makes 6 statements (count, the event log's head, sweep, and
  reading, setting and restoring its session settings: SQLite's page cache, PostgreSQL's
  JIT and cursor planning), whatever the caseload;
- a pass that changes flags adds at most 12 per batch of changed engagements (claim, lock,
  open flags' keys, a look at the event log, load the flags to clear, insert flags, clear
  flags, 3 chain writes, release, plus SQLite's BEGIN; the detection statement too for a
  batch with engagements whose records changed during the pass; one more per table only
  past a statement's parameter limit): its count follows the changes, never the clients.

Concurrency: a batch is claimed with a conditional upsert (`claim_token IS NULL OR the
lease ran out`) committed on its own, so a second scanner skips it; the unit of work then
re-locks the claimed rows, which on PostgreSQL also serialises it with a refresh of the
same engagement. The sweep's answer may be seconds old by then, so under the lock the
event log says whose records changed since the sweep began (`_SinceSweep`): those
engagements are decided again by the detection statement on the records as they are
then, the rest take the sweep's answer, applied to the flags open now. The partial unique
index (one open flag per engagement and kind) is the last line: a race that slipped past
all this would fail, roll back and be retried.
"""

import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F

from followthrough.clients.models import Engagement
from followthrough.history import clock
from followthrough.history.models import ChainHead, Event
from followthrough.history.services import tracked_create, tracked_update

from . import detection, sweep
from .journal import flags_write, max_params
from .models import (
    THRESHOLD_FIELDS,
    CoachThresholds,
    EngagementScan,
    Flag,
    PracticeThresholds,
    check_thresholds,
)
from .signals import engagement_refreshed

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
LEASE = timedelta(minutes=10)


@dataclass
class Change:
    change: str  # "raised" or "cleared"
    flag_uid: str
    kind: str
    engagement_uid: str
    client_uid: str

    def as_dict(self):
        return {"change": self.change, "flag": self.flag_uid, "kind": self.kind,
                "engagement": self.engagement_uid, "client": self.client_uid}


@dataclass
class PassResult:
    batches: int = 0
    engagements: int = 0  # every engagement the sweep checked
    settled: int = 0  # the ones re-checked under a claim because their flags looked out of date
    raised: int = 0
    cleared: int = 0
    failed: list = field(default_factory=list)  # engagement ids skipped because of an error

    def as_dict(self):
        return {"batches": self.batches, "engagements": self.engagements, "settled": self.settled,
                "raised": self.raised,
                "cleared": self.cleared, "failed": list(self.failed)}


def _q(name):
    return connection.ops.quote_name(name)


SCAN = _q(EngagementScan._meta.db_table)


def _detect(ids, known):
    """Stream the detection rows for the engagements `ids` and group them by condition."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(detection.detect_sql(vendor), detection.detect_params(vendor, ids=ids, known=known))

        def rows():
            while chunk := cursor.fetchmany(2000):
                yield from chunk

        return detection.conditions(rows(), known)


def _settle(*, decide, open_flags, lock_sql, lock_params, now, release_sql, release_params):
    """One unit of work: decide, compare with the open flags, write the difference.

    `lock_sql` selects the engagements this unit owns, locking their scan rows on
    PostgreSQL (SQLite's IMMEDIATE transaction already holds the write lock).
    `decide(owned, known)` then says which conditions hold, in `detection.conditions`'
    form (`known`: the open flags' keys, whose evidence is not needed); conditions of
    engagements the unit does not own are dropped. `release_sql` stamps the scan rows
    (and frees a claim).
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(lock_sql + for_update, lock_params)
            owned = {row[0] for row in cursor.fetchall()}
        if not owned:
            return []
        # Keys only (no evidence to decode, no ordering): in a steady pass every open flag
        # is found again, and only the ones to clear are loaded whole, in one more statement.
        current = {(engagement_id, kind): pk for pk, engagement_id, kind
                   in open_flags.order_by().values_list("pk", "engagement_id", "kind")}
        wanted = decide(owned, current.keys())
        wanted = {key: found for key, found in wanted.items() if key[0] in owned}
        raise_flags = [(key[0], key[1], found[2], found[0])
                       for key, found in wanted.items() if key not in current]
        clear_ids = [pk for key, pk in current.items() if key not in wanted]
        clear_flags = []
        step = max_params() - 1  # more statements only past the parameter limit
        for start in range(0, len(clear_ids), step):
            clear_flags += [(flag, flag.client_uid_) for flag in Flag.objects.filter(
                pk__in=clear_ids[start:start + step]).order_by("pk").annotate(
                client_uid_=F("engagement__client__uid"), engagement_uid_=F("engagement__uid"))]
        created = flags_write(raise_flags=raise_flags, clear_flags=clear_flags, now=now)
        with connection.cursor() as cursor:
            cursor.execute(release_sql, release_params)
    changes = [Change("raised", str(flag.uid), flag.kind, wanted[(flag.engagement_id, flag.kind)][1],
                      wanted[(flag.engagement_id, flag.kind)][0]) for flag in created]
    changes += [Change("cleared", str(flag.uid), flag.kind, str(flag.engagement_uid_), str(client_uid))
                for flag, client_uid in clear_flags]
    return changes


def _ensure_scan_row(engagement_id):
    """The scan row a refresh locks; a scan's claims make their own (`_claim`)."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {SCAN} (engagement_id) SELECT e.id FROM {_q('clients_engagement')} e "
                       f"WHERE e.id = %s ON CONFLICT DO NOTHING", [engagement_id])


def engagement_refresh(*, engagement, now=None):
    """Bring one engagement's flags up to date with its records, in a fixed number of statements.

    Called after a meeting is reviewed or its status changes; a scan would reach the same
    answer, this just gets there without waiting for the next pass.
    """
    engagement_id = getattr(engagement, "pk", engagement)
    now = now or clock.now()
    with transaction.atomic():
        _ensure_scan_row(engagement_id)
        result = _settle(
            decide=lambda owned, known: _detect([engagement_id], known),
            open_flags=Flag.objects.open().filter(engagement_id=engagement_id),
            lock_sql=f"SELECT engagement_id FROM {SCAN} WHERE engagement_id = %s",
            lock_params=[engagement_id], now=now,
            release_sql=f"UPDATE {SCAN} SET scanned_at = %s WHERE engagement_id = %s",
            release_params=[now, engagement_id],
        )
    engagement_refreshed.send(sender=Flag, engagement_id=engagement_id)
    return result


def _claim(token, ids, now):
    """Claim the engagements in `ids` that no other scanner holds (or whose lease ran out).

    An engagement's scan row is made by its first claim (or refresh), so a pass writes
    rows only for the engagements it settles, never for the whole practice.
    """
    sql = (f"INSERT INTO {SCAN} (engagement_id, claim_token, claimed_until) "
           f"SELECT e.id, %(token)s, %(until)s FROM {_q('clients_engagement')} e "
           f"WHERE {detection.in_ids('e.id', connection.vendor)} "
           f"ON CONFLICT (engagement_id) DO UPDATE SET claim_token = excluded.claim_token, "
           f"claimed_until = excluded.claimed_until "
           f"WHERE {SCAN}.claim_token IS NULL OR {SCAN}.claimed_until < %(now)s")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"token": token, "until": now + LEASE, "now": now,
                             "ids": detection.ids_param(ids, connection.vendor)})
        return cursor.rowcount


def _claimed_ids(token):
    return list(EngagementScan.objects.filter(claim_token=token).order_by("engagement_id")
                .values_list("engagement_id", flat=True))


def _settle_claimed(token, decide, now, result):
    """Settle the engagements claimed with `token` as `decide` says, then free the claim."""
    scope_rows = EngagementScan.objects.filter(claim_token=token).values("engagement_id")
    try:
        return _settle(
            decide=decide,
            open_flags=Flag.objects.open().filter(engagement_id__in=scope_rows),
            lock_sql=f"SELECT engagement_id FROM {SCAN} WHERE claim_token = %s",
            lock_params=[token], now=now,
            release_sql=f"UPDATE {SCAN} SET claim_token = NULL, claimed_until = NULL, "
                        f"scanned_at = %s WHERE claim_token = %s",
            release_params=[now, token],
        )
    except Exception:
        log.exception("engine scan: batch %s failed; retrying its engagements one by one", token)
    # One bad row must not cost the whole batch: settle each engagement alone, skip the
    # ones that still fail, and leave their claim to run out so they are retried later.
    changes = []
    for engagement_id in _claimed_ids(token):
        try:
            with transaction.atomic():
                changes += engagement_refresh(engagement=engagement_id, now=now)
                EngagementScan.objects.filter(pk=engagement_id).update(claim_token=None,
                                                                         claimed_until=None)
        except Exception:
            log.exception("engine scan: engagement %s skipped", engagement_id)
            result.failed.append(engagement_id)
    return changes


def _detected(ids):
    """Decide the engagements `ids` (sorted) by the detection statement, under the lock."""
    return lambda owned, known: _detect(ids, known)


class _SinceSweep:
    """Whose records changed after the sweep read them, told by the event log.

    Every change to a record is made by a service that appends an event in the same
    transaction, naming the record's client, or no client for practice-wide settings such
    as thresholds. So an engagement whose client has no event since the sweep began was
    judged by the sweep on the records as they still are, and the sweep's answer may be
    written. The head is read before the sweep starts, so an event racing the sweep's
    start counts as after it: the doubt goes to deciding again.
    """

    SQL = ("SELECT h.last_seq, ev.client_uid FROM {head} h LEFT JOIN {events} ev "
           "ON ev.seq > %(upto)s AND ev.seq <= h.last_seq AND ev.action NOT LIKE %(flags)s WHERE h.id = 1")

    def __init__(self):
        self.upto = ChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
        self.clients, self.everyone = set(), False

    def look(self):
        """Take in the events appended since the last look (the engine's own flag events
        change no record). Called under a batch's lock, so its answer holds until commit."""
        sql = self.SQL.format(head=_q(ChainHead._meta.db_table), events=_q(Event._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql, {"upto": self.upto, "flags": "flag.%"})
            for head, client_uid in cursor.fetchall():
                self.upto = head
                if client_uid == "":
                    self.everyone = True
                elif client_uid is not None:
                    self.clients.add(client_uid)

    def changed(self, engagement_ids, client_uids):
        return sorted(e for e in engagement_ids if self.everyone or client_uids[e] in self.clients)


def _swept(batch, since_sweep):
    """Decide a swept batch by the sweep's difference (raise these, clear those), applied
    to the flags open now; the engagements whose records changed since the sweep read them
    are decided again."""
    def decide(owned, known):
        since_sweep.look()
        again = since_sweep.changed(owned, batch.client_uids)
        wanted = {key: None for key in known if key[0] not in again and key not in batch.to_clear}
        wanted.update((key, found) for key, found in batch.to_raise.items() if key[0] not in again)
        if again:
            wanted.update(_detect(again, known))
        return wanted
    return decide


def _every_engagement(batch_size):
    """All engagement ids, a batch at a time: the way through when the sweep itself fails."""
    after = 0
    while True:
        ids = list(Engagement.objects.filter(pk__gt=after).order_by("pk")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        after = ids[-1]


# Session settings for the length of a pass, put back afterwards.
# SQLite: a scan reads the whole practice, and SQLite's default page cache (2 MB) would
# send most reads back to the OS, so 64 MB. The cache size also bounds what each of the
# statement's sorters holds in memory before spilling to a temporary file (temp_store
# stays FILE): the process peaks near 440 MB at 100 k clients, against 111 MB with the
# default cache, which made the pass 10-20% slower (bench/README.md).
# PostgreSQL: no JIT. The sweep's cost estimate (three index probes per engagement) is
# high enough to switch JIT compilation on, which took 0.7 s of a 1.0 s sweep at 10 k
# clients and saved nothing. And the sweep's cursor is read to the end: planned for its
# first tenth (the default for a cursor), it ran for minutes at 100 k clients instead of
# seven seconds.
PASS_SETTINGS = {
    "sqlite": {"cache_size": -65536},
    "postgresql": {"jit": "off", "cursor_tuple_fraction": "1"},
}


def _read_settings(cursor, vendor, names):
    if vendor == "sqlite":  # one pragma per statement
        values = []
        for name in names:
            cursor.execute(f"PRAGMA {name}")
            values.append(cursor.fetchone()[0])
        return dict(zip(names, values, strict=True))
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), list(names))
    return dict(zip(names, cursor.fetchone(), strict=True))


def _write_settings(cursor, vendor, settings):
    if vendor == "sqlite":
        for name, value in settings.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")
        return
    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, false)"] * len(settings)),
                   [part for name, value in settings.items() for part in (name, str(value))])


@contextmanager
def scan_tuned():
    """Apply PASS_SETTINGS on this connection for a block, then put back the old values."""
    vendor = connection.vendor
    settings = PASS_SETTINGS.get(vendor, {})
    if not settings:
        yield
        return
    with connection.cursor() as cursor:
        old = _read_settings(cursor, vendor, list(settings))
        _write_settings(cursor, vendor, settings)
    try:
        yield
    finally:
        # A transaction that failed inside the block puts the settings back itself when it
        # rolls back (PostgreSQL), and would refuse any statement before then.
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                _write_settings(cursor, vendor, old)


def scan_pass(*, batch_size=DEFAULT_BATCH_SIZE, on_change=None, now=None):
    """One pass over every engagement, batch by batch; safe to run in several processes.

    Catching up after downtime needs nothing special: each pass recomputes the current
    state from the records, so a missed pass only delays a flag, it never loses one.
    """
    with scan_tuned():
        return _scan_pass(batch_size=batch_size, on_change=on_change, now=now)


def _scan_pass(*, batch_size, on_change, now):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = PassResult()
    result.engagements = Engagement.objects.filter(state=Engagement.State.ACTIVE).count()
    since_sweep = _SinceSweep()
    sweep_failed = []

    def swept_batches():
        # Errors of the sweep itself (a record it cannot read) end up here; the settle's own
        # are handled per batch, and the caller's (`on_change`) are not the sweep's.
        try:
            with sweep.sweep_cursor() as cursor:
                cursor.execute(sweep.sweep_sql(connection.vendor), detection.detect_params())
                for batch in sweep.batches(cursor, batch_size):
                    decide = _detected(batch.ids) if batch.error else _swept(batch, since_sweep)
                    yield batch.ids, decide
        except Exception:
            log.exception("engine scan: the sweep failed; settling every engagement instead")
            sweep_failed.append(True)

    def every_batch():
        for ids in _every_engagement(batch_size):
            yield ids, _detected(ids)

    for work in (swept_batches, every_batch):
        for ids, decide in work():
            token = uuid.uuid4().hex
            # A fresh clock per batch keeps a long pass's leases from expiring before they start.
            batch_now = now or clock.now()
            claimed = _claim(token, ids, batch_now)
            if not claimed:
                continue  # another scanner holds all of them
            result.batches += 1
            result.settled += claimed
            for change in _settle_claimed(token, decide, batch_now, result):
                if change.change == "raised":
                    result.raised += 1
                else:
                    result.cleared += 1
                if on_change is not None:
                    on_change(change)
        if not sweep_failed:
            break
    return result


# Thresholds --------------------------------------------------------------------------


def _check_fields(values):
    unknown = set(values) - set(THRESHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown threshold fields: {sorted(unknown)}")


@transaction.atomic
def practice_thresholds_set(*, practice, by, **values):
    """Set practice-wide thresholds; values left out keep their current (or default) value."""
    _check_fields(values)
    check_thresholds(values)
    current = PracticeThresholds.objects.select_for_update().filter(practice=practice).first()
    if current is None:
        return tracked_create(PracticeThresholds(practice=practice, **values), by=by,
                              action="thresholds.practice_set")
    return tracked_update(current, by=by, action="thresholds.practice_set", changes=values)


@transaction.atomic
def coach_thresholds_set(*, coach, by, **values):
    """Set a coach's overrides; None removes an override so the practice value applies."""
    _check_fields(values)
    check_thresholds(values)
    current = CoachThresholds.objects.select_for_update().filter(coach=coach).first()
    if current is None:
        return tracked_create(CoachThresholds(coach=coach, **values), by=by,
                              action="thresholds.coach_set")
    return tracked_update(current, by=by, action="thresholds.coach_set", changes=values)


def refresh_on_records_changed(sender, *, engagement_id, **kwargs):
    """The engine's answer to `history.signals.records_changed`."""
    engagement_refresh(engagement=engagement_id)
