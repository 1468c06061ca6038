import os
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import models

from . import clock

GENESIS_HASH = "0" * 64


def json_safe(value):
    """The form a field value takes inside an event, identical after a database round trip."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def time_ordered_uuid():
    """A version 7 UUID (RFC 9562): the time in milliseconds, then 74 random bits.

    For records written by the thousand, such as a scan's flags: each new uid lands at
    the end of the indexes keyed by it (the table's own, and the event log's by object)
    instead of on a random page of each, which at 2,351 flags cut what SQLite wrote for
    a scan from 25 MB to 16 MB and its time by a tenth. The random part still makes
    uids unguessable; the time part says when the record was made, which the record
    shows anyway.
    """
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")
    value = ((milliseconds & (2**48 - 1)) << 80) | (0x7 << 76) | ((random_bits >> 62) & 0xFFF) << 64
    value |= (0b10 << 62) | (random_bits & (2**62 - 1))
    return uuid.UUID(int=value)


class TrackedModel(models.Model):
    """A record whose every change is written to the event log.

    `uid` is what URLs and the API show, so row numbers never leak how big a practice is
    or let anyone walk through other people's records.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    # Fields whose values are written into the event log and compared by `verify`.
    history_fields: tuple[str, ...] = ()
    history_m2m: tuple[str, ...] = ()
    # The history fields holding a person's data (docs/erasure.md lists them and why):
    # sealed in every event under the client's key, scrubbed when the client is erased.
    personal_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def history_type(cls):
        return cls._meta.label_lower

    @classmethod
    def snapshot_of(cls, value_of):
        """The event log's form of a record's `history_fields`, given `value_of(attname)`
        (`engagement_id` for `engagement`): for writers that never build the instance."""
        return {name: json_safe(value_of(cls._meta.get_field(name).attname)) for name in cls.history_fields}

    def snapshot(self):
        data = self.snapshot_of(partial(getattr, self))
        for name in self.history_m2m:
            data[name] = sorted(getattr(self, name).values_list("pk", flat=True))
        return data


class ChainHead(models.Model):
    """The one row that points at the newest event.

    Locking it serialises appends on PostgreSQL, and it lets `verify` notice events cut
    from the end of the log, which a chain alone cannot show.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # HMAC of (last_seq, last_hash) under FT_LOG_SIGNING_KEY, which the database never holds:
    # a chain recomputed after an edit, head included, cannot carry a valid one.
    signature = models.CharField(max_length=64, blank=True, default="")

    def __str__(self):
        return f"event log head at #{self.last_seq}"


class EventQuerySet(models.QuerySet):
    """Events loaded as instances come with their personal fields opened (history.sealing),
    with one query for the keys of the clients they concern; `iterator()` and
    `values()`/`values_list()` give the stored, sealed form, which is what hashes cover."""

    def _fetch_all(self):
        opened = self._result_cache is not None
        super()._fetch_all()
        if not opened and self._result_cache and isinstance(self._result_cache[0], Event):
            from .sealing import open_events

            open_events(self._result_cache)


class Event(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_uid = models.CharField(max_length=36)
    # The client a record belongs to, so a client's history and data export is one query.
    client_uid = models.CharField(max_length=36, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_uid", "seq"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_uid}"

    def changes(self):
        """(field, before, after) for each field the event changed, for history pages."""
        before, after = self.before or {}, self.after or {}
        return [
            (name, before.get(name), after.get(name))
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)
        ]


class AccessRecord(models.Model):
    """Someone opened a client's file, a file review or its PDF, or an export.

    One cheap row per view, not a hash-chained event: views are many and change nothing.
    Append-only in the database like the events (history.guards). The practice is kept
    as its id, not a foreign key, because the log sits below the practice app.
    """

    class Kind(models.TextChoices):
        CLIENT_FILE = "client_file", "client file"
        FILE_REVIEW = "file_review", "file review"
        FILE_REVIEW_PDF = "file_review_pdf", "file review PDF"
        EXPORT = "export", "export"

    at = models.DateTimeField(default=clock.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    actor_label = models.CharField(max_length=200)
    practice_id = models.BigIntegerField(db_index=True)
    client_uid = models.CharField(max_length=36, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_uid = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["practice_id", "at"])]

    def __str__(self):
        return f"{self.actor_label} viewed {self.get_kind_display()} of {self.client_uid} at {self.at:%d %b %Y %H:%M}"


class ClientKey(models.Model):
    """The key that seals one client's personal fields in the event log (history.sealing).

    Deliberately not append-only, unlike the rest of the history: destroying a key is how
    a client is erased, because every snapshot sealed under it becomes unreadable while
    its hash still matches. A destroyed key keeps its row (no key, `destroyed_at` set) so
    nothing writes the erased person under a new key. The key is stored wrapped under
    FT_DATA_KEY, which the database never holds: a dump alone opens nothing.
    """

    client_uid = models.CharField(max_length=36, unique=True)
    wrapped = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        state = f"destroyed {self.destroyed_at:%d %b %Y}" if self.destroyed_at else "live"
        return f"key of client {self.client_uid} ({state})"
