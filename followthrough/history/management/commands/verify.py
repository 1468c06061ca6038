import json

from django.core.management.base import BaseCommand, CommandError

from followthrough.history.models import Event
from followthrough.history.services import tracked_models, verify_chain, verify_records


class Command(BaseCommand):
    help = (
        "Check that the history was not altered: recompute the event chain, and compare every "
        "record with what its last event says. Exits 1 when anything does not match."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        chain = verify_chain()
        records = verify_records()
        events = Event.objects.count()
        checked = sum(model._default_manager.count() for model in tracked_models())
        problems = ([chain] if chain else []) + records
        if options["json"]:
            self.stdout.write(json.dumps({
                "ok": not problems,
                "events": events,
                "records_checked": checked,
                "chain": {"kind": chain.kind, "message": chain.message} if chain else None,
                "records": [{"kind": p.kind, "message": p.message} for p in records],
            }, indent=2))
        elif not problems:
            self.stdout.write(self.style.SUCCESS(
                f"history intact: {events} events, {checked} records checked"))
        else:
            if chain:
                self.stdout.write(self.style.ERROR(f"event log: {chain}"))
            for problem in records:
                self.stdout.write(self.style.ERROR(f"record: {problem}"))
        if problems:
            raise CommandError(
                f"history check failed: {len(problems)} problem{'s' if len(problems) != 1 else ''}",
                returncode=1,
            )
