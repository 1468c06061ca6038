"""The detection query: every flag condition for a set of engagements, in one statement.

Set-based on purpose: window functions rank each engagement's meetings from the newest,
aggregates turn the commitments reviewed at a meeting into its follow-through, and the
three conditions are decided per engagement in SQL. Python only groups the evidence rows
that come back. Runs on SQLite >= 3.25 and PostgreSQL.

Definitions (PRODUCT.md), with the choices this query makes:
- Follow-through of a held meeting = credit / due over the commitments reviewed at it
  (`reviewed_in`), kept = 1, partly kept = its fraction, missed = 0; waived ones and open
  ones are left out. A meeting with nothing counted has no figure.
- Nonproductive: the last N held meetings *that have a figure* each fall below the
  threshold, and none of them recorded goal progress. Held meetings without a figure are
  skipped (they break nothing and prove nothing); no-shows are not held, so they are
  skipped too and are watched by their own signal. Goal progress = a score higher than
  the previous score of the same goal in this engagement, where a goal carried into a
  renegotiated version (`carried_from`) continues its original's line.
- Focus drift: over the last K held meetings *that have focus areas recorded*, the share
  of (meeting, focus area) tags outside the current agreement version's primary focus
  reaches the threshold. An engagement with fewer than K such meetings cannot drift.
- No-shows: the last N meetings that took place or should have (held or no-show,
  planned and cancelled ones ignored) were all no-shows.
Shares are compared with EPSILON of slack, so exactly 0.5 is not below 0.5 and exactly
2/3 reaches 2/3.
"""

import json
import uuid
from datetime import UTC, datetime

from .models import EPSILON, Defaults

# The engagements a statement looks at: an id range (after, upto]. One engagement is the
# range (id - 1, id]; a scan batch keeps only the rows of the engagements it claimed.
# A range, not a join on the claim token, because both planners estimate a range well
# (a fresh claim token is estimated at one row, and PostgreSQL then nests loops badly).
SCOPE_RANGE = ("", "AND e.id > %(after)s AND e.id <= %(upto)s")

# The parts both statements share word for word (this one and the sweep in `sweep.py`),
# so each definition and threshold is written once. The parts that differ are planner
# choices, explained where they stand.
THRESHOLDS = """
COALESCE(ct.followthrough_below, pt.followthrough_below, %(below)s) AS below,
           COALESCE(ct.nonproductive_meetings, pt.nonproductive_meetings, %(np_n)s) AS np_n,
           COALESCE(ct.drift_meetings, pt.drift_meetings, %(drift_k)s) AS drift_k,
           COALESCE(ct.drift_share, pt.drift_share, %(drift_share)s) AS drift_share,
           COALESCE(ct.no_show_run, pt.no_show_run, %(no_show_n)s) AS no_show_n,
           (SELECT ag.primary_focus_id FROM clients_agreement ag WHERE ag.engagement_id = e.id
            ORDER BY ag.version DESC LIMIT 1) AS primary_focus_id"""

THRESHOLD_JOINS = """
JOIN practice_coach co ON co.id = e.coach_id
    LEFT JOIN engine_practicethresholds pt ON pt.practice_id = co.practice_id
    LEFT JOIN engine_coachthresholds ct ON ct.coach_id = e.coach_id"""

# Goal scores at held meetings, and each scored goal's line back through `carried_from`.
GOAL_LINES = """
scored AS (
    SELECT gs.meeting_id, gs.goal_id, gs.level, a.engagement_id, a.starts_at
    FROM attended a
    JOIN meetings_goalscore gs ON gs.meeting_id = a.meeting_id
    WHERE a.status = 'held'
),
goal_up (goal_id, ancestor_id, parent_id) AS (
    SELECT s.goal_id, s.goal_id,
           (SELECT g.carried_from_id FROM clients_goal g WHERE g.id = s.goal_id)
    FROM scored s GROUP BY s.goal_id
    UNION ALL
    SELECT u.goal_id, u.parent_id,
           (SELECT g.carried_from_id FROM clients_goal g WHERE g.id = u.parent_id)
    FROM goal_up u WHERE u.parent_id IS NOT NULL
),
"""

DRIFT_AND_NO_SHOWS = """
drift AS (
    SELECT t.engagement_id
    FROM tagged t
    WHERE t.tpos <= t.drift_k
    GROUP BY t.engagement_id, t.drift_k, t.drift_share
    HAVING COUNT(*) = t.drift_k AND SUM(t.off_topics) >= t.drift_share * SUM(t.topics) - %(eps)s
),
no_shows AS (
    SELECT a.engagement_id
    FROM attended a
    WHERE a.pos <= a.no_show_n
    GROUP BY a.engagement_id, a.no_show_n
    HAVING COUNT(*) = a.no_show_n
       AND SUM(CASE WHEN a.status = 'no_show' THEN 1 ELSE 0 END) = a.no_show_n
),
"""

SHARED = {
    "thresholds": THRESHOLDS.strip(),
    "threshold_joins": THRESHOLD_JOINS.strip(),
    "goal_lines": GOAL_LINES.strip() + "\n",
    "drift_and_no_shows": DRIFT_AND_NO_SHOWS.strip() + "\n",
}


# Written for SQLite's planner as much as PostgreSQL's: every join from a computed set goes
# to an indexed table (meetings by engagement, commitments by reviewed_in, scores by
# meeting), the thresholds ride along on each meeting row instead of being joined back,
# and the evidence branches pick their engagements with IN, never by joining two
# computed sets, which SQLite would do with nested scans.
# A table probed from a large computed set must not carry a filter of its own in the join
# (`c.outcome IN (...)`, `g.carried_from_id IS NOT NULL`): SQLite (>= 3.38) then builds a
# Bloom filter by reading the *whole* table on every statement, a cost per batch that grows
# with the practice (3.3 M commitments read 100 times at 100 k clients). So the commitment
# filter goes through a CASE on the evidence row, and the goal lines are walked with scalar
# subqueries by primary key, which PostgreSQL also probes instead of hashing clients_goal.
DETECT_SQL = """
WITH RECURSIVE
eng AS (
    SELECT e.id AS engagement_id, e.uid AS engagement_uid, cl.uid AS client_uid,
{thresholds}
    FROM clients_engagement e
    {scope_join}
    JOIN clients_client cl ON cl.id = e.client_id
{threshold_joins}
    WHERE e.state = 'active' {scope_where}
),
attended AS (
    SELECT m.id AS meeting_id, m.uid AS meeting_uid, m.engagement_id, m.starts_at, m.status,
           eng.below, eng.np_n, eng.drift_k, eng.drift_share, eng.no_show_n, eng.primary_focus_id,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id
                              ORDER BY m.starts_at DESC, m.id DESC) AS pos
    FROM eng
    JOIN meetings_meeting m ON m.engagement_id = eng.engagement_id
    WHERE m.status IN ('held', 'no_show')
),
{figured}{goal_lines}goal_root AS (
    SELECT u.goal_id, u.ancestor_id AS root_id FROM goal_up u WHERE u.parent_id IS NULL
),
progress AS (
    SELECT DISTINCT t.meeting_id FROM (
        SELECT s.meeting_id, s.level,
               LAG(s.level) OVER (PARTITION BY s.engagement_id, r.root_id
                                  ORDER BY s.starts_at, s.meeting_id) AS previous
        FROM scored s JOIN goal_root r ON r.goal_id = s.goal_id
    ) t
    WHERE t.level > t.previous
),
nonproductive AS (
    SELECT f.engagement_id
    FROM figured f
    LEFT JOIN progress p ON p.meeting_id = f.meeting_id
    WHERE f.fpos <= f.np_n
    GROUP BY f.engagement_id, f.np_n, f.below
    HAVING COUNT(*) = f.np_n AND MAX(f.figure) < f.below - %(eps)s AND COUNT(p.meeting_id) = 0
),
tagged AS (
    SELECT y.*, ROW_NUMBER() OVER (PARTITION BY y.engagement_id
                                   ORDER BY y.starts_at DESC, y.meeting_id DESC) AS tpos
    FROM (
        SELECT a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.drift_k, a.drift_share,
               COUNT(*) AS topics,
               SUM(CASE WHEN mf.focusarea_id = a.primary_focus_id THEN 0 ELSE 1 END) AS off_topics
        FROM attended a
        JOIN meetings_meeting_focus_areas mf ON mf.meeting_id = a.meeting_id
        WHERE a.status = 'held' AND a.primary_focus_id IS NOT NULL
        GROUP BY a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.drift_k, a.drift_share
    ) y
),
{drift_and_no_shows}evidence AS (
    SELECT f.engagement_id, 'nonproductive' AS kind, f.meeting_id, f.meeting_uid, f.starts_at,
           f.figure AS value, NULL AS off_topics, NULL AS topics, f.below AS threshold,
           f.np_n AS window_size, f.fpos AS rank
    FROM figured f
    WHERE f.fpos <= f.np_n AND f.engagement_id IN (SELECT engagement_id FROM nonproductive)
    UNION ALL
    SELECT t.engagement_id, 'focus_drift', t.meeting_id, t.meeting_uid, t.starts_at,
           CAST(t.off_topics AS DOUBLE PRECISION) / t.topics, t.off_topics, t.topics,
           t.drift_share, t.drift_k, t.tpos
    FROM tagged t
    WHERE t.tpos <= t.drift_k AND t.engagement_id IN (SELECT engagement_id FROM drift)
    UNION ALL
    SELECT a.engagement_id, 'no_shows', a.meeting_id, a.meeting_uid, a.starts_at,
           NULL, NULL, NULL, NULL, a.no_show_n, a.pos
    FROM attended a
    WHERE a.pos <= a.no_show_n AND a.engagement_id IN (SELECT engagement_id FROM no_shows)
),
-- A condition whose flag is already open (`known`) needs no evidence: its newest row
-- alone says it still holds.
shown AS (
    SELECT * FROM evidence v
    WHERE v.rank = 1 OR v.engagement_id || ':' || v.kind NOT IN ({known_set})
)
SELECT v.engagement_id, eng.engagement_uid, eng.client_uid, v.kind, v.meeting_uid, v.starts_at,
       v.value, v.off_topics, v.topics, v.threshold, v.window_size,
       c.uid, c.outcome,
       CASE c.outcome WHEN 'kept' THEN 1.0
                      WHEN 'partly_kept' THEN CAST(c.kept_fraction AS DOUBLE PRECISION)
                      WHEN 'missed' THEN 0.0 END
FROM shown v
JOIN eng ON eng.engagement_id = v.engagement_id
LEFT JOIN commitments_commitment c
       ON v.kind = 'nonproductive' AND c.reviewed_in_id = v.meeting_id
      AND CASE v.kind WHEN 'nonproductive' THEN c.outcome END IN ('kept', 'partly_kept', 'missed')
ORDER BY 1, 4, 6, 5, 12
"""

# How `figured` reaches the commitments differs by planner, with the same result:
# SQLite probes the reviewed_in index once per meeting (joining two computed sets, it
# would nest full scans); PostgreSQL reads the batch's commitments by engagement range and
# hash-joins them, which is about twice as fast there as a probe per meeting.
FIGURED_BY_PROBE = """figured AS (
    SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.engagement_id
                                   ORDER BY x.starts_at DESC, x.meeting_id DESC) AS fpos
    FROM (
        SELECT a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.below, a.np_n,
               SUM(CASE c.outcome WHEN 'kept' THEN 1.0
                                  WHEN 'partly_kept' THEN CAST(c.kept_fraction AS DOUBLE PRECISION)
                                  ELSE 0.0 END) / COUNT(*) AS figure
        FROM attended a
        JOIN commitments_commitment c ON c.reviewed_in_id = a.meeting_id
        WHERE a.status = 'held' AND c.outcome IN ('kept', 'partly_kept', 'missed')
        GROUP BY a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.below, a.np_n
    ) x
),
"""

FIGURED_BY_RANGE = """figured AS (
    SELECT a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.below, a.np_n, f.figure,
           ROW_NUMBER() OVER (PARTITION BY a.engagement_id
                              ORDER BY a.starts_at DESC, a.meeting_id DESC) AS fpos
    FROM attended a
    JOIN (
        SELECT c.reviewed_in_id AS meeting_id,
               SUM(CASE c.outcome WHEN 'kept' THEN 1.0
                                  WHEN 'partly_kept' THEN CAST(c.kept_fraction AS DOUBLE PRECISION)
                                  ELSE 0.0 END) / COUNT(*) AS figure
        FROM commitments_commitment c
        WHERE c.engagement_id > %(after)s AND c.engagement_id <= %(upto)s
          AND c.reviewed_in_id IS NOT NULL AND c.outcome IN ('kept', 'partly_kept', 'missed')
        GROUP BY c.reviewed_in_id
    ) f ON f.meeting_id = a.meeting_id
    WHERE a.status = 'held'
),"""


COLUMNS = (
    "engagement_id", "engagement_uid", "client_uid", "kind", "meeting_uid", "starts_at", "value",
    "off_topics", "topics", "threshold", "window", "commitment_uid", "outcome", "credit",
)


# The open flags' conditions, one JSON array parameter of "engagement_id:kind" strings.
KNOWN_SET = {
    "postgresql": "SELECT jsonb_array_elements_text(%(known)s::jsonb)",
    "sqlite": "SELECT value FROM json_each(%(known)s)",
}


def detect_sql(scope, vendor="sqlite"):
    join, where = scope
    figured = FIGURED_BY_RANGE if vendor == "postgresql" else FIGURED_BY_PROBE
    return DETECT_SQL.format(scope_join=join, scope_where=where, figured=figured.strip() + "\n",
                             known_set=KNOWN_SET.get(vendor, KNOWN_SET["sqlite"]), **SHARED)


def detect_params(known=(), **scope_params):
    return {
        "below": Defaults.followthrough_below, "np_n": Defaults.nonproductive_meetings,
        "drift_k": Defaults.drift_meetings, "drift_share": Defaults.drift_share,
        "no_show_n": Defaults.no_show_run, "eps": EPSILON,
        "known": json.dumps(sorted(f"{engagement_id}:{kind}" for engagement_id, kind in known)),
        **scope_params,
    }


def as_uid(value):
    """SQLite hands back a uuid as 32 hex digits, PostgreSQL as a UUID: one form for both."""
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    if len(text) == 32 and text.isascii() and text.isalnum():
        int(text, 16)  # Django's SQLite form, 32 hex digits: checked, then sliced (cheaper)
        text = text.lower()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return str(uuid.UUID(text))


def as_datetime(value):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    # SQLite stores UTC as text; a value that does not parse is a corrupt row.
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _share(value):
    return None if value is None else round(float(value), 4)


def conditions(rows, known=frozenset()):
    """Group the detection rows into {(engagement_id, kind): (client_uid, engagement_uid, evidence)}.

    Rows come ordered by engagement, kind, meeting time, so each condition's evidence is
    built from consecutive rows and memory holds one batch at most. Conditions in `known`
    (flags already open) are only noted as present: their evidence is not needed again.
    """
    found = {}
    for raw in rows:
        key = (raw[0], raw[3])
        if key in known:
            found[key] = None
            continue
        row = dict(zip(COLUMNS, raw, strict=True))
        entry = found.get(key)
        if entry is None:
            evidence = {"meetings": [], "commitments": [], "window": int(row["window"])}
            if row["threshold"] is not None:
                evidence["threshold"] = float(row["threshold"])
            if row["kind"] == "focus_drift":
                evidence["off_topics"] = evidence["topics"] = 0
            entry = found[key] = (as_uid(row["client_uid"]), as_uid(row["engagement_uid"]), evidence)
        evidence = entry[2]
        meeting_uid = as_uid(row["meeting_uid"])
        if not evidence["meetings"] or evidence["meetings"][-1]["uid"] != meeting_uid:
            meeting = {"uid": meeting_uid,
                       "starts_at": as_datetime(row["starts_at"]).astimezone(UTC).isoformat()}
            if row["kind"] == "nonproductive":
                meeting["figure"] = _share(row["value"])
            elif row["kind"] == "focus_drift":
                meeting["off_share"] = _share(row["value"])
                evidence["off_topics"] += int(row["off_topics"])
                evidence["topics"] += int(row["topics"])
            evidence["meetings"].append(meeting)
        if row["commitment_uid"] is not None:
            evidence["commitments"].append({
                "uid": as_uid(row["commitment_uid"]), "meeting": meeting_uid,
                "outcome": row["outcome"], "credit": _share(row["credit"]),
            })
    return found
