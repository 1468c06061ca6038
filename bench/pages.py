"""Benchmark: the coach's busiest pages against the login page, at 50, 500 and 5,000 clients.

    .venv/bin/python bench/pages.py --db sqlite
    .venv/bin/python bench/pages.py --db postgres --pg-url 'postgres://postgres@/ftpages?host=/tmp&port=54336'

Builds one practice of 50,000 clients with bulk inserts (never the services): three
measured coaches hold 50, 500 and 5,000 clients, the rest are spread 50 to a coach. Each
client has one engagement (a third paused or ended), a held and a planned meeting and
three commitments, two of them overdue. Then, in the same process and run, each page is
requested through Django's test client (the whole middleware stack, no network) RUNS
times, in warm runs of its own that take turns with the other pages' over ROUNDS rounds,
and the median taken: the login page (signed out), the caseload,
a caseload search, one client's file, the practice outcomes page, the coach's to-do (as the caseload
loads it)
and a help page (the floor of any signed-in page: the sign-in gate and the base template). Prints each median,
its ratio to the login page's, the same for the process's CPU time, the queries it made and
the size of the response.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = (50, 500, 5000)
PRACTICE_CLIENTS = 50_000
FILLER_PER_COACH = 50
RUNS = 15
BATCH = 5000


def setup(args):
    os.environ["DATABASE_URL"] = (f"sqlite:///{args.sqlite_path}" if args.db == "sqlite" else args.pg_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    os.environ.setdefault("FT_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def fresh_database(args):
    if args.db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
                                "password": db.get("PASSWORD"), **db.get("OPTIONS", {})}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def build():
    """The practice, its coaches and 50,000 clients; returns the measured coaches by size."""
    from django.core.management import call_command
    from django.db import transaction

    from followthrough.practice.services import coach_create, practice_create

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        practice = practice_create(name="Bench Coaching", timezone="Europe/London")
        measured = {size: coach_create(practice=practice, username=f"coach{size}", email=f"c{size}@example.org",
                                       display_name=f"Coach {size}")
                    for size in SIZES}
        holders = [(coach, size) for size, coach in measured.items()]
        rest = PRACTICE_CLIENTS - sum(SIZES)
        for n in range(-(-rest // FILLER_PER_COACH)):
            coach = coach_create(practice=practice, username=f"filler{n}", email=f"f{n}@example.org",
                                 display_name=f"Filler {n}")
            holders.append((coach, min(FILLER_PER_COACH, rest - n * FILLER_PER_COACH)))
    for coach, count in holders:
        _clients(coach, count)
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum would soon do on a live PostgreSQL: planner statistics for the bulk load.
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "SELECT 1")
    return measured


def _clients(coach, count):
    from django.db import transaction

    from followthrough.clients.models import Client, Engagement
    from followthrough.commitments.models import Commitment
    from followthrough.history import clock
    from followthrough.meetings.models import Meeting

    now, today = clock.now(), clock.today("Europe/London")
    states = [Engagement.State.ACTIVE, Engagement.State.PAUSED, Engagement.State.ENDED]
    with transaction.atomic():
        clients = Client.objects.bulk_create(
            (Client(practice=coach.practice, full_name=f"Client {coach.pk}-{n:05d}",
                    email=f"client{coach.pk}-{n}@example.org") for n in range(count)), batch_size=BATCH)
        engagements = Engagement.objects.bulk_create(
            (Engagement(client=c, client_name=c.full_name, client_email=c.email, coach=coach,
                        started_on=today - timedelta(days=90),
                        state=states[n % 3],
                        check_back_on=today + timedelta(days=30) if n % 3 == 1 else None,
                        ended_on=today if n % 3 == 2 else None)
             for n, c in enumerate(clients)), batch_size=BATCH)
        Meeting.objects.bulk_create(
            (Meeting(engagement=e, status=status, starts_at=now + timedelta(days=days))
             for e in engagements for status, days in ((Meeting.Status.HELD, -7), (Meeting.Status.PLANNED, 7))),
            batch_size=BATCH)
        Commitment.objects.bulk_create(
            (Commitment(engagement=e, description="Do the agreed thing", due_on=today + timedelta(days=d))
             for e in engagements for d in (-3, -1, 5)), batch_size=BATCH)


ROUNDS = 5


def measure(coach, pages, runs):
    """Each page's median wall and CPU time, its queries and its size. Each page is requested
    in runs of its own (as a tight loop measures it, caches warm), and the pages take turns
    over ROUNDS rounds, so a slow spell on a shared machine falls on all of them alike."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    browsers = {}
    for label, path, signed_in in pages:
        browsers[label] = Client()
        if signed_in:
            browsers[label].force_login(coach.user)
        assert browsers[label].get(path).status_code == 200, label
    times = {label: [] for label, _, _ in pages}
    cpu = {label: [] for label, _, _ in pages}
    for _ in range(ROUNDS):
        for label, path, _ in pages:
            browsers[label].get(path)  # a warm-up after the other pages' turn
            for _ in range(-(-runs // ROUNDS)):
                start, start_cpu = time.perf_counter(), time.process_time()
                browsers[label].get(path)
                times[label].append(time.perf_counter() - start)
                cpu[label].append(time.process_time() - start_cpu)
    results = {}
    for label, path, _ in pages:
        with CaptureQueriesContext(connection) as queries:
            response = browsers[label].get(path)
        results[label] = (statistics.median(times[label]), statistics.median(cpu[label]), len(queries),
                          len(response.content))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default=str(ROOT / "var" / "bench-pages.sqlite3"))
    parser.add_argument("--pg-url", default="postgres://postgres@/ftpages?host=/tmp&port=54336")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--reuse", action="store_true", help="measure a database an earlier run built")
    parser.add_argument("--pages", nargs="+", metavar="PAGE",
                        help="measure only these pages (by their label: caseload, search, 'client file', "
                             "outcomes, to-do, help); the login page is always measured")
    args = parser.parse_args()
    setup(args)
    from django.urls import reverse

    from followthrough.practice.models import Coach

    if args.reuse:
        measured = {size: Coach.objects.get(user__username=f"coach{size}") for size in SIZES}
    else:
        fresh_database(args)
        started = time.perf_counter()
        measured = build()
        print(f"built {PRACTICE_CLIENTS} clients in {time.perf_counter() - started:.0f} s on {args.db}")

    # CPU is this process's own time (Python and, for SQLite, the database): on a shared
    # machine it moves less than the wall time, which also counts waiting for a core.
    print(f"{'clients':>8} {'page':<12} {'median ms':>10} {'x login':>8} {'CPU ms':>7} {'x login':>8} "
          f"{'queries':>8} {'KB':>7}")
    for size, coach in measured.items():
        one = coach.engagements.order_by("pk").first().client
        pages = [("login", reverse("login"), False), ("caseload", reverse("caseload"), True),
                 ("search", reverse("caseload") + "?q=00042", True),
                 ("client file", reverse("client_file", args=[one.uid]), True),
                 ("outcomes", reverse("protocol:outcomes"), True),
                 # What the caseload loads after itself: the first items of each kind.
                 ("to-do", reverse("todo") + "?part=list", True),
                 # The floor of a signed-in page: the sign-in gate and the base template.
                 ("help", reverse("help", args=["caseload"]), True)]
        if args.pages:
            pages = [page for page in pages if page[0] == "login" or page[0] in args.pages]
        results = measure(coach, pages, args.runs)
        login, login_cpu = results["login"][:2]
        for label, (median, cpu, queries, size_bytes) in results.items():
            print(f"{size:>8} {label:<12} {median * 1000:>10.1f} {median / login:>8.1f} {cpu * 1000:>7.1f} "
                  f"{cpu / max(login_cpu, 1e-6):>8.1f} {queries:>8} {size_bytes / 1024:>7.1f}")


if __name__ == "__main__":
    main()
