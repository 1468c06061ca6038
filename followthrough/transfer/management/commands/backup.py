from django.core.management.base import BaseCommand, CommandError

from followthrough.transfer.backup import BackupFailed, backup


class Command(BaseCommand):
    help = ("Write a consistent copy of the whole database to PATH while the app runs (SQLite's online "
            "backup; pg_dump for PostgreSQL). Restore it with `followthrough restore PATH`.")

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            backup(path)
        except BackupFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backed up to {path}")
