"""The first statement of a scan pass: which engagements' flags disagree with their records.

One set-based statement over the whole practice. It decides the three conditions with
the detection statement's own SQL (`detection.CONDITIONS`: same definitions, thresholds
and planner choices), but returns no evidence: only the ids of engagements where a
condition holds without an open flag, or an open flag's condition no longer holds. Those, and only those,
are then settled by `detection.py` under their claim and lock, which re-decides each one
on the records as they are at that moment and builds the evidence.

So a pass that changes nothing reads the practice once and writes nothing, in a constant
number of statements, and a pass that changes flags pays for evidence only where a flag
changes. Both statements implement the definitions in `detection.py`'s docstring, and
the tests hold them to the same answers (`tests/engine/test_engine_oracle.py`).

Planner notes, measured on the bench practice (10 k clients):
- Like the detection statement, the sweep reads only each engagement's newest meetings
  (`detection.CONDITIONS`): three index probes per engagement find where its windows
  start. Against ranking every meeting of the practice (the benchmark's hand query does),
  this took the sweep from 0.86 s to 0.45 s on SQLite and from 0.70 s to 0.51 s on
  PostgreSQL.
- Goal scores are read whole (`SCORED_WHOLE`): one pass over a small table, where the
  detection statement reaches a few engagements' scores through their meetings.
- Thresholds ride along on each meeting row. Joining them back onto a computed set makes
  SQLite nest two scans (minutes at 10 k clients).
"""

from django.db import connection

from .detection import THRESHOLD_JOINS, THRESHOLDS, conditions_sql, detect_params

SCORED_WHOLE = """meetings_goalscore gs
    JOIN meetings_meeting m ON m.id = gs.meeting_id"""

SWEEP_SQL = """
WITH RECURSIVE
scope AS MATERIALIZED (
    SELECT e.id AS engagement_id,
{thresholds}
    FROM clients_engagement e
{threshold_joins}
    WHERE e.state = 'active'
),
{conditions}found AS (
    SELECT engagement_id, 'nonproductive' AS kind FROM nonproductive
    UNION ALL SELECT engagement_id, 'focus_drift' FROM drift
    UNION ALL SELECT engagement_id, 'no_shows' FROM no_shows
),
-- Where the conditions and the open flags differ: a key in one but not the other. Both
-- sides are unique per (engagement, kind), the open flags by their partial unique index,
-- so a key that differs appears once. One read of `found`, where two NOT IN lists cost
-- SQLite 35 ms more at 10 k clients.
differs AS (
    SELECT d.engagement_id FROM (
        SELECT f.engagement_id, f.kind FROM found f
        UNION ALL
        SELECT o.engagement_id, o.kind FROM engine_flag o WHERE o.cleared_at IS NULL
    ) d
    GROUP BY d.engagement_id, d.kind HAVING COUNT(*) = 1
)
SELECT DISTINCT engagement_id FROM differs ORDER BY 1
"""


def sweep_sql(vendor):
    return SWEEP_SQL.format(thresholds=THRESHOLDS.strip(), threshold_joins=THRESHOLD_JOINS.strip(),
                            conditions=conditions_sql(vendor, SCORED_WHOLE).lstrip())


def engagements_to_settle():
    """Ids of the engagements whose open flags differ from what their records say now.

    Memory holds only these ids (none in a pass that changes nothing), never the
    practice's records or flags.
    """
    with connection.cursor() as cursor:
        cursor.execute(sweep_sql(connection.vendor), detect_params())
        return [row[0] for row in cursor.fetchall()]
