"""The event log's head, signed with a key the database does not hold.

The hash chain shows an edit only to someone who kept a hash from before it: whoever can
write the database can recompute every later hash and the head row with them. The head's
HMAC under FT_LOG_SIGNING_KEY (kept in the server's environment, not in the database)
cannot be recomputed that way, and a head value copied into a file review or printed by
`verify` lets `verify --head` prove later that the log still starts with what it held then.

A head value reads `ft1:<seq>:<hash>[:<signature>]`.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings

from .models import GENESIS_HASH, ChainHead

PREFIX = "ft1"
_VALUE = re.compile(r"^ft1:(\d+):([0-9a-f]{64})(?::([0-9a-f]{64}))?$")


def signing_key():
    return (getattr(settings, "FT_LOG_SIGNING_KEY", "") or "").encode()


def sign(seq, digest, key=None):
    """The head's signature, or "" when no key is configured."""
    key = signing_key() if key is None else key
    if not key:
        return ""
    return hmac.new(key, f"{PREFIX}:{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def signature_valid(seq, digest, signature):
    expected = sign(seq, digest)
    return bool(expected) and hmac.compare_digest(expected, signature or "")


@dataclass(frozen=True)
class HeadValue:
    seq: int
    hash: str
    signature: str = ""

    def __str__(self):
        return ":".join([PREFIX, str(self.seq), self.hash] + ([self.signature] if self.signature else []))


def parse(text):
    """A HeadValue from its printed form, or ValueError naming what is wrong."""
    found = _VALUE.match((text or "").strip())
    if found is None:
        raise ValueError("a head value reads ft1:<number>:<64 hex digits>[:<64 hex digits>], "
                         "as `followthrough verify` prints it")
    return HeadValue(int(found[1]), found[2], found[3] or "")


def current():
    """The head as it stands, as a HeadValue (seq 0 for an empty log)."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return HeadValue(0, GENESIS_HASH, sign(0, GENESIS_HASH))
    return HeadValue(head.last_seq, head.last_hash, head.signature)
