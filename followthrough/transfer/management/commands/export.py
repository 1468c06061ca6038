from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from followthrough.clients.models import Client
from followthrough.practice.models import Coach
from followthrough.transfer import exporting


class Command(BaseCommand):
    help = ("Export one client (--client UID, as the coach's export with private notes marked) or, with "
            "--practice, every client of the practice for migration, as a ZIP: export.json in the documented "
            "format (docs/export-format.md) and the PDFs of letters and file reviews. Each export is logged.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the ZIP to write")
        parser.add_argument("--coach", required=True, help="username of the coach exporting")
        parser.add_argument("--client", help="uid of the client to export")
        parser.add_argument("--practice", action="store_true", help="the whole practice (practice admins)")
        parser.add_argument("--no-pdfs", action="store_true", help="only export.json (faster for big practices)")

    def handle(self, *args, path, coach, client, practice, no_pdfs, **options):
        by = Coach.objects.select_related("user", "practice").filter(user__username=coach, is_active=True).first()
        if by is None:
            raise CommandError(f"--coach: no active coach has the username {coach}")
        if practice == bool(client):
            raise CommandError("give either --client UID or --practice")
        if practice:
            if not by.is_practice_admin:
                raise CommandError("only a practice admin exports the whole practice")
            clients, audience = exporting.practice_clients(by.practice), exporting.PRACTICE
        else:
            clients = Client.objects.visible_to(by.user).filter(uid=client)
            if not clients.exists():
                raise CommandError(f"--client: {by.display_name} has no client with uid {client}")
            audience = exporting.COACH
        if Path(path).exists():
            raise CommandError(f"{path} already exists")
        with open(path, "wb") as out:
            doc = exporting.write_zip(out, clients, audience=audience, by=by.user, practice=by.practice,
                                      pdfs=not no_pdfs)
        self.stdout.write(f"exported {len(doc['clients'])} client(s) to {path}; log head {doc['log_head']['value']}")
