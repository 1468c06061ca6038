"""`followthrough inbox`: read clients' replies from a mailbox and record them once (see
`notifications.inbox` for what a reply does, and `ui.worker` for how `--loop` stops)."""

import json

from django.core.management.base import BaseCommand, CommandError

from followthrough.notifications.inbox import inbox_read
from followthrough.notifications.mailboxes import ImapSource, MailboxError, MaildirSource
from followthrough.ui.worker import run_worker


class Command(BaseCommand):
    help = ("Read clients' replies to reminders and meeting check invitations from a mailbox and record "
            "each once: 'done', 'not yet', or the check's four numbers. Replies with a forged, expired or "
            "unknown token, or that cannot be read, are set aside (counted and kept in the admin), never applied.")

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--maildir", metavar="PATH", help="a Maildir folder the replies are delivered to")
        where.add_argument("--imap", metavar="URL",
                           help="imaps://user:password@host:port/INBOX (imap:// without TLS, for tests)")
        parser.add_argument("--loop", action="store_true", help="keep running, one read every --interval seconds")
        parser.add_argument("--interval", type=int, default=60, help="seconds between reads with --loop (default 60)")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print each read's summary as one JSON line")

    def handle(self, *args, maildir, imap, loop, interval, as_json, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second")
        try:
            source = MaildirSource(maildir) if maildir else ImapSource(imap)
        except MailboxError as exc:
            raise CommandError(str(exc)) from exc
        try:
            run_worker(lambda: self._report(inbox_read(source), as_json), loop=loop, interval=interval,
                       name="inbox", on_failure=lambda exc: self.stderr.write(f"inbox read failed: {exc}"))
        except Exception as exc:
            raise CommandError(f"Reading {source.name} failed: {exc}") from exc

    def _report(self, summary, as_json):
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), sort_keys=True))
            return
        self.stdout.write(
            f"{summary.source}: read {summary.read}; applied {summary.applied}, set aside {summary.set_aside}, "
            f"already recorded {summary.already_recorded}")
        for line in summary.lines:
            self.stdout.write(f"  {line}")
