"""Appending to the hash-chained event log, and checking it."""

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection

from . import clock, sealing, signing
from .models import GENESIS_HASH, ChainHead, Event, TrackedModel, json_safe

# One encoder for every call: `json.dumps` with these options builds a new one each time,
# which was a third of the cost of hashing a scan's worth of flag events.
canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def event_body(*, seq, at, actor_id, actor_label, action, object_type, object_uid, client_uid,
               before, after):
    """What an event's hash covers, before it is put in canonical form."""
    return {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_uid": object_uid,
        "client_uid": client_uid,
        "before": before,
        "after": after,
    }


def chain_hash(prev_hash, body_text):
    """An event's hash: its body's canonical text, chained to the previous event's hash."""
    return hashlib.sha256((prev_hash + body_text).encode()).hexdigest()


def event_hash(*, prev_hash, seq, at, actor_id, actor_label, action, object_type, object_uid,
               client_uid, before, after):
    return chain_hash(prev_hash, canonical(event_body(
        seq=seq, at=at, actor_id=actor_id, actor_label=actor_label, action=action,
        object_type=object_type, object_uid=object_uid, client_uid=client_uid, before=before,
        after=after)))


def hash_of(event):
    """The hash of an event as stored: over its sealed snapshots, even once they are opened."""
    return event_hash(
        prev_hash=event.prev_hash, seq=event.seq, at=event.at, actor_id=event.actor_id,
        actor_label=event.actor_label, action=event.action, object_type=event.object_type,
        object_uid=event.object_uid, client_uid=event.client_uid,
        before=getattr(event, "stored_before", event.before), after=getattr(event, "stored_after", event.after),
    )


# A note added to the actor label of every event written while `noted` runs: imports
# mark what they bring in ("imported from clients.csv") without each service knowing.
_actor_note = ContextVar("followthrough_actor_note", default="")


@contextmanager
def noted(note):
    """Label the events written in this block as, e.g., imported or handed off."""
    token = _actor_note.set(note)
    try:
        yield
    finally:
        _actor_note.reset(token)


def actor_label_for(user):
    if user is None:
        return "system"
    full_name = user.get_full_name()
    return f"{full_name} <{user.get_username()}>" if full_name else user.get_username()


CLIENT_LABEL = "the client"


def is_clients_login(user, client_uid):
    """Whether `user` is the portal login of the client `client_uid`.

    Their label would put the client's name and email into every event they cause, in
    the clear and under the hash; it reads "the client" instead (the event's actor and
    client_uid still say who). A coach's cached profile answers without a query.
    """
    if user is None or not client_uid:
        return False
    cached = user._state.fields_cache
    if cached.get("coach") is not None:
        return False
    try:
        profile = user.client_profile  # the clients app's reverse relation; one query, then cached
    except ObjectDoesNotExist:
        return False
    return str(profile.uid) == str(client_uid)


def actor_label_about(user, client_uid):
    """The actor label of something `user` did to the records of `client_uid`."""
    return CLIENT_LABEL if is_clients_login(user, client_uid) else actor_label_for(user)


def _labelled(label):
    note = _actor_note.get()
    return f"{label} · {note}"[:200] if note else label


def event_record(*, by, action, obj, before=None, after=None, client_uid=""):
    """Append one event for a change to `obj`; must run inside the change's transaction.

    `before`/`after` default to nothing/the object's current snapshot, which is what a
    creation needs; updates pass the snapshot taken before the change.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction that makes the change")
    if after is None and action.split(".")[-1] != "deleted":
        after = obj.snapshot()
    if not client_uid and hasattr(obj, "history_client_uid"):
        client_uid = obj.history_client_uid()
    client_uid = str(client_uid or "")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Only an empty log may start a new head; a missing head over existing events is
        # tampering, and appending would hide it.
        if Event.objects.exists():
            raise RuntimeError("The event log's head row is missing; run `followthrough verify`.")
        head, _ = ChainHead.objects.get_or_create(pk=1)
    seq = head.last_seq + 1
    at = clock.now()
    object_uid = str(obj.uid)
    names = obj.personal_fields if client_uid else ()
    clear = None
    if names and not (is_empty_snapshot(before, names) and is_empty_snapshot(after, names)):
        # Under the head lock, so two writers never make two keys for one client.
        cipher = sealing.ciphers_for([client_uid], create=True)[client_uid]
        clear = (before, after)
        before = sealing.seal_snapshot(before, names, object_uid, cipher)
        after = sealing.seal_snapshot(after, names, object_uid, cipher)
    fields = {
        "seq": seq,
        "at": at,
        "actor_id": by.pk if by is not None else None,
        "actor_label": _labelled(actor_label_about(by, client_uid)),
        "action": action,
        "object_type": obj.history_type(),
        "object_uid": object_uid,
        "client_uid": client_uid,
        "before": before,
        "after": after,
    }
    digest = event_hash(prev_hash=head.last_hash, **fields)
    event = Event.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
    if clear is not None:  # the caller gets the event as any reader would, opened
        event.stored_before, event.stored_after = before, after
        event.before, event.after = clear
    head.last_seq, head.last_hash = seq, digest
    head.signature = signing.sign(seq, digest)
    head.save(update_fields=["last_seq", "last_hash", "signature"])
    return event


def is_empty_snapshot(snapshot, names):
    return snapshot is None or all(sealing.is_empty(snapshot.get(name)) for name in names)


def lock(obj):
    """Take the row lock for `obj` and reload it, so the caller's instance is current."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk").get()
    obj.refresh_from_db()
    return obj


def tracked_create(obj, *, by, action, m2m=None, validate=True):
    """Validate, save and log a new record. `m2m` maps many-to-many names to values."""
    if validate:
        obj.full_clean(exclude=list(m2m or ()))
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    event_record(by=by, action=action, obj=obj)
    return obj


def tracked_update(obj, *, by, action, changes, m2m=None, validate=True):
    """Apply `changes` to a record, validate, save only those fields and log before/after."""
    before = obj.snapshot()
    for name, value in changes.items():
        setattr(obj, name, value)
    if validate:
        obj.full_clean(exclude=list(m2m or ()))
    if changes:
        obj.save(update_fields=list(changes))
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    after = obj.snapshot()
    if after != before:
        event_record(by=by, action=action, obj=obj, before=before, after=after)
    return obj


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str

    def __str__(self):
        return self.message


def tracked_models():
    return [m for m in apps.get_models() if issubclass(m, TrackedModel) and m.history_fields]


def verify_chain(*, chunk_size=2000):
    """Recompute the chain; return the first problem, or None when it is whole."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    for event in Event.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return Problem("missing", f"event #{expected_seq} is missing (the next one is #{event.seq})")
        if event.prev_hash != prev_hash or hash_of(event) != event.hash:
            return Problem("altered", f"event #{event.seq} ({event.action}) was altered")
        expected_seq, prev_hash = expected_seq + 1, event.hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        if expected_seq == 1:
            return None
        return Problem("truncated", "the event log's head row is missing")
    if head.last_seq != expected_seq - 1 or head.last_hash != prev_hash:
        return Problem(
            "truncated",
            f"events after #{expected_seq - 1} are missing (the log head says #{head.last_seq})",
        )
    return None


def verify_records():
    """Compare every tracked record with the state its last event says it has.

    The chain proves the log was not edited; this proves the records were not edited
    behind the log's back.
    """
    problems = []
    for model in tracked_models():
        object_type = model.history_type()
        last_after, client_of = {}, {}
        for uid, client_uid, after in (
            Event.objects.filter(object_type=object_type).order_by("seq")
            .values_list("object_uid", "client_uid", "after").iterator(chunk_size=5000)
        ):
            last_after[uid] = after
            client_of[uid] = client_uid
        opener = _Opener(model, client_of) if model.personal_fields else None
        queryset = model._default_manager.all()
        if model.history_m2m:
            queryset = queryset.prefetch_related(*model.history_m2m)
        for obj in queryset.iterator(chunk_size=2000):
            uid = str(obj.uid)
            if uid not in last_after:
                problems.append(Problem("unlogged", f"{object_type} {uid} has no history"))
                continue
            recorded = last_after.pop(uid)
            current = obj.snapshot()
            if opener is not None:
                recorded, key_problem = opener.as_live(uid, recorded, current)
                if key_problem:
                    problems.append(Problem("key", f"{object_type} {uid}: {key_problem}"))
            if recorded != current:
                fields = sorted(k for k in set(recorded or {}) | set(current)
                                if (recorded or {}).get(k) != current.get(k))
                problems.append(Problem(
                    "edited",
                    f"{object_type} {uid} differs from its history in: {', '.join(fields)}",
                ))
        for uid, after in last_after.items():
            if after is not None:
                problems.append(Problem("vanished", f"{object_type} {uid} was deleted outside the app"))
    return problems


ERASED_PLACEHOLDERS = {"full_name": "Erased client"}
# A personal field with no empty or placeholder form (a required number, such as a meeting
# check's answer): erasure deletes its record, through the log, instead of scrubbing it.
ERASED_BY_DELETION = object()


def erased_value(model, name):
    """What erasure leaves in a personal field: empty where the field may be, else a
    placeholder (a client's name reads "Erased client"), else ERASED_BY_DELETION."""
    field = model._meta.get_field(name)
    if field.null:
        return None
    if field.blank:
        return json_safe(field.get_default())
    if field.get_internal_type() in ("CharField", "TextField", "EmailField", "URLField"):
        return ERASED_PLACEHOLDERS.get(name, sealing.ERASED_TEXT)
    return ERASED_BY_DELETION


class _Opener:
    """Opens a model's recorded personal fields for `verify_records`, one key query per model.

    A field sealed under a destroyed key cannot be compared; the live row must then hold
    the erased form, which is what an erasure leaves. A sealed field whose key row is gone
    altogether was deleted outside the app.
    """

    def __init__(self, model, client_of):
        self.model, self.client_of = model, client_of
        self.ciphers = sealing.ciphers_for(set(client_of.values()))

    def as_live(self, uid, recorded, current):
        if recorded is None:
            return recorded, None
        cipher = self.ciphers.get(self.client_of.get(uid, ""), sealing.ABSENT)
        opened, problem = dict(recorded), None
        for name in self.model.personal_fields:
            value = recorded.get(name)
            if not sealing.is_sealed(value):
                continue
            if cipher is sealing.ABSENT:
                problem = "its client's key is missing (deleted outside the app)"
                opened[name] = current.get(name)
            elif cipher is None or sealing.SEALED not in value:
                erased = erased_value(self.model, name)
                # A record erased by deletion must not be there at all: it differs, as it should.
                opened[name] = current.get(name) if current.get(name) == json_safe(erased) else value
            else:
                opened[name] = sealing.open_value(value, uid, name, cipher, erased=value)
        return opened, problem


def verify_head_signature():
    """With FT_LOG_SIGNING_KEY set, the stored head must carry its valid signature."""
    if not signing.signing_key():
        return None
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.last_seq == 0:
        return None
    if not head.signature:
        return Problem("unsigned", "the log head is not signed; if FT_LOG_SIGNING_KEY was only just set, "
                                   "run `followthrough verify --sign-head` once")
    if not signing.signature_valid(head.last_seq, head.last_hash, head.signature):
        return Problem("forged", f"the log head (#{head.last_seq}) does not carry this installation's "
                                 "signature: the chain was recomputed or the head rewritten")
    return None


def verify_against(value):
    """Check an earlier head value (from a file review, a letter, an earlier `verify`):
    the log must still hold that event with that hash, so nothing before it was rewritten."""
    if value.signature and signing.signing_key() and not signing.signature_valid(
            value.seq, value.hash, value.signature):
        return Problem("foreign", "the head given is not signed with this installation's FT_LOG_SIGNING_KEY")
    if value.seq == 0:
        return None
    event = Event.objects.filter(seq=value.seq).only("hash").first()
    if event is None:
        return Problem("cut", f"the head given is at event #{value.seq}, which the log no longer has")
    if event.hash != value.hash:
        return Problem("rewritten", f"event #{value.seq} no longer has the hash the head given records: "
                                    "the log was rewritten up to there")
    return None


def sign_head():
    """Sign the current head with the configured key (after setting FT_LOG_SIGNING_KEY)."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None or not signing.signing_key():
        return None
    head.signature = signing.sign(head.last_seq, head.last_hash)
    head.save(update_fields=["signature"])
    return head
