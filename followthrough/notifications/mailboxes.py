"""Where `followthrough inbox` reads replies from: a Maildir, or an IMAP mailbox.

Both hand over each message not yet marked seen, with a way to mark it seen once it is
recorded. Marking is only a courtesy that keeps the next read short: what makes a reply
count once is its InboundMessage row, so a message read twice (marked unread again by
another mail client, delivered twice, or read by a worker that stopped before marking it)
is still recorded once.
"""

import contextlib
import imaplib
import mailbox
from pathlib import Path
from urllib.parse import unquote, urlsplit

IMAP_PORTS = {"imap": 143, "imaps": 993}
IMAP_TIMEOUT = 30


class MailboxError(Exception):
    """The mailbox cannot be opened or read; the message says why in plain words."""


class MaildirSource:
    def __init__(self, path):
        self.path = Path(path)
        self.name = f"maildir:{self.path}"

    def messages(self):
        if not (self.path / "new").is_dir() or not (self.path / "cur").is_dir():
            raise MailboxError(f"{self.path} is not a Maildir (it needs new/ and cur/ folders)")
        box = mailbox.Maildir(self.path, factory=None, create=False)
        for key in list(box.keys()):
            try:
                message = box.get_message(key)
            except KeyError:  # taken away by another reader meanwhile
                continue
            if "S" in message.get_flags():
                continue
            yield message.as_bytes(), lambda key=key: self._mark_seen(box, key)

    @staticmethod
    def _mark_seen(box, key):
        try:
            message = box.get_message(key)
        except KeyError:
            return
        message.add_flag("S")
        message.set_subdir("cur")
        box[key] = message


class ImapSource:
    """`imaps://user:password@host:port/INBOX` (or `imap://` without TLS, for tests)."""

    def __init__(self, url):
        parts = urlsplit(url)
        if parts.scheme not in IMAP_PORTS or not parts.hostname:
            raise MailboxError("--imap takes imaps://user:password@host:port/MAILBOX (or imap:// without TLS)")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or IMAP_PORTS[parts.scheme]
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        # The name in the record leaves the password out.
        self.name = f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"

    def _connect(self):
        make = imaplib.IMAP4_SSL if self.scheme == "imaps" else imaplib.IMAP4
        try:
            imap = make(self.host, self.port, timeout=IMAP_TIMEOUT)
        except OSError as exc:
            raise MailboxError(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        try:
            imap.login(self.user, self.password)
            status, _ = imap.select(self._quoted(self.folder))
        except imaplib.IMAP4.error as exc:
            imap.logout()
            raise MailboxError(f"{self.name}: {exc}") from exc
        if status != "OK":
            imap.logout()
            raise MailboxError(f"{self.name}: no such mailbox")
        return imap

    @staticmethod
    def _quoted(folder):
        return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def messages(self):
        imap = self._connect()
        try:
            status, data = imap.search(None, "UNSEEN")
            if status != "OK":
                raise MailboxError(f"{self.name}: the server refused to search")
            for number in (data[0] or b"").split():
                raw = self._fetch(imap, number)
                if raw is not None:
                    yield raw, lambda n=number: imap.store(n, "+FLAGS", "(\\Seen)")
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):  # the connection is gone anyway
                imap.logout()

    @staticmethod
    def _fetch(imap, number):
        # BODY.PEEK leaves the message unseen until it is recorded.
        status, data = imap.fetch(number, "(BODY.PEEK[])")
        if status != "OK":
            return None
        for part in data:
            if isinstance(part, tuple) and len(part) == 2:
                return part[1]
        return None
