from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from followthrough.demo import seed as demo


def seed(out, style):
    try:
        practice = demo.seed_demo()
    except ValidationError as exc:
        # Most likely a username the demo wants is already taken in this database.
        raise CommandError(f"Could not build the demo: {'; '.join(exc.messages)}") from exc
    if practice is None:
        out.write(f"The demo practice {demo.PRACTICE_NAME!r} already exists; nothing to do.")
    else:
        out.write(style.SUCCESS(
            f"Created the demo practice {practice.name!r}: {practice.coaches.count()} coaches, "
            f"{practice.clients.count()} clients."
        ))


def write_logins(out, style):
    rows = demo.demo_logins()
    width = max((len(username) for username, _, _ in rows), default=8)
    out.write(style.MIGRATE_HEADING(f"Sign in as any of these (password for all: {demo.PASSWORD}):"))
    for username, name, role in rows:
        out.write(f"  {username:<{width}}  {name} — {role}")
    out.write(style.MIGRATE_HEADING("Client files that show the product's stories:"))
    for client, coach, scenario in demo.story_clients():
        out.write(f"  {client} ({coach}): {scenario}")


class Command(BaseCommand):
    help = (
        f"Create the demo practice {demo.PRACTICE_NAME!r} with coaches, clients and months of "
        "meetings, written through the services so `verify` passes. Does nothing if it exists."
    )

    def handle(self, *args, **options):
        seed(self.stdout, self.style)
        write_logins(self.stdout, self.style)
