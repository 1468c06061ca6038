from django.core.management.base import BaseCommand, CommandError

from followthrough.practice.models import Coach
from followthrough.transfer.handoff import HandoffFailed, handoff_import
from followthrough.transfer.writing import ImportFailed, import_file


class Command(BaseCommand):
    help = (
        "Import a practice's spreadsheet (CSV or XLSX: clients, engagements with their agreement, past "
        "meetings and commitments with outcomes) as COACH, or with --handoff a client's export ZIP or JSON "
        "from another installation. Checks every row first; one bad row imports nothing. "
        "--dry-run only lists the problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--coach", required=True, help="username of the coach importing (and the default coach)")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--handoff", action="store_true",
                            help="PATH is a client's export (ZIP or JSON) to take on as a new client")

    def handle(self, *args, path, coach, dry_run, handoff, **options):
        by = Coach.objects.select_related("user", "practice").filter(user__username=coach, is_active=True).first()
        if by is None:
            raise CommandError(f"--coach: no active coach has the username {coach}")
        try:
            with open(path, "rb") as binary:
                if handoff:
                    return self._handoff(binary, path, by, dry_run)
                report = import_file(binary, filename=path, practice=by.practice, coach=by, by=by.user,
                                     dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"nothing imported: {len(exc.problems)} problem(s) to fix", returncode=1) from None
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{verb} {report.clients} clients, {report.meetings} meetings, "
                          f"{report.commitments} commitments")
        if report.ignored_columns:
            self.stdout.write("columns not read: " + ", ".join(report.ignored_columns))

    def _handoff(self, binary, path, by, dry_run):
        try:
            client = handoff_import(binary, coach=by, by=by.user, dry_run=dry_run)
        except HandoffFailed as exc:
            raise CommandError(f"nothing imported: {exc}", returncode=1) from None
        self.stdout.write(("would take on " if dry_run else "took on ") + client.full_name)
