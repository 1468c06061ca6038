import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from followthrough.history import ledger, signing
from followthrough.history.models import Event
from followthrough.history.services import (
    sign_head,
    tracked_models,
    verify_against,
    verify_chain,
    verify_head_signature,
    verify_records,
)


class Command(BaseCommand):
    help = (
        "Check that the history was not altered: recompute the event chain, check the head's "
        "signature (with FT_LOG_SIGNING_KEY), compare every record with what its last event says, "
        "and with --head, that the log still holds an earlier head. Prints the head it checked. "
        "Exits 1 when anything does not match."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--head", action="append", default=[], metavar="VALUE",
                            help="a head value recorded earlier (ft1:…), e.g. from a file review; repeatable")
        parser.add_argument("--sign-head", action="store_true",
                            help="after a clean check, sign the current head with FT_LOG_SIGNING_KEY")

    def handle(self, *args, **options):
        try:
            given = [signing.parse(value) for value in options["head"]]
        except ValueError as exc:
            raise CommandError(f"--head: {exc}") from None
        head = signing.current()
        chain = verify_chain()
        head_problem = verify_head_signature()
        if options["sign_head"] and head_problem is not None and head_problem.kind == "unsigned":
            head_problem = None  # what --sign-head is for, once everything else checks out
        log_problems = [p for p in [chain, head_problem, *map(verify_against, given)] if p]
        records = verify_records()
        problems = log_problems + records
        if options["sign_head"] and not problems and signing.signing_key():
            with transaction.atomic():
                sign_head()
            head = signing.current()
        self._report(options, head, chain, log_problems, records, ledger.keys_back())
        if problems:
            raise CommandError(
                f"history check failed: {len(problems)} problem{'s' if len(problems) != 1 else ''}",
                returncode=1,
            )

    def _report(self, options, head, chain, log_problems, records, keys_back):
        events = Event.objects.count()
        checked = sum(model._default_manager.count() for model in tracked_models())
        signed = "signed" if head.signature else "not signed (set FT_LOG_SIGNING_KEY)"
        if options["json"]:
            self.stdout.write(json.dumps({
                "ok": not (log_problems or records),
                "events": events,
                "records_checked": checked,
                "head": str(head),
                "head_signed": bool(head.signature),
                "chain": {"kind": chain.kind, "message": chain.message} if chain else None,
                "log": [{"kind": p.kind, "message": p.message} for p in log_problems],
                "records": [{"kind": p.kind, "message": p.message} for p in records],
                "warnings": [_key_back(uid) for uid in keys_back],
            }, indent=2))
            return
        if not (log_problems or records):
            self.stdout.write(self.style.SUCCESS(f"history intact: {events} events, {checked} records checked"))
        for problem in log_problems:
            self.stdout.write(self.style.ERROR(f"event log: {problem}"))
        for problem in records:
            self.stdout.write(self.style.ERROR(f"record: {problem}"))
        for uid in keys_back:
            self.stdout.write(self.style.WARNING(_key_back(uid)))
        self.stdout.write(f"head: {head} ({signed})")


def _key_back(uid):
    # A warning, not a failure: the history itself is intact; the person is not erased.
    return (f"erasure ledger: client {uid} was erased, but their key exists again (an older backup "
            "restored without `followthrough restore`?); erase them again with `followthrough erase`")
