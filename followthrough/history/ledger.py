"""The erasure ledger: one line per erased client, in a file outside the database.

A backup taken before an erasure still holds the client's key; restoring it would bring
the person back. `followthrough restore` replays this ledger after restoring (every client
named has their key destroyed and rows scrubbed again), and `verify` warns when a client
it names has a key. Lines hold the client's uid and the moment only, never a name.
Append-only: lines are added, never rewritten.
"""

import json
import os
from datetime import datetime
from typing import NamedTuple

from django.conf import settings

from .models import ClientKey


class Entry(NamedTuple):
    client_uid: str
    erased_at: datetime


def path():
    return settings.FT_ERASURE_LEDGER


def append(client_uid, erased_at):
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"client_uid": str(client_uid), "erased_at": erased_at.isoformat()}) + "\n"
    # O_APPEND: concurrent writers each add whole lines; fsync, because a lost line is an
    # erasure an old backup could undo.
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def entries():
    target = path()
    if not target.exists():
        return []
    found = []
    for number, line in enumerate(target.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(Entry(str(data["client_uid"]), datetime.fromisoformat(data["erased_at"])))
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"{target}, line {number}: not an erasure ledger line") from None
    return found


def keys_back():
    """Clients the ledger names whose key exists again (a restored older backup)."""
    named = {entry.client_uid for entry in entries()}
    if not named:
        return []
    return sorted(ClientKey.objects.filter(client_uid__in=named, destroyed_at__isnull=True)
                  .exclude(wrapped="").values_list("client_uid", flat=True))
