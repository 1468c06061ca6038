from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from followthrough.history import signing
from followthrough.transfer.backup import BackupFailed, check_restored, restore
from followthrough.transfer.erasure import replay_ledger


class Command(BaseCommand):
    help = ("Put a backup written by `followthrough backup` into this installation's database, which must "
            "be empty, erase again every client the erasure ledger (FT_ERASURE_LEDGER) names, then check it: "
            "SQLite's integrity check and the whole history (as `verify`). "
            "Exits 1 if the restored copy does not check out.")

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            restore(path)
        except BackupFailed as exc:
            raise CommandError(str(exc)) from None
        # Before anything else reads it: a backup older than an erasure holds the key again.
        again = replay_ledger()
        if again:
            self.stdout.write(f"erased again from the erasure ledger: {len(again)} client(s) ({', '.join(again)})")
        problems = check_restored()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"restored, but the copy does not check out: {len(problems)} problem(s)", returncode=1)
        checked = "integrity and history verified" if connection.vendor == "sqlite" else "history verified"
        self.stdout.write(f"restored from {path}; {checked}, head {signing.current()}")
