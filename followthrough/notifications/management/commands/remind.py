import json
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from followthrough.notifications.services import remind_pass

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Send the reminders and coach digests that are due: one pass, or --loop as a service. "
            "Several workers may run at once; each message goes out once.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, one pass every --interval seconds")
        parser.add_argument("--interval", type=int, default=60, help="seconds between passes with --loop (default 60)")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print each pass's summary as one JSON line")

    def handle(self, *args, loop, interval, as_json, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second")
        while True:
            try:
                summary = remind_pass()
            except Exception as exc:
                if not loop:
                    raise
                # A database hiccup must not stop the service; the next pass catches up.
                log.exception("remind pass failed")
                self.stderr.write(f"remind pass failed: {exc}")
            else:
                self._report(summary, as_json)
            if not loop:
                return
            close_old_connections()
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return

    def _report(self, summary, as_json):
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), sort_keys=True))
            return
        self.stdout.write(
            f"sent {summary.sent}, failed {summary.failed}; scheduled {summary.scheduled}, "
            f"rescheduled {summary.rescheduled}, cancelled {summary.cancelled}, expired {summary.expired}, "
            f"superseded {summary.superseded}; digests prepared {summary.digests_prepared}"
        )
        for error in summary.errors:
            self.stderr.write(f"  could not send {error['what']} #{error['id']} to {error['to']}: {error['error']}")
