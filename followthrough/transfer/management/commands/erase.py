from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from followthrough.clients.models import Client
from followthrough.practice.models import Coach
from followthrough.transfer.erasure import client_erase


class Command(BaseCommand):
    help = ("Erase a client's personal data (GDPR Art. 17) as the practice admin --by, with --reason: their "
            "records are scrubbed through the event log, their portal account closed, and their key destroyed, "
            "so every earlier snapshot of them is unreadable while `verify` still passes. Written to the erasure "
            "ledger (FT_ERASURE_LEDGER) so a restore of an older backup erases them again. Cannot be undone.")

    def add_arguments(self, parser):
        parser.add_argument("--client", required=True, help="uid of the client to erase")
        parser.add_argument("--by", required=True, help="username of the practice admin erasing")
        parser.add_argument("--reason", required=True, help="why (kept in the log; do not write the name)")

    def handle(self, *args, client, by, reason, **options):
        admin = Coach.objects.select_related("user", "practice").filter(user__username=by, is_active=True).first()
        if admin is None:
            raise CommandError(f"--by: no active coach has the username {by}")
        found = Client.objects.filter(practice=admin.practice, uid=client).first() if _is_uid(client) else None
        if found is None:
            raise CommandError(f"--client: {admin.practice} has no client with uid {client}")
        try:
            client_erase(client=found, reason=reason, by=admin.user)
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        self.stdout.write(f"erased client {client}; their key is destroyed and the erasure ledger updated")


def _is_uid(text):
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
