"""The detection query: every flag condition for a set of engagements, in one statement.

Set-based on purpose: window functions rank each engagement's meetings from the newest,
aggregates turn the commitments reviewed at a meeting into its follow-through, and the
four conditions are decided per engagement in SQL. Python only groups the evidence rows
that come back. Runs on SQLite >= 3.35 (for MATERIALIZED) and PostgreSQL.

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
- Alliance drop: over the held meetings with a meeting check (score = the mean of its
  four answers, 0-10), the newest check's score is at least P points below the mean of
  the client's earlier checks in the engagement (at least one earlier check), or each of
  the last F checks fell at least P/2 points below the one before it (a real fall: the
  mean of four whole answers moves a quarter point at a time, and clients who answer
  near the top at random slide by a quarter point twice in a row often).
- Planned breaks: a meeting whose practice-local day falls inside an in-force planned
  break of its engagement is left out of every condition (it neither counts nor breaks a
  run), so no flag can be raised by meetings in a break. Goal progress still reads every
  held meeting's scores: progress can only keep a flag down.
Shares are compared with EPSILON of slack, so exactly 0.5 is not below 0.5 and exactly
2/3 reaches 2/3.
"""

import json

from .grouping import as_datetime, as_uid, conditions  # noqa: F401 - the statement's rows, read back
from .models import EPSILON, Defaults

# Both statements (this one, for a set of engagements, and the sweep in `sweep.py`, for
# the whole practice) start from a `scope` CTE of engagements with their thresholds, and
# share everything from there to the four conditions word for word (CONDITIONS), so each
# definition and threshold is written once. (The one difference is which side the meeting
# checks are read from, `checked_rows`: the same rows, in the order that suits the scope.)
# `has_break` is one index probe per engagement, so the engagements without a planned
# break (nearly all) never convert a meeting's time to the practice's day.
SCOPE = """scope AS MATERIALIZED (
    SELECT e.id AS engagement_id,
           COALESCE(ct.followthrough_below, pt.followthrough_below, %(below)s) AS below,
           COALESCE(ct.nonproductive_meetings, pt.nonproductive_meetings, %(np_n)s) AS np_n,
           COALESCE(ct.drift_meetings, pt.drift_meetings, %(drift_k)s) AS drift_k,
           COALESCE(ct.drift_share, pt.drift_share, %(drift_share)s) AS drift_share,
           COALESCE(ct.no_show_run, pt.no_show_run, %(no_show_n)s) AS no_show_n,
           COALESCE(ct.alliance_drop_points, pt.alliance_drop_points, %(drop_points)s) AS drop_points,
           COALESCE(ct.alliance_falls_in_row, pt.alliance_falls_in_row, %(falls_n)s) AS falls_n,
           p.timezone AS tz,
           CASE WHEN EXISTS (SELECT 1 FROM clients_plannedbreak b
                             WHERE b.engagement_id = e.id AND b.cancelled_at IS NULL) THEN 1 ELSE 0 END AS has_break,
           (SELECT ag.primary_focus_id FROM clients_agreement ag WHERE ag.engagement_id = e.id
            ORDER BY ag.version DESC LIMIT 1) AS primary_focus_id,
           e.active_since
    FROM clients_engagement e
    JOIN practice_coach co ON co.id = e.coach_id
    JOIN practice_practice p ON p.id = co.practice_id
    LEFT JOIN engine_practicethresholds pt ON pt.practice_id = co.practice_id
    LEFT JOIN engine_coachthresholds ct ON ct.coach_id = e.coach_id
    WHERE e.state = 'active'{narrower}
),
"""


def scope_sql(narrower=""):
    """The `scope` CTE: active engagements (those matching `narrower` too) with their thresholds."""
    return SCOPE.format(narrower=f" AND {narrower}" if narrower else "")


# The three meeting conditions look only at an engagement's newest meetings, so neither
# statement reads a whole history of meetings (the alliance drop reads every check: its
# baseline is all the client's earlier ones). `cuts` finds, per engagement, where each condition's window
# starts (the Nth newest meeting of its kind, N the widest window in scope, from the
# meetings' (engagement, starts_at) index), and `since` is the earliest of the three:
# everything from there on is read, ranked and judged exactly as if the whole history
# were. A cut that does not exist (fewer meetings of that kind than the widest window)
# means "read everything" when this engagement's own window is narrower, and "this
# condition cannot hold" when it is the widest. Goal progress is the one thing that looks
# further back (a score is compared with the goal line's previous score), so `scored`
# reads every held meeting's scores, but only of the engagements it can decide for.
# Meetings in a planned break are left out before any of this (`outside_break`), so the
# windows reach past them.
CONDITIONS = """
cuts AS MATERIALIZED (
    SELECT s.*,
           (SELECT m.starts_at FROM meetings_meeting m
            WHERE m.engagement_id = s.engagement_id AND m.status = 'held'
              AND (s.active_since IS NULL OR m.starts_at >= s.active_since) AND {outside_m_s}
              AND EXISTS (SELECT 1 FROM commitments_commitment c
                          WHERE c.reviewed_in_id = m.id AND c.outcome IN ('kept', 'partly_kept', 'missed'))
            ORDER BY m.starts_at DESC, m.id DESC
            LIMIT 1 OFFSET (SELECT MAX(np_n) FROM scope) - 1) AS figured_from,
           (SELECT m.starts_at FROM meetings_meeting m
            WHERE m.engagement_id = s.engagement_id AND m.status = 'held'
              AND (s.active_since IS NULL OR m.starts_at >= s.active_since) AND {outside_m_s}
              AND EXISTS (SELECT 1 FROM meetings_meeting_focus_areas mf WHERE mf.meeting_id = m.id)
            ORDER BY m.starts_at DESC, m.id DESC
            LIMIT 1 OFFSET (SELECT MAX(drift_k) FROM scope) - 1) AS tagged_from,
           (SELECT m.starts_at FROM meetings_meeting m
            WHERE m.engagement_id = s.engagement_id AND m.status IN ('held', 'no_show')
              AND (s.active_since IS NULL OR m.starts_at >= s.active_since) AND {outside_m_s}
            ORDER BY m.starts_at DESC, m.id DESC
            LIMIT 1 OFFSET (SELECT MAX(no_show_n) FROM scope) - 1) AS attended_from
    FROM scope s
),
eng AS MATERIALIZED (
    SELECT x.*,
           {least}(CASE WHEN x.figured_from IS NOT NULL THEN x.figured_from
                        WHEN x.np_n < (SELECT MAX(np_n) FROM scope) THEN {earliest} ELSE {never} END,
                   CASE WHEN x.tagged_from IS NOT NULL THEN x.tagged_from
                        WHEN x.drift_k < (SELECT MAX(drift_k) FROM scope) THEN {earliest} ELSE {never} END,
                   CASE WHEN x.attended_from IS NOT NULL THEN x.attended_from
                        WHEN x.no_show_n < (SELECT MAX(no_show_n) FROM scope) THEN {earliest} ELSE {never} END
           ) AS since
    FROM cuts x
),
attended AS MATERIALIZED (
    SELECT m.id AS meeting_id, m.uid AS meeting_uid, m.engagement_id, m.starts_at, m.status,
           eng.below, eng.np_n, eng.drift_k, eng.drift_share, eng.no_show_n, eng.primary_focus_id,
           ROW_NUMBER() OVER (PARTITION BY m.engagement_id
                              ORDER BY m.starts_at DESC, m.id DESC) AS pos
    FROM eng
    JOIN meetings_meeting m ON m.engagement_id = eng.engagement_id AND m.starts_at >= eng.since
         AND (eng.active_since IS NULL OR m.starts_at >= eng.active_since)
    WHERE m.status IN ('held', 'no_show') AND {outside_m_eng}
),
figured AS (
    SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.engagement_id
                                   ORDER BY x.starts_at DESC, x.meeting_id DESC) AS fpos
    FROM (
        SELECT a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.below, a.np_n,
               SUM(CASE c.outcome WHEN 'kept' THEN 1.0
                                  WHEN 'partly_kept' THEN CAST(c.kept_fraction AS DOUBLE PRECISION)
                                  ELSE 0.0 END) / COUNT(*) AS figure
        FROM attended a
        JOIN commitments_commitment c ON c.reviewed_in_id = a.meeting_id
        WHERE a.status <> 'no_show' AND c.outcome IN ('kept', 'partly_kept', 'missed')
        GROUP BY a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.below, a.np_n
    ) x
),
-- The engagements whose newest reviewed meetings are all below the threshold: the only
-- ones where goal progress decides anything, so the only ones whose scores are read
-- (through their meetings, by index; on SQLite in that order, which CROSS JOIN fixes:
-- left free, it read every score in the practice and looked each one's meeting up).
-- Reading every score in the practice was a sixth of the sweep at 10 k clients.
failing AS MATERIALIZED (
    SELECT w.* FROM (
        SELECT f.*, COUNT(*) OVER per_engagement AS counted, MAX(f.figure) OVER per_engagement AS best
        FROM figured f
        WHERE f.fpos <= f.np_n
        WINDOW per_engagement AS (PARTITION BY f.engagement_id)
    ) w
    WHERE w.counted = w.np_n AND w.best < w.below - %(eps)s
),
scored AS (
    SELECT gs.meeting_id, gs.goal_id, gs.level, m.engagement_id, m.starts_at
    FROM (SELECT DISTINCT engagement_id FROM failing) fe
    {ordered_join} meetings_meeting m ON m.engagement_id = fe.engagement_id
    {ordered_join} meetings_goalscore gs ON gs.meeting_id = m.id
    WHERE m.status = 'held'
),
-- Each score walks up its goal's `carried_from` line to the line's first goal, carrying
-- its own columns along: joining the scores to a separate table of lines would join two
-- computed sets, which SQLite does by nested scans.
lines (meeting_id, level, engagement_id, starts_at, ancestor_id, parent_id) AS (
    SELECT s.meeting_id, s.level, s.engagement_id, s.starts_at, s.goal_id,
           (SELECT g.carried_from_id FROM clients_goal g WHERE g.id = s.goal_id)
    FROM scored s
    UNION ALL
    SELECT u.meeting_id, u.level, u.engagement_id, u.starts_at, u.parent_id,
           (SELECT g.carried_from_id FROM clients_goal g WHERE g.id = u.parent_id)
    FROM lines u WHERE u.parent_id IS NOT NULL
),
progress AS (
    SELECT DISTINCT t.meeting_id FROM (
        SELECT l.meeting_id, l.level,
               LAG(l.level) OVER (PARTITION BY l.engagement_id, l.ancestor_id
                                  ORDER BY l.starts_at, l.meeting_id) AS previous
        FROM lines l WHERE l.parent_id IS NULL
    ) t
    WHERE t.level > t.previous
),
-- Each condition keeps the rows of its window (its evidence) for the engagements where
-- it holds, judged by window aggregates over each engagement's rows. So the evidence is
-- these rows as they stand: no statement picks engagements out of one computed set by
-- membership in another, which PostgreSQL cannot size (it guessed one row and compared
-- millions of pairs).
nonproductive AS (
    SELECT w.* FROM (
        SELECT f.*, {progressed} OVER per_engagement AS progressed
        FROM failing f {progress_join}
        WINDOW per_engagement AS (PARTITION BY f.engagement_id)
    ) w
    WHERE w.progressed = 0
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
        WHERE a.status <> 'no_show' AND a.primary_focus_id IS NOT NULL
        GROUP BY a.meeting_id, a.meeting_uid, a.engagement_id, a.starts_at, a.drift_k, a.drift_share
    ) y
),
drift AS (
    SELECT w.* FROM (
        SELECT t.*, COUNT(*) OVER per_engagement AS counted,
               SUM(t.off_topics) OVER per_engagement AS off_total, SUM(t.topics) OVER per_engagement AS all_topics
        FROM tagged t
        WHERE t.tpos <= t.drift_k
        WINDOW per_engagement AS (PARTITION BY t.engagement_id)
    ) w
    WHERE w.counted = w.drift_k AND w.off_total >= w.drift_share * w.all_topics - %(eps)s
),
no_shows AS (
    SELECT w.* FROM (
        SELECT a.*, COUNT(*) OVER per_engagement AS counted,
               SUM(CASE WHEN a.status = 'no_show' THEN 1 ELSE 0 END) OVER per_engagement AS absent
        FROM attended a
        WHERE a.pos <= a.no_show_n
        WINDOW per_engagement AS (PARTITION BY a.engagement_id)
    ) w
    WHERE w.counted = w.no_show_n AND w.absent = w.no_show_n
),
-- The held meetings with a meeting check, newest first, each with the score of the check
-- before it (`older`). The baseline is every earlier check of the engagement, so these
-- are read in full, but only checks: an engagement without any costs one probe.
checked AS (
    SELECT y.*, ROW_NUMBER() OVER newest_first AS cpos, LEAD(y.score) OVER newest_first AS older
    FROM ({checked_rows}) y
    WINDOW newest_first AS (PARTITION BY y.engagement_id ORDER BY y.starts_at DESC, y.meeting_id DESC)
),
alliance AS (
    SELECT w.*, (w.total - w.newest) / (w.checks - 1) AS baseline, w.checks - 1 AS earlier FROM (
        SELECT c.*, COUNT(*) OVER per_engagement AS checks, SUM(c.score) OVER per_engagement AS total,
               MAX(CASE WHEN c.cpos = 1 THEN c.score END) OVER per_engagement AS newest,
               SUM(CASE WHEN c.cpos <= c.falls_n AND c.score <= c.older - c.drop_points / 2.0 + %(eps)s
                        THEN 1 ELSE 0 END) OVER per_engagement AS falls
        FROM checked c
        WINDOW per_engagement AS (PARTITION BY c.engagement_id)
    ) w
    WHERE w.checks >= 2 AND w.cpos <= w.falls_n + 1
      AND (w.newest <= (w.total - w.newest) / (w.checks - 1) - w.drop_points + %(eps)s OR w.falls = w.falls_n)
),
"""

# A meeting is outside every in-force planned break of its engagement, judged on the
# practice's calendar day of its start.
OUTSIDE_BREAK = """(CASE WHEN {s}.has_break = 0 THEN 1
      WHEN EXISTS (SELECT 1 FROM clients_plannedbreak b
                   WHERE b.engagement_id = {m}.engagement_id AND b.cancelled_at IS NULL
                     AND b.starts_on <= {day} AND b.ends_on >= {day}) THEN 0 ELSE 1 END = 1)"""

# The checks of the engagements in scope: from the scope through each engagement's held
# meetings (a few engagements), or from the checks to their meetings and engagements (the
# whole practice, where most engagements may have no check at all).
CHECKED_ROWS = """SELECT m.id AS meeting_id, m.uid AS meeting_uid, m.engagement_id, m.starts_at,
               s.drop_points, s.falls_n,
               (mc.on_what_matters + mc.plan_fits_week + mc.felt_heard + mc.sure_to_do_it) / 4.0 AS score
        FROM {source}
        WHERE m.status = 'held' AND (s.active_since IS NULL OR m.starts_at >= s.active_since)
          AND {outside_m_s}"""
CHECKS_FROM_SCOPE = ("scope s {ordered_join} meetings_meeting m ON m.engagement_id = s.engagement_id "
                     "{ordered_join} meetings_meetingcheck mc ON mc.meeting_id = m.id")
CHECKS_FROM_CHECKS = ("meetings_meetingcheck mc {ordered_join} meetings_meeting m ON m.id = mc.meeting_id "
                      "{ordered_join} scope s ON s.engagement_id = m.engagement_id")

# How each database spells the earliest of three times, times before and after any
# meeting, a join its planner must not reorder, and whether a meeting recorded progress.
VENDOR_WORDS = {
    "postgresql": {
        "least": "LEAST", "earliest": "'-infinity'::timestamptz", "never": "'infinity'::timestamptz",
        "ordered_join": "JOIN",
        # Not `IN (SELECT ...)`: PostgreSQL stops hashing such a list once it guesses the
        # list will not fit in work_mem, and then rescans it for every row (minutes at
        # 100 k clients).
        "progressed": "COUNT(p.meeting_id)",
        "progress_join": "LEFT JOIN progress p ON p.meeting_id = f.meeting_id",
        "local_day": "CAST(({m}.starts_at AT TIME ZONE {s}.tz) AS DATE)",
    },
    # SQLite keeps times as ISO text: '' sorts before every one, '9999-12-31 23:59:59' after.
    # (A bare '9999' does not: the datetime column's numeric affinity turns it into the number
    # 9999, which sorts before all text, so every history was read in full.) It joins two
    # computed sets by nested scans (13 s at 10 k clients), but builds an index for an IN
    # list.
    "sqlite": {
        "least": "MIN", "earliest": "''", "never": "'9999-12-31 23:59:59'", "ordered_join": "CROSS JOIN",
        "progressed": "SUM(CASE WHEN f.meeting_id IN (SELECT meeting_id FROM progress) THEN 1 ELSE 0 END)",
        "progress_join": "",
        # Django registers this function on every SQLite connection (times are kept in UTC).
        "local_day": "django_datetime_cast_date({m}.starts_at, {s}.tz, 'UTC')",
    },
}


def outside_break(vendor, m, s):
    day = VENDOR_WORDS[vendor]["local_day"].format(m=m, s=s)
    return OUTSIDE_BREAK.format(m=m, s=s, day=day)


def conditions_sql(vendor, *, whole_practice=False):
    words = VENDOR_WORDS[vendor]
    source = (CHECKS_FROM_CHECKS if whole_practice else CHECKS_FROM_SCOPE).format(**words)
    checked_rows = CHECKED_ROWS.format(source=source, outside_m_s=outside_break(vendor, "m", "s"))
    return CONDITIONS.format(**words, checked_rows=checked_rows, outside_m_s=outside_break(vendor, "m", "s"),
                             outside_m_eng=outside_break(vendor, "m", "eng"))


# Written for SQLite's planner as much as PostgreSQL's: every join from a computed set goes
# to an indexed table (meetings by engagement and time, commitments by reviewed_in, scores
# by meeting), and the thresholds ride along on each meeting row instead of being joined
# back: SQLite joins two computed sets with nested scans.
# A table probed from a large computed set must not carry a filter of its own in the join
# (`c.outcome IN (...)`): SQLite (>= 3.38) then builds a Bloom filter by reading the
# *whole* table on every statement, a cost per batch that grows with the practice. So the
# evidence's commitment filter goes through a CASE on the evidence row, and the goal lines
# are walked with scalar subqueries by primary key.
DETECT_SQL = """
WITH RECURSIVE
{scope}{conditions}{evidence}-- A condition whose flag is already open (`known`) needs no evidence: its newest row
-- alone says it still holds.
shown AS (
    SELECT * FROM evidence v
    WHERE v.rank = 1 OR v.engagement_id || ':' || v.kind NOT IN ({known_set})
)
{evidence_rows}"""

# The conditions' rows in one layout: kind, meeting, its figure or share, the threshold
# and window applied, and the meeting's rank from the newest. The first branch names the
# types of the columns only the alliance drop fills: PostgreSQL settles a UNION pair by
# pair, and two bare NULLs become text.
EVIDENCE = """evidence AS (
    SELECT f.engagement_id, 'nonproductive' AS kind, f.meeting_id, f.meeting_uid, f.starts_at,
           f.figure AS value, NULL AS off_topics, NULL AS topics, f.below AS threshold,
           f.np_n AS window_size, CAST(NULL AS DOUBLE PRECISION) AS baseline,
           CAST(NULL AS BIGINT) AS earlier, f.fpos AS rank
    FROM nonproductive f
    UNION ALL
    SELECT t.engagement_id, 'focus_drift', t.meeting_id, t.meeting_uid, t.starts_at,
           CAST(t.off_topics AS DOUBLE PRECISION) / t.topics, t.off_topics, t.topics,
           t.drift_share, t.drift_k, NULL, NULL, t.tpos
    FROM drift t
    UNION ALL
    SELECT a.engagement_id, 'no_shows', a.meeting_id, a.meeting_uid, a.starts_at,
           NULL, NULL, NULL, NULL, a.no_show_n, NULL, NULL, a.pos
    FROM no_shows a
    UNION ALL
    SELECT k.engagement_id, 'alliance_drop', k.meeting_id, k.meeting_uid, k.starts_at,
           k.score, NULL, NULL, k.drop_points, k.falls_n, k.baseline, k.earlier, k.cpos
    FROM alliance k
),
"""

# One row per (evidence row, commitment reviewed at its meeting), in the order
# `conditions` reads them; both statements end with it. Uids and times come as text,
# the form the evidence keeps: loaded as UUID and datetime objects by the driver only to
# be written back as text, they cost PostgreSQL's cold pass 0.1 s at 10 k clients.
EVIDENCE_ROWS = """SELECT v.engagement_id, CAST(e.uid AS TEXT), CAST(cl.uid AS TEXT), v.kind,
       CAST(v.meeting_uid AS TEXT), CAST(v.starts_at AS TEXT),
       v.value, v.off_topics, v.topics, v.threshold, v.window_size, v.baseline, v.earlier,
       CAST(c.uid AS TEXT), c.outcome,
       CASE c.outcome WHEN 'kept' THEN 1.0
                      WHEN 'partly_kept' THEN CAST(c.kept_fraction AS DOUBLE PRECISION)
                      WHEN 'missed' THEN 0.0 END
FROM {rows} v
JOIN clients_engagement e ON e.id = v.engagement_id
JOIN clients_client cl ON cl.id = e.client_id
LEFT JOIN commitments_commitment c
       ON v.kind = 'nonproductive' AND c.reviewed_in_id = v.meeting_id
      AND CASE v.kind WHEN 'nonproductive' THEN c.outcome END IN ('kept', 'partly_kept', 'missed')
ORDER BY v.engagement_id, v.kind, v.starts_at, v.meeting_uid, c.uid
"""


# The open flags' conditions, one JSON array parameter of "engagement_id:kind" strings.
KNOWN_SET = {
    "postgresql": "SELECT jsonb_array_elements_text(%(known)s::jsonb)",
    "sqlite": "SELECT value FROM json_each(%(known)s)",
}


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


def detect_sql(vendor):
    """The detection statement for the engagements whose ids are in `%(ids)s`."""
    return DETECT_SQL.format(
        scope=scope_sql(in_ids("e.id", vendor)), conditions=conditions_sql(vendor).lstrip(),
        evidence=EVIDENCE,
        known_set=KNOWN_SET[vendor], evidence_rows=EVIDENCE_ROWS.format(rows="shown"))


def detect_params(vendor=None, *, ids=(), known=()):
    params = {
        "below": Defaults.followthrough_below, "np_n": Defaults.nonproductive_meetings,
        "drift_k": Defaults.drift_meetings, "drift_share": Defaults.drift_share,
        "no_show_n": Defaults.no_show_run, "drop_points": Defaults.alliance_drop_points,
        "falls_n": Defaults.alliance_falls_in_row, "eps": EPSILON,
    }
    if vendor is not None:
        params["ids"] = ids_param(ids, vendor)
        params["known"] = json.dumps(sorted(f"{engagement_id}:{kind}" for engagement_id, kind in known))
    return params
