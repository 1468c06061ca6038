from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import NoReverseMatch, reverse

from .seed_demo import seed, write_logins
from .serve import browser_host, parse_addr


class Command(BaseCommand):
    help = "Try Followthrough: prepare the database, add the demo practice, and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000",
                            help="host:port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--threads", type=int, default=4,
                            help="worker threads handling requests (default 4)")

    def handle(self, *args, addr, threads, **options):
        host, port = parse_addr(addr)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        seed(self.stdout, self.style)
        try:
            login_path = reverse(settings.LOGIN_URL)
        except NoReverseMatch:
            # The sign-in page is not wired yet; the front page leads there once it is.
            login_path = "/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Log in at http://{browser_host(host)}:{port}{login_path}"))
        write_logins(self.stdout, self.style)
        self.stdout.write("")
        call_command("serve", addr=addr, threads=threads, stdout=self.stdout, stderr=self.stderr)
