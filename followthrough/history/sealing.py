"""Personal fields in the event log, sealed under a key per client (docs/erasure.md).

An event's snapshots hold each `personal_fields` value as {"sealed": "<base64>"}: AES-GCM
under the client's own key, the associated data binding it to the record's uid and the
field's name, so a sealed value cannot be moved to another record or field. The hash
covers the sealed form, so `verify_chain` needs no key, and destroying a client's key
(erasure) leaves every hash intact while nothing of the person can be read any more.

Seals are deterministic: the nonce is an HMAC of the field's place and value (the
synthetic-IV construction), so an unchanged field seals to the same text in `before` and
`after`, and whatever compares snapshots without opening them sees only real changes.
It reveals no more than that a field kept its value, which the event says anyway.

Empty values ("" / None / [] / {}) stay in the clear: they say nothing about anyone, and
the erased form of most fields is empty. A client whose key is destroyed gets
{"erased": true} for any value written after the erasure.
"""

import base64
import hashlib
import hmac
import os
from functools import cache, lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from . import clock
from .models import ClientKey, TrackedModel

SEALED = "sealed"
ERASED = "erased"
# What a page shows for a field whose key was destroyed.
ERASED_TEXT = "(erased)"
ABSENT = object()  # no key row at all: never written, or deleted outside the app


def is_empty(value):
    return value is None or value == "" or value == [] or value == {}


def is_sealed(value):
    return isinstance(value, dict) and len(value) == 1 and (SEALED in value or ERASED in value)


class ClientCipher:
    """One client's key, ready to seal and open."""

    def __init__(self, key):
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"followthrough nonce", hashlib.sha256).digest()

    def seal(self, object_uid, name, text):
        place = f"{object_uid}/{name}".encode()
        data = text.encode()
        nonce = hmac.new(self._mac_key, place + b"\0" + data, hashlib.sha256).digest()[:12]
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, place)).decode()

    def open(self, object_uid, name, sealed):
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], f"{object_uid}/{name}".encode()).decode()


@lru_cache(maxsize=4)
def _wrapping(data_key):
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"followthrough client keys v1").derive(data_key.encode())
    return AESGCM(derived)


def _wrap(client_uid, key, data_key=None):
    nonce = os.urandom(12)
    sealed = _wrapping(data_key or settings.FT_DATA_KEY).encrypt(nonce, key, f"client-key/{client_uid}".encode())
    return base64.b64encode(nonce + sealed).decode()


def _unwrap(client_uid, wrapped, data_key=None):
    raw = base64.b64decode(wrapped)
    try:
        return _wrapping(data_key or settings.FT_DATA_KEY).decrypt(raw[:12], raw[12:],
                                                                   f"client-key/{client_uid}".encode())
    except InvalidTag:
        raise RuntimeError(f"the key of client {client_uid} does not open with this FT_DATA_KEY: "
                           "the installation runs with another data key than the one it was written with") from None


def rewrap_client_keys(*, new_data_key, dry_run=False):
    """Re-wrap every live client key under `new_data_key` (FT_DATA_KEY rotation): each is
    opened with the current FT_DATA_KEY, wrapped under the new one and checked to open
    with it, all in one transaction, so a key that fails leaves every key as it was.
    Destroyed keys stay destroyed. Returns how many keys were (or, dry, would be) re-wrapped.

    The app and its workers must be stopped first and started again with the new key:
    until then they would read keys they can no longer open.
    """
    if new_data_key == settings.FT_DATA_KEY:
        raise ValueError("the new data key is the one in use: nothing to rotate")
    with transaction.atomic():
        rows = list(ClientKey.objects.select_for_update().filter(destroyed_at__isnull=True).exclude(wrapped="")
                    .order_by("pk"))
        for row in rows:
            key = _unwrap(row.client_uid, row.wrapped)  # refuses a key the current FT_DATA_KEY cannot open
            row.wrapped = _wrap(row.client_uid, key, new_data_key)
            if _unwrap(row.client_uid, row.wrapped, new_data_key) != key:
                raise RuntimeError(f"the key of client {row.client_uid} did not survive re-wrapping")
        if not dry_run:
            ClientKey.objects.bulk_update(rows, ["wrapped"], batch_size=500)
        forget_all()
    return len(rows)


class _Keyring:
    """Keys looked up in one transaction, so a scan or an import unwraps each client's key
    once. Never kept past the transaction: a key destroyed by another process must not
    stay usable here."""

    def __init__(self, atomic):
        self.atomic = atomic
        self.ciphers = {}


def _keyring():
    blocks = connection.atomic_blocks
    if not blocks:
        return _Keyring(None)
    ring = getattr(connection, "_followthrough_keyring", None)
    if ring is None or ring.atomic is not blocks[0]:
        ring = _Keyring(blocks[0])
        connection._followthrough_keyring = ring
    return ring


def forget(client_uid):
    """Drop a client's key from this transaction's keyring (after destroying it)."""
    _keyring().ciphers.pop(str(client_uid), None)


def forget_all():
    """Drop every key from this transaction's keyring (after the data key changed)."""
    _keyring().ciphers.clear()


def ciphers_for(client_uids, *, create=False):
    """uid -> ClientCipher, None (key destroyed) or ABSENT; with `create`, a client
    without a key gets one (only inside a transaction, under the log's head lock)."""
    ring = _keyring()
    wanted = {str(uid) for uid in client_uids if uid}
    missing = [uid for uid in wanted if uid not in ring.ciphers]
    if missing:
        found = {row.client_uid: row for row in ClientKey.objects.filter(client_uid__in=missing)}
        new = []
        for uid in missing:
            row = found.get(uid)
            if row is None:
                if not create:
                    continue
                key = AESGCM.generate_key(bit_length=256)
                new.append(ClientKey(client_uid=uid, wrapped=_wrap(uid, key)))
                ring.ciphers[uid] = ClientCipher(key)
            elif row.destroyed_at is not None or not row.wrapped:
                ring.ciphers[uid] = None
            else:
                ring.ciphers[uid] = ClientCipher(_unwrap(uid, row.wrapped))
        if new:
            ClientKey.objects.bulk_create(new)
    return {uid: ring.ciphers.get(uid, ABSENT) for uid in wanted}


def destroy(client_uid):
    """Destroy a client's key: every value ever sealed under it is unreadable from now on."""
    client_uid = str(client_uid)
    updated = ClientKey.objects.filter(client_uid=client_uid).update(wrapped="", destroyed_at=clock.now())
    if not updated:
        ClientKey.objects.create(client_uid=client_uid, wrapped="", destroyed_at=clock.now())
    forget(client_uid)


def key_exists(client_uid):
    return ClientKey.objects.filter(client_uid=str(client_uid), destroyed_at__isnull=True).exclude(wrapped="").exists()


@cache
def personal_fields_by_type():
    """object_type -> personal field names, for the tracked models that declare any."""
    return {m.history_type(): tuple(m.personal_fields) for m in apps.get_models()
            if issubclass(m, TrackedModel) and m.personal_fields}


def _canonical(value):
    from .services import canonical

    return canonical(value)


def seal_snapshot(snapshot, names, object_uid, cipher):
    """`snapshot` with its personal fields sealed (a new dict; the input is left alone)."""
    if snapshot is None or not names:
        return snapshot
    sealed = dict(snapshot)
    for name in names:
        value = snapshot.get(name)
        if is_empty(value) or is_sealed(value):
            continue
        sealed[name] = {ERASED: True} if cipher is None else {SEALED: cipher.seal(object_uid, name, _canonical(value))}
    return sealed


def open_value(value, object_uid, name, cipher, *, erased=ERASED_TEXT):
    """A field's value as written, or `erased` when its key is gone."""
    if not is_sealed(value):
        return value
    if SEALED not in value or cipher is None or cipher is ABSENT:
        return erased
    import json

    try:
        return json.loads(cipher.open(object_uid, name, value[SEALED]))
    except InvalidTag:
        return erased


def open_snapshot(snapshot, names, object_uid, cipher, *, erased=ERASED_TEXT):
    if snapshot is None or not names:
        return snapshot
    return {key: (open_value(value, object_uid, key, cipher, erased=erased) if key in names else value)
            for key, value in snapshot.items()}


def open_events(events):
    """Open the seals of `events` in place, for pages and exports (one query for the keys).

    The stored forms stay on each event as `stored_before`/`stored_after`, which is what
    its hash covers.
    """
    personal = personal_fields_by_type()
    wanted = [e for e in events if e.object_type in personal and e.client_uid and not hasattr(e, "stored_after")]
    if not wanted:
        return events
    ciphers = ciphers_for({e.client_uid for e in wanted})
    for event in wanted:
        names = personal[event.object_type]
        cipher = ciphers.get(event.client_uid, ABSENT)
        event.stored_before, event.stored_after = event.before, event.after
        event.before = open_snapshot(event.before, names, event.object_uid, cipher)
        event.after = open_snapshot(event.after, names, event.object_uid, cipher)
    return events
