"""Benchmark: `followthrough import` of a synthetic practice spreadsheet.

    .venv/bin/python bench/import.py --rows 10000 --sqlite-path /tmp/ft-import-10k.sqlite3

Writes a CSV of ROWS rows (clients of 20 rows each: ten meetings a fortnight apart, two
commitments made at each and reviewed at the next), builds a fresh SQLite database with
one practice and coach, then in a child process (so the memory is the import's own) times
the check alone (the dry run) and the check plus the write (which includes the engine's
refresh of every imported engagement after the commit), and prints the check's peak of
Python allocations (tracemalloc) and the process's peak resident size after each. See bench/README.md.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS_PER_CLIENT = 20


def write_csv(path, rows):
    from followthrough.transfer.rows import COLUMN_NAMES

    first = date.today() - timedelta(days=400)
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        for n in range(rows):
            client, within = divmod(n, ROWS_PER_CLIENT)
            meeting, k = divmod(within, 2)
            day = first + timedelta(days=14 * meeting + client % 10)
            last = meeting == ROWS_PER_CLIENT // 2 - 1
            writer.writerow({
                "client_name": f"Client {client}", "client_email": f"client{client}@example.org",
                "focus": "business", "came_for": "Grow the shop", "call_to_action": "Two calls a week",
                "meeting_date": day.isoformat(), "meeting_time": "10:00", "meeting_summary": f"Meeting {meeting}",
                "meeting_notes": "Private words about the meeting.", "commitment": f"Action {meeting}.{k}",
                "due_on": (day + timedelta(days=10)).isoformat(),
                "outcome": "" if last else ("kept", "missed")[k], "paid": "yes",
            })


def build(args):
    os.environ["DATABASE_URL"] = f"sqlite:///{args.sqlite_path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "followthrough", "migrate", "-v0"], check=True)
    subprocess.run([sys.executable, "-c", (
        "import django; django.setup()\n"
        "from followthrough.practice.services import coach_create, practice_create\n"
        "p = practice_create(name='Bench Practice', timezone='Europe/London')\n"
        "coach_create(practice=p, username='bench', email='bench@example.org', display_name='Bench Coach',"
        " password='bench-password-long-enough', specialties=[])\n")], check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "followthrough.settings"})
    write_csv(args.csv, args.rows)


def measure(args):
    os.environ["DATABASE_URL"] = f"sqlite:///{args.sqlite_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    import django

    django.setup()
    from django.db import connection

    from followthrough.history.services import verify_chain
    from followthrough.practice.models import Coach
    from followthrough.transfer.writing import import_file

    coach = Coach.objects.select_related("practice", "user").get(user__username="bench")
    result = {"rows": args.rows, "file_bytes": Path(args.csv).stat().st_size}
    tracemalloc.start()
    with open(args.csv, "rb") as binary:
        started = time.perf_counter()
        import_file(binary, filename="bench.csv", practice=coach.practice, coach=coach, by=coach.user, dry_run=True)
        result["check_seconds"] = round(time.perf_counter() - started, 2)
        result["check_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()  # it slows the write several times over; the write's memory is the RSS below
        result["rss_after_check_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        started = time.perf_counter()
        report = import_file(binary, filename="bench.csv", practice=coach.practice, coach=coach, by=coach.user)
        result["import_seconds"] = round(time.perf_counter() - started, 2)
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result.update(clients=report.clients, meetings=report.meetings, commitments=report.commitments)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM history_event")
        result["events"] = cursor.fetchone()[0]
    result["verify"] = "ok" if verify_chain() is None else "FAILED"
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--sqlite-path", required=True, help="the benchmark database file (rebuilt)")
    parser.add_argument("--csv", default=None)
    parser.add_argument("--phase", choices=["all", "build", "measure"], default="all")
    args = parser.parse_args()
    args.csv = args.csv or f"{args.sqlite_path}.csv"
    if args.phase in ("all", "build"):
        build(args)
    if args.phase == "all":
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--sqlite-path", args.sqlite_path,
                        "--csv", args.csv, "--phase", "measure"], check=True)
    elif args.phase == "measure":
        measure(args)


if __name__ == "__main__":
    main()
