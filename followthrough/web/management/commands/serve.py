
import waitress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def parse_addr(addr):
    """Split host:port (IPv6 as [::1]:8000), refusing anything waitress would choke on later."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", addr
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--addr must be host:port with a port from 1 to 65535; got {addr!r}")
    return host or "127.0.0.1", int(port)


def browser_host(host):
    # A wildcard bind is not an address a browser can open.
    return {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]"}.get(host, host)  # noqa: S104 - maps a wildcard bind to loopback for the printed URL


class Command(BaseCommand):
    help = "Serve Followthrough with waitress, a production WSGI server; static files come from WhiteNoise."
    requires_migrations_checks = True

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000",
                            help="host:port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--threads", type=int, default=4,
                            help="worker threads handling requests (default 4)")

    def handle(self, *args, addr, threads, **options):
        host, port = parse_addr(addr)
        if threads < 1:
            raise CommandError(f"--threads must be at least 1; got {threads}")
        if browser_host(host) != host and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(self.style.WARNING(
                "Listening on every interface: requests from other machines are refused unless "
                "their host name is in FT_ALLOWED_HOSTS."
            ))
        from followthrough.wsgi import application

        self.stdout.write(f"Serving Followthrough on http://{browser_host(host)}:{port}/ "
                          f"with {threads} threads (Ctrl+C to stop).")
        self.stdout.flush()
        waitress.serve(application, listen=f"{host}:{port}", threads=threads,
                       ident="followthrough")
