"""Benchmark: the engine's scan against one hand-written SQL query computing the same flags.

    .venv/bin/python bench/scan.py --clients 10000 --db sqlite
    .venv/bin/python bench/scan.py --clients 100000 --db postgres \
        --pg-url 'postgres://postgres@/ftbench?host=/tmp&port=5433'

Builds a synthetic practice with bulk inserts (executemany on SQLite, COPY on
PostgreSQL; never the services), then, in a child process so its memory is the scan's
own, times on the same database: a cold scan pass (raises every flag), a steady pass
(nothing changes), and the hand-written query, each the best of three runs. Prints the
times, their ratios, the queries each pass made and the peak memory. See bench/README.md
for the figures.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLIENTS_PER_COACH = 50
RUNS = 3
MEETINGS = 12
FOCUS = ["business", "career", "relationships", "health", "finances", "leadership",
         "life-transitions", "personal-growth"]


def setup(args):
    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{args.sqlite_path}"
    else:
        os.environ["DATABASE_URL"] = args.pg_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    import django

    django.setup()


# Building ---------------------------------------------------------------------------


def fresh_database(args):
    if args.db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = db["NAME"]
    params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"),
                                "user": db.get("USER"), "password": db.get("PASSWORD"),
                                **db.get("OPTIONS", {})}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class Loader:
    """Streams rows into one table: executemany on SQLite, COPY on PostgreSQL. Columns a
    row does not give take the model field's default, so the loader follows schema changes."""

    def __init__(self, model):
        from django.db import connection

        self.connection = connection
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.rows = 0

    def load(self, rows, given):
        fields = [f for f in self.fields if f.attname in given or not f.primary_key]
        defaults = {}
        for f in fields:
            if f.attname not in given:
                value = f.get_default()
                defaults[f.attname] = f.get_db_prep_save(value, self.connection) \
                    if self.connection.vendor == "sqlite" else value
        columns = [f.column for f in fields]
        order = [(f.attname in given, given.index(f.attname) if f.attname in given else None,
                  defaults.get(f.attname)) for f in fields]
        adapt = self._adapt

        def full(row):
            return [adapt(row[i]) if has else default for has, i, default in order]
        table = self.model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "sqlite":
                sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join(["%s"] * len(columns))})'  # noqa: S608 - table and column names from the model, values as parameters
                chunk = []
                for row in rows:
                    chunk.append(full(row))
                    if len(chunk) == 20000:
                        cursor.executemany(sql, chunk)
                        self.rows += len(chunk)
                        chunk = []
                if chunk:
                    cursor.executemany(sql, chunk)
                    self.rows += len(chunk)
            else:
                raw = cursor.cursor
                with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(full(row))
                        self.rows += 1
        return self.rows

    def _adapt(self, value):
        if self.connection.vendor != "sqlite":
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, uuid.UUID):
            return value.hex
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value


def profile_of(rng):
    p = rng.random()
    if p < 0.70:
        return "steady"
    if p < 0.82:
        return "slipping"
    if p < 0.90:
        return "drifting"
    if p < 0.95:
        return "absent"
    return "mixed"


def build(args):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from followthrough.clients.models import Agreement, Client, Engagement, Goal, PlannedBreak
    from followthrough.commitments.models import Commitment
    from followthrough.meetings.models import GoalScore, Meeting, MeetingCheck
    from followthrough.practice.models import Coach, FocusArea, Practice

    n = args.clients
    coaches = max(1, n // CLIENTS_PER_COACH)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(weeks=MEETINGS + 1)
    counts = {}
    with transaction.atomic():
        def load(model, given, rows):
            counts[model._meta.db_table] = Loader(model).load(rows, given)

        load(Practice, ["id", "uid", "created_at", "name"], [(1, uuid.uuid4(), now, "Bench Practice")])
        load(FocusArea, ["id", "uid", "created_at", "practice_id", "slug", "name", "position"],
             [(i + 1, uuid.uuid4(), now, 1, slug, slug.title(), i) for i, slug in enumerate(FOCUS)])
        business, relationships = 1, 3
        load(get_user_model(), ["id", "username", "password", "date_joined"],
             ((c, f"coach{c}", "!", now) for c in range(1, coaches + 1)))
        load(Coach, ["id", "uid", "created_at", "user_id", "practice_id", "display_name"],
             ((c, uuid.uuid4(), now, c, 1, f"Coach {c}") for c in range(1, coaches + 1)))
        load(Client, ["id", "uid", "created_at", "practice_id", "full_name"],
             ((i, uuid.uuid4(), now, 1, f"Client {i}") for i in range(1, n + 1)))

        def state(i):
            p = random.Random(i * 7).random()
            return "active" if p < 0.92 else ("paused" if p < 0.96 else "ended")
        load(Engagement, ["id", "uid", "created_at", "client_id", "coach_id", "state", "started_on"],
             ((i, uuid.uuid4(), now, i, (i - 1) % coaches + 1, state(i), start.date())
              for i in range(1, n + 1)))
        load(Agreement, ["id", "uid", "created_at", "engagement_id", "version", "came_for",
                         "primary_focus_id", "meeting_cadence", "call_to_action"],
             ((i, uuid.uuid4(), now, i, 1, "Grow", business, "Weekly", "Act") for i in range(1, n + 1)))
        load(Goal, ["id", "uid", "created_at", "agreement_id", "title"],
             ((i, uuid.uuid4(), now, i, "Revenue") for i in range(1, n + 1)))

        plans = {}  # filled per client by meetings(); read by the later tables in order

        def meetings():
            for i in range(1, n + 1):
                rng = random.Random(i)
                kind = profile_of(rng)
                plan = []
                for k in range(MEETINGS):
                    status = "held"
                    if kind == "absent" and k >= MEETINGS - 2 or rng.random() < 0.04 and k < MEETINGS - 3:
                        status = "no_show"
                    focus = [relationships] if kind == "drifting" and k >= MEETINGS - 3 else [business]
                    if rng.random() < 0.1:
                        focus.append(rng.choice([2, 4, 5]))
                    plan.append((status, focus))
                plans[i] = (kind, plan)
                for k, (status, _) in enumerate(plan):
                    yield ((i - 1) * MEETINGS + k + 1, uuid.uuid4(), now, i, status,
                           start + timedelta(weeks=k), now)
        load(Meeting, ["id", "uid", "created_at", "engagement_id", "status", "starts_at", "reviewed_at"],
             meetings())
        load(Meeting.focus_areas.through, ["meeting_id", "focusarea_id"],
             (((i - 1) * MEETINGS + k + 1, area) for i in range(1, n + 1)
              for k, (_, focus) in enumerate(plans[i][1]) for area in focus))

        def scores():
            sid = 0
            for i in range(1, n + 1):
                kind, plan = plans[i]
                for k in (3, 7, 11):
                    if plan[k][0] == "held":
                        sid += 1
                        level = -1 if kind in ("slipping", "mixed") else min(2, k // 4 - 1)
                        yield (sid, uuid.uuid4(), now, (i - 1) * MEETINGS + k + 1, i, level)
        load(GoalScore, ["id", "uid", "created_at", "meeting_id", "goal_id", "level"], scores())

        def commitments():
            cid = 0
            for i in range(1, n + 1):
                rng = random.Random(-i)
                kind, plan = plans[i]
                for k in range(1, MEETINGS):
                    status = plan[k][0]
                    meeting_id = (i - 1) * MEETINGS + k + 1
                    for _ in range(args.per_meeting):
                        cid += 1
                        outcome, fraction = "open", None
                        if status == "held":
                            if kind == "slipping" and k >= MEETINGS - 4:
                                outcome = "missed"
                            elif kind == "mixed":
                                outcome = rng.choice(["kept", "missed", "missed", "waived"])
                            else:
                                p = rng.random()
                                outcome = "kept" if p < 0.8 else "missed" if p < 0.95 else "partly_kept"
                            fraction = 0.5 if outcome == "partly_kept" else None
                        reviewed = status == "held"
                        yield (cid, uuid.uuid4(), now, i, meeting_id - 1, "Act",
                               (start + timedelta(weeks=k, days=-1)).date(),
                               rng.choice([None, 30, 60, 90]), outcome, fraction,
                               "bench" if outcome == "waived" else "",
                               now if reviewed else None, meeting_id if reviewed else None)
        load(Commitment, ["id", "uid", "created_at", "engagement_id", "made_at_id", "description",
                          "due_on", "minutes_needed", "outcome", "kept_fraction", "client_reason",
                          "reviewed_at", "reviewed_in_id"], commitments())
        def checks():
            """Meeting checks on the last six held meetings of most clients: steady ones,
            ones whose newest check falls well below the rest, and ones sliding a little
            at each of their last three."""
            qid = 0
            for i in range(1, n + 1):
                rng = random.Random(i * 31)
                p = rng.random()
                if p < 0.4:
                    continue
                held = [k for k, (status, _) in enumerate(plans[i][1]) if status == "held"][-6:]
                for position, k in enumerate(held):
                    values = [rng.randint(8, 10) for _ in range(4)]
                    if 0.85 <= p < 0.95 and position == len(held) - 1:
                        values = [v - 4 for v in values]
                    elif p >= 0.95:
                        values = [min(10, max(0, 10 - max(0, position - len(held) + 4))) for _ in range(4)]
                    qid += 1
                    yield (qid, uuid.uuid4(), now, (i - 1) * MEETINGS + k + 1, *values, now)
        load(MeetingCheck, ["id", "uid", "created_at", "meeting_id", "on_what_matters", "plan_fits_week",
                            "felt_heard", "sure_to_do_it", "answered_at"], checks())
        # A planned break over the last meeting of one client in fifty.
        last_day = (start + timedelta(weeks=MEETINGS - 1)).date()
        load(PlannedBreak, ["id", "uid", "created_at", "engagement_id", "starts_on", "ends_on", "reason"],
             ((i, uuid.uuid4(), now, i, last_day, last_day, "Holiday") for i in range(1, n + 1)
              if random.Random(i * 37).random() < 0.02))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (get_user_model(), Practice, FocusArea, Coach, Client, Engagement,
                              Agreement, Goal, Meeting, GoalScore, Commitment, MeetingCheck, PlannedBreak):
                    table = model._meta.db_table
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table name from the model
                                   f"(SELECT MAX(id) FROM \"{table}\"))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


# Measuring --------------------------------------------------------------------------

# Written by hand, apart from the engine: the same definitions (defaults, no overrides,
# goals without renegotiated versions, as in this synthetic practice) in one statement
# over the whole practice, returning only which engagements get which flag.
# Meetings on a day of a planned break are left out first; the practice keeps UTC's calendar.
HAND_SQL = """
WITH m AS (
    SELECT m.id, m.engagement_id, m.status, m.starts_at,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id ORDER BY m.starts_at DESC, m.id DESC) AS r
    FROM meetings_meeting m JOIN clients_engagement e ON e.id = m.engagement_id
    WHERE e.state = 'active' AND m.status IN ('held', 'no_show')
      AND NOT EXISTS (SELECT 1 FROM clients_plannedbreak b WHERE b.engagement_id = m.engagement_id
                      AND b.cancelled_at IS NULL AND {day} BETWEEN b.starts_on AND b.ends_on)
),
chk AS (
    SELECT m.engagement_id,
           (q.on_what_matters + q.plan_fits_week + q.felt_heard + q.sure_to_do_it) / 4.0 AS s,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id ORDER BY m.starts_at DESC, m.id DESC) AS r,
           LEAD((q.on_what_matters + q.plan_fits_week + q.felt_heard + q.sure_to_do_it) / 4.0)
               OVER (PARTITION BY m.engagement_id ORDER BY m.starts_at DESC, m.id DESC) AS prev
    FROM meetings_meetingcheck q JOIN m ON m.id = q.meeting_id
    WHERE m.status = 'held'
),
fig AS (
    SELECT c.reviewed_in_id AS id,
           AVG(CASE c.outcome WHEN 'kept' THEN 1.0 WHEN 'missed' THEN 0.0
                              ELSE CAST(c.kept_fraction AS DOUBLE PRECISION) END) AS f
    FROM commitments_commitment c
    WHERE c.outcome IN ('kept', 'partly_kept', 'missed') AND c.reviewed_in_id IS NOT NULL
    GROUP BY c.reviewed_in_id
),
up AS (
    SELECT DISTINCT s.meeting_id FROM (
        SELECT g.meeting_id, g.level,
               LAG(g.level) OVER (PARTITION BY g.goal_id ORDER BY hm.starts_at, hm.id) AS prev
        FROM meetings_goalscore g JOIN meetings_meeting hm ON hm.id = g.meeting_id
        WHERE hm.status = 'held'
    ) s WHERE s.level > s.prev
),
held_fig AS (
    SELECT m.engagement_id, fig.f, up.meeting_id AS up,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id ORDER BY m.r) AS r
    FROM m JOIN fig ON fig.id = m.id LEFT JOIN up ON up.meeting_id = m.id
    WHERE m.status = 'held'
),
topics AS (
    SELECT m.engagement_id, COUNT(*) AS n,
           SUM(CASE WHEN mf.focusarea_id <> a.primary_focus_id THEN 1 ELSE 0 END) AS off,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id ORDER BY MIN(m.r)) AS r
    FROM m
    JOIN meetings_meeting_focus_areas mf ON mf.meeting_id = m.id
    JOIN clients_agreement a ON a.engagement_id = m.engagement_id
         AND a.version = (SELECT MAX(v.version) FROM clients_agreement v
                          WHERE v.engagement_id = m.engagement_id)
    WHERE m.status = 'held'
    GROUP BY m.engagement_id, m.id
)
SELECT engagement_id, 'nonproductive' FROM held_fig WHERE r <= 3 GROUP BY engagement_id
    HAVING COUNT(*) = 3 AND MAX(f) < 0.5 - 1e-9 AND COUNT(up) = 0
UNION ALL
SELECT engagement_id, 'focus_drift' FROM topics WHERE r <= 3 GROUP BY engagement_id
    HAVING COUNT(*) = 3 AND SUM(off) >= 2.0 / 3 * SUM(n) - 1e-9
UNION ALL
SELECT engagement_id, 'no_shows' FROM m WHERE r <= 2 GROUP BY engagement_id
    HAVING SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) = 2
UNION ALL
SELECT engagement_id, 'alliance_drop' FROM chk GROUP BY engagement_id
    HAVING COUNT(*) >= 2 AND (
        MAX(CASE WHEN r = 1 THEN s END)
            <= (SUM(s) - MAX(CASE WHEN r = 1 THEN s END)) / (COUNT(*) - 1) - 2.0 + 1e-9
        OR SUM(CASE WHEN r <= 2 AND s <= prev - 2.0 / 2 + 1e-9 THEN 1 ELSE 0 END) = 2)
"""
HAND_DAY = {"sqlite": "date(m.starts_at)", "postgresql": "CAST(m.starts_at AS DATE)"}


class Counter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def timed_scan(batch_size, *, trace=False):
    from django.db import connection

    from followthrough.engine.services import scan_pass

    counter = Counter()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = scan_pass(batch_size=batch_size)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    return {"seconds": round(seconds, 3), "queries": counter.queries, "raised": result.raised,
            "cleared": result.cleared, "engagements": result.engagements, "batches": result.batches,
            "failed": len(result.failed),
            **({"tracemalloc_peak_mb": round(peak / 2**20, 1)} if trace else {})}


def timed_hand_sql():
    from django.db import connection

    from followthrough.engine.services import scan_tuned

    started = time.perf_counter()
    found = set()
    # The same session settings the scan gets (SQLite's page cache, PostgreSQL without
    # JIT), so the comparison is like for like.
    with scan_tuned(), connection.cursor() as cursor:
        cursor.execute(HAND_SQL.format(day=HAND_DAY[connection.vendor]))
        while rows := cursor.fetchmany(5000):
            found.update((int(eid), kind) for eid, kind in rows)
    return time.perf_counter() - started, found


def peak_rss_mb():
    """The process's own peak (VmHWM): unlike ru_maxrss it starts afresh at exec, so it is
    not the building parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def forget_flags():
    """Back to a practice no pass has seen: no flags, no scan rows (their events stay in the
    log; the bench never verifies it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM engine_flag")
        cursor.execute("DELETE FROM engine_engagementscan")


def best(runs):
    return min(runs, key=lambda run: run["seconds"])


def measure(args):
    from followthrough.engine.models import Flag

    # Every figure is the best of RUNS runs, the hand query's as much as the scan's: on this
    # kind of machine the first read of a database after a pause comes from disk (the host
    # reclaims idle page cache), so a single run measures the disk as much as the work.
    if args.reset:
        forget_flags()
    rss_before = peak_rss_mb()
    cold_runs = []
    for run in range(RUNS):
        if run:
            forget_flags()
        cold_runs.append(timed_scan(args.batch_size))
        if not run:
            rss_after = peak_rss_mb()
    steady_runs = [timed_scan(args.batch_size) for _ in range(RUNS)]
    traced = timed_scan(args.batch_size, trace=True)
    hand_times = []
    for _ in range(RUNS):
        seconds, found = timed_hand_sql()
        hand_times.append(seconds)
    hand = min(hand_times)
    cold, steady = best(cold_runs), best(steady_runs)
    flags = set(Flag.objects.open().values_list("engagement_id", "kind"))
    return {
        "db": args.db, "clients": args.clients, "batch_size": args.batch_size,
        "cold_pass": cold, "steady_pass": steady, "steady_pass_traced": traced,
        "cold_runs": [run["seconds"] for run in cold_runs], "steady_runs": [run["seconds"] for run in steady_runs],
        "hand_sql_seconds": round(hand, 3), "hand_sql_runs": [round(s, 3) for s in hand_times],
        "ratio_cold": round(cold["seconds"] / hand, 2), "ratio_steady": round(steady["seconds"] / hand, 2),
        "same_flags": flags == found, "flags": len(flags),
        "by_kind": {k: sum(1 for _, kind in flags if kind == k)
                    for k in ("nonproductive", "focus_drift", "no_shows", "alliance_drop")},
        "peak_rss_mb_before_scan": rss_before,
        "peak_rss_mb_after_cold_pass": rss_after,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default="/tmp/ft-bench.sqlite3")  # noqa: S108 - a throwaway benchmark database; --sqlite-path picks another
    parser.add_argument("--pg-url", default="postgres://postgres@/ftbench?host=/tmp&port=5433")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--per-meeting", type=int, default=3, help="commitments reviewed per meeting")
    parser.add_argument("--phase", choices=["all", "build", "measure"], default="all")
    parser.add_argument("--reset", action="store_true",
                        help="with --phase measure: delete earlier flags first (cold pass again)")
    args = parser.parse_args()
    if args.phase in ("all", "build"):
        setup(args)
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        fresh_database(args)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        counts = build(args)
        print(json.dumps({"built": counts, "build_seconds": round(time.perf_counter() - started, 1)}),
              flush=True)
        connections.close_all()
    if args.phase == "all":
        # A fresh process, so the peak memory reported is the scan's, not the build's.
        argv = [sys.executable, __file__, *sys.argv[1:], "--phase", "measure"]
        sys.exit(subprocess.call(argv))
    if args.phase == "measure":
        setup(args)
        print(json.dumps(measure(args), indent=2), flush=True)


if __name__ == "__main__":
    main()
