import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import NoReverseMatch, reverse

from followthrough.web.management.commands.serve import browser_host, parse_addr

from .seed_demo import seed, write_logins


def _unapplied_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def _path(name, fallback=None):
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


class Command(BaseCommand):
    help = "Try Followthrough: prepare the database, add the demo practice, and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000",
                            help="host:port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--threads", type=int, default=4,
                            help="worker threads handling requests (default 4)")

    def handle(self, *args, addr, threads, **options):
        host, port = parse_addr(addr)
        if _unapplied_migrations():
            self.stdout.write("Preparing the database…")
            call_command("migrate", interactive=False, verbosity=0)
        base = f"http://{browser_host(host)}:{port}"
        if not os.environ.get("FT_SITE_URL"):
            # Links in the emails the demo prints must open the server it is running.
            settings.SITE_URL = base
        seed(self.stdout, self.style)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Coaches log in at {base}{_path(settings.LOGIN_URL, '/')}"))
        portal, sign_in = _path("portal_home"), _path("portal_sign_in")
        if portal:
            line = (f"Clients open {base}{portal} after logging in with their password, or ask "
                    f"for a sign-in link at {base}{sign_in}")
            if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
                line += " (the email with the link is printed in this terminal)"
            self.stdout.write(self.style.SUCCESS(line))
        write_logins(self.stdout, self.style)
        self.stdout.write("")
        call_command("serve", addr=addr, threads=threads, stdout=self.stdout, stderr=self.stderr)
