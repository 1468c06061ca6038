"""The first statement of a scan pass: which engagements' flags disagree with their records.

One set-based statement over the whole practice, shaped like the hand-written query in
`bench/scan.py` (whole tables read once, joined by hash or by automatic index) rather
than like the detection statement of `detection.py` (index probes for a few
engagements). It decides the same three conditions with the same definitions and
thresholds, but returns no evidence: only the ids of engagements where a condition holds
without an open flag, or an open flag's condition no longer holds. Those, and only those,
are then settled by `detection.py` under their claim and lock, which re-decides each one
on the records as they are at that moment and builds the evidence.

So a pass that changes nothing reads the practice once and writes nothing, in a constant
number of statements, and a pass that changes flags pays for evidence only where a flag
changes. Both statements implement the definitions in `detection.py`'s docstring, and
the tests hold them to the same answers (`tests/engine/test_engine_oracle.py`).

Planner notes, measured on the bench practice (10 k clients):
- `eng` is MATERIALIZED: inlined, PostgreSQL re-evaluated the agreement subquery per
  meeting and started 1.2 s late; materialized it is one hash join.
- SQLite scans meetings whole and looks `eng` up through an automatic index when the
  join cannot use the meetings' engagement index (`+m.engagement_id`); probing meetings
  per engagement instead costs 30% more. PostgreSQL plans the plain join better (a hash
  join), so the unary plus is SQLite's only.
- Thresholds ride along on each meeting row. Joining `eng` back onto a computed set makes
  SQLite nest two scans (minutes at 10 k clients).
"""

import json

from django.db import connection

from .detection import SHARED, detect_params

SWEEP_SQL = """
WITH RECURSIVE
eng AS MATERIALIZED (
    SELECT e.id AS engagement_id,
{thresholds}
    FROM clients_engagement e
{threshold_joins}
    WHERE e.state = 'active'
),
attended AS (
    SELECT m.id AS meeting_id, m.engagement_id, m.starts_at, m.status,
           eng.below, eng.np_n, eng.drift_k, eng.drift_share, eng.no_show_n, eng.primary_focus_id,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id ORDER BY m.starts_at DESC, m.id DESC) AS pos
    FROM meetings_meeting m JOIN eng ON eng.engagement_id = {meeting_engagement}
    WHERE m.status IN ('held', 'no_show')
),
fig AS (
    SELECT c.reviewed_in_id AS meeting_id,
           SUM(CASE c.outcome WHEN 'kept' THEN 1.0
                              WHEN 'partly_kept' THEN CAST(c.kept_fraction AS DOUBLE PRECISION)
                              ELSE 0.0 END) / COUNT(*) AS figure
    FROM commitments_commitment c
    WHERE c.reviewed_in_id IS NOT NULL AND c.outcome IN ('kept', 'partly_kept', 'missed')
    GROUP BY c.reviewed_in_id
),
figured AS (
    SELECT a.meeting_id, a.engagement_id, a.np_n, a.below, fig.figure,
           ROW_NUMBER() OVER (PARTITION BY a.engagement_id
                              ORDER BY a.starts_at DESC, a.meeting_id DESC) AS fpos
    FROM attended a JOIN fig ON fig.meeting_id = a.meeting_id
    WHERE a.status = 'held'
),
{goal_lines}progress AS (
    SELECT t.meeting_id FROM (
        SELECT s.meeting_id, s.level,
               LAG(s.level) OVER (PARTITION BY s.engagement_id, r.ancestor_id
                                  ORDER BY s.starts_at, s.meeting_id) AS previous
        FROM scored s JOIN goal_up r ON r.goal_id = s.goal_id AND r.parent_id IS NULL
    ) t
    WHERE t.level > t.previous
),
nonproductive AS (
    SELECT f.engagement_id
    FROM figured f
    WHERE f.fpos <= f.np_n
    GROUP BY f.engagement_id, f.np_n, f.below
    HAVING COUNT(*) = f.np_n AND MAX(f.figure) < f.below - %(eps)s
       AND SUM(CASE WHEN f.meeting_id IN (SELECT meeting_id FROM progress) THEN 1 ELSE 0 END) = 0
),
tagged AS (
    SELECT y.*, ROW_NUMBER() OVER (PARTITION BY y.engagement_id
                                   ORDER BY y.starts_at DESC, y.meeting_id DESC) AS tpos
    FROM (
        SELECT a.meeting_id, a.engagement_id, a.starts_at, a.drift_k, a.drift_share, COUNT(*) AS topics,
               SUM(CASE WHEN mf.focusarea_id = a.primary_focus_id THEN 0 ELSE 1 END) AS off_topics
        FROM attended a
        JOIN meetings_meeting_focus_areas mf ON mf.meeting_id = a.meeting_id
        WHERE a.status = 'held' AND a.primary_focus_id IS NOT NULL
        GROUP BY a.meeting_id, a.engagement_id, a.starts_at, a.drift_k, a.drift_share
    ) y
),
{drift_and_no_shows}found AS (
    SELECT engagement_id, 'nonproductive' AS kind FROM nonproductive
    UNION ALL SELECT engagement_id, 'focus_drift' FROM drift
    UNION ALL SELECT engagement_id, 'no_shows' FROM no_shows
),
found_keys AS MATERIALIZED (SELECT engagement_id || ':' || kind AS condition FROM found),
open_keys AS MATERIALIZED (
    SELECT o.engagement_id, o.engagement_id || ':' || o.kind AS condition
    FROM engine_flag o WHERE o.cleared_at IS NULL
)
SELECT f.engagement_id FROM found f
WHERE f.engagement_id || ':' || f.kind NOT IN (SELECT condition FROM open_keys)
UNION
SELECT o.engagement_id FROM open_keys o
WHERE o.condition NOT IN (SELECT condition FROM found_keys)
ORDER BY 1
"""


def sweep_sql(vendor):
    meeting_engagement = "+m.engagement_id" if vendor == "sqlite" else "m.engagement_id"
    return SWEEP_SQL.format(meeting_engagement=meeting_engagement, **SHARED)


def engagements_to_settle():
    """Ids of the engagements whose open flags differ from what their records say now.

    Memory holds only these ids (none in a pass that changes nothing), never the
    practice's records or flags.
    """
    with connection.cursor() as cursor:
        cursor.execute(sweep_sql(connection.vendor), detect_params())
        return [row[0] for row in cursor.fetchall()]


def in_ids(column, vendor):
    """`column` is one of the ids in the parameter `%(ids)s` (built by `ids_param`).

    PostgreSQL gets an array, whose length its planner sees (a set returned by a function
    is guessed at 100 rows, which planned a 1000-engagement batch as nested loops, 0.7 s);
    SQLite gets a JSON array, read by json_each.
    """
    if vendor == "postgresql":
        return f"{column} = ANY(%(ids)s)"
    return f"{column} IN (SELECT value FROM json_each(%(ids)s))"


def ids_param(ids, vendor):
    ids = [int(i) for i in ids]
    return ids if vendor == "postgresql" else json.dumps(ids)
