"""The signed token in a message's Reply-To, and reading it back from a reply.

The token says which queued message a reply answers (a reminder or a meeting check
invitation) and nothing else; it is the proof that the reply comes from whoever received
that message, as a signed link is. It lives in the address's local part
(`replies+<token>@practice.example`), so it is short, lower case (some mail servers fold
case) and made only of letters, digits and dots: `r1f.4e2a.<mac>` is reminder 0x1f,
issued on day 0x4e2a since 1970, with a truncated HMAC of both under the site's key.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from followthrough.history import clock

REPLY_SALT = "followthrough.notifications.reply"
REPLY_DAYS = 60
MAC_LENGTH = 20  # hex digits: 80 bits, far beyond guessing by mail
KINDS = {"r": "reminder", "i": "invitation"}
EPOCH = date(1970, 1, 1)
# Where the address a reply was sent to may show up once it is in a mailbox.
ADDRESS_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")


def _mac(body):
    return salted_hmac(REPLY_SALT, body, algorithm="sha256").hexdigest()[:MAC_LENGTH]


def reply_token(kind, pk, *, today=None):
    """The token for queued message `pk` of `kind` ("reminder" or "invitation")."""
    letter = next(letter for letter, name in KINDS.items() if name == kind)
    day = ((today or clock.now().date()) - EPOCH).days
    body = f"{letter}{pk:x}.{day:x}"
    return f"{body}.{_mac(body)}"


def reply_address(kind, pk):
    """The Reply-To for one message, or None when FT_REPLY_ADDRESS is not set."""
    if not settings.FT_REPLY_ADDRESS:
        return None
    local, _, domain = settings.FT_REPLY_ADDRESS.rpartition("@")
    return f"{local}+{reply_token(kind, pk)}@{domain}"


@dataclass(frozen=True)
class Token:
    """A token read from a reply: `problem` is "" for a good one, else why it is refused."""

    text: str
    kind: str = ""
    pk: int = 0
    problem: str = ""


def read_token(text, *, today=None):
    """Check a token: forged or damaged ones, and those older than REPLY_DAYS, are refused."""
    text = text.strip().lower()
    parts = text.split(".")
    if len(parts) != 3 or not parts[0] or parts[0][0] not in KINDS:
        return Token(text, problem="forged")
    body = f"{parts[0]}.{parts[1]}"
    if not constant_time_compare(_mac(body), parts[2]):
        return Token(text, problem="forged")
    try:
        pk, day = int(parts[0][1:], 16), int(parts[1], 16)
    except ValueError:
        return Token(text, problem="forged")
    if (today or clock.now().date()) > EPOCH + timedelta(days=day + REPLY_DAYS):
        return Token(text, kind=KINDS[parts[0][0]], pk=pk, problem="expired")
    return Token(text, kind=KINDS[parts[0][0]], pk=pk)


def token_in(message):
    """The token text from the first address in `message` that is ours with a "+tag", or ""."""
    if not settings.FT_REPLY_ADDRESS:
        return ""
    local, _, domain = settings.FT_REPLY_ADDRESS.lower().rpartition("@")
    values = [str(value) for header in ADDRESS_HEADERS for value in message.get_all(header, [])]
    for _, address in getaddresses(values):
        mine, at, their_domain = address.lower().rpartition("@")
        base, plus, tag = mine.partition("+")
        if at and plus and base == local and their_domain == domain and tag:
            return tag
    return ""
