"""`followthrough scan`: raise and clear flags for every engagement.

One pass by default; `--loop` keeps scanning every `--interval` seconds (see
`ui.worker` for how a loop stops and what a failed pass does). `--json` prints
one JSON object per line for each flag raised or cleared, then one summary line per pass,
so the output can be piped into anything; the changes are printed as they are written,
never gathered first, so memory stays flat however much there is to catch up on.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from followthrough.engine.services import DEFAULT_BATCH_SIZE, scan_pass
from followthrough.history import clock
from followthrough.ui.worker import run_worker


class Command(BaseCommand):
    help = "Detect nonproductive phases, focus drift and no-shows; raise and clear flags."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep scanning until stopped.")
        parser.add_argument("--interval", type=float, default=300.0,
                            help="Seconds between passes with --loop (default 300).")
        parser.add_argument("--json", action="store_true", help="Print changes as JSON lines.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                            help=f"Engagements per batch (default {DEFAULT_BATCH_SIZE}).")

    def handle(self, *args, **options):
        loop, interval, batch_size = options["loop"], options["interval"], options["batch_size"]
        as_json = options["json"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds")

        def failed(exc):
            if as_json:
                self.stdout.write(_dumps({"pass": "failed", "error": str(exc)}))

        try:
            run_worker(lambda: self._one_pass(as_json=as_json, batch_size=batch_size),
                       loop=loop, interval=interval, name="scan", on_failure=failed)
        except Exception as exc:
            raise CommandError(f"The scan pass failed: {exc}") from exc

    def _one_pass(self, *, as_json, batch_size):
        started = time.monotonic()

        def on_change(change):
            if as_json:
                self.stdout.write(_dumps(change.as_dict()))
            else:
                self.stdout.write(f"{change.change} {change.kind} flag {change.flag_uid} "
                                  f"(client {change.client_uid})")

        result = scan_pass(batch_size=batch_size, on_change=on_change)
        summary = {"pass": "done", "at": clock.now().isoformat(),
                   "seconds": round(time.monotonic() - started, 3), **result.as_dict()}
        if as_json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(f"Checked {result.engagements} engagements, settled {result.settled} "
                              f"in {result.batches} batches: "
                              f"{result.raised} flags raised, {result.cleared} cleared"
                              + (f", {len(result.failed)} skipped after errors" if result.failed else "")
                              + f" ({summary['seconds']} s).")


def _dumps(data):
    return json.dumps(data, sort_keys=True)
