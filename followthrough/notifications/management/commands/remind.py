"""`followthrough remind`: send the reminders and digests that are due (see `ui.worker`
for how `--loop` stops and what a failed pass does)."""

import json

from django.core.management.base import BaseCommand, CommandError

from followthrough.notifications.services import remind_pass
from followthrough.ui.worker import run_worker


class Command(BaseCommand):
    help = ("Send the reminders (of commitments and meetings, with calendar invitations) and coach digests "
            "that are due: one pass, or --loop as a service. "
            "Several workers may run at once; each message goes out once.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, one pass every --interval seconds")
        parser.add_argument("--interval", type=int, default=60, help="seconds between passes with --loop (default 60)")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print each pass's summary as one JSON line")

    def handle(self, *args, loop, interval, as_json, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second")
        try:
            run_worker(lambda: self._report(remind_pass(), as_json), loop=loop, interval=interval, name="remind",
                       on_failure=lambda exc: self.stderr.write(f"remind pass failed: {exc}"))
        except Exception as exc:
            raise CommandError(f"The remind pass failed: {exc}") from exc

    def _report(self, summary, as_json):
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), sort_keys=True))
            return
        self.stdout.write(
            f"sent {summary.sent}, failed {summary.failed}; scheduled {summary.scheduled}, "
            f"rescheduled {summary.rescheduled}, cancelled {summary.cancelled}, expired {summary.expired}, "
            f"superseded {summary.superseded}; digests prepared {summary.digests_prepared}; "
            f"meeting check invitations queued {summary.invitations_queued}, "
            f"cancelled {summary.invitations_cancelled}"
        )
        for error in summary.errors:
            self.stderr.write(f"  could not send {error['what']} #{error['id']} to {error['to']}: {error['error']}")
