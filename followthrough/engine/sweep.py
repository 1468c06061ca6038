"""The first statement of a scan pass: which engagements' flags disagree with their records, and why.

One set-based statement over the whole practice. It decides the four conditions with
the detection statement's own SQL (`detection.CONDITIONS`: same definitions, thresholds
and planner choices) and compares them with the open flags. It returns the difference,
in the detection statement's row layout: the evidence rows of each condition that holds
without an open flag (to raise), and one row without a meeting for each open flag whose
condition no longer holds (to clear); for engagements whose flags agree with their
records, nothing. The pass reads these rows as a stream, a batch of engagements at a time
(`batches`; PostgreSQL through a server-side cursor), so memory holds one batch.

So a pass that changes nothing reads the practice once and writes nothing, in a constant
number of statements, and a pass that changes flags pays for evidence only where a flag
changes, without deciding those engagements a second time. Whether a swept answer may
still be written is the settle's business (`services.py`): it is, for an engagement whose
records have no event since the sweep began. Both statements implement the definitions
in `detection.py`'s docstring, and the tests hold them to the same answers
(`tests/engine/test_engine_oracle.py`).

Planner notes, measured on the bench practice (10 k clients):
- Like the detection statement, the sweep reads only each engagement's newest meetings
  (`detection.CONDITIONS`): three index probes per engagement find where its windows
  start. Against ranking every meeting of the practice (the benchmark's hand query does),
  this took the sweep from 0.86 s to 0.45 s on SQLite and from 0.70 s to 0.51 s on
  PostgreSQL.
- Goal scores are read only for the engagements whose newest reviewed meetings all fall
  short (`detection.CONDITIONS`' `failing`), through their meetings: reading every score
  in the practice took the sweep from 0.56 to 0.62 s on SQLite and from 0.53 to 0.63 s
  on PostgreSQL.
- Thresholds ride along on each meeting row. Joining them back onto a computed set makes
  SQLite nest two scans (minutes at 10 k clients).
- The lapsed flags are one GROUP BY over conditions and open flags (`lapsed`): two NOT IN
  lists cost SQLite 35 ms more at 10 k clients.
- Nothing is picked out of one computed set by membership in another: PostgreSQL sizes
  such sets at one row and compares every pair (millions at 10 k clients).
"""

from django.db import connection

from . import detection
from .detection import EVIDENCE, EVIDENCE_ROWS, conditions_sql, detect_params, scope_sql

SWEEP_SQL = """
WITH RECURSIVE
{scope}{conditions}{evidence}found AS (SELECT engagement_id, kind FROM evidence WHERE rank = 1),
-- Open flags whose condition no longer holds: the keys found on the flags' side only.
-- Both sides are unique per (engagement, kind), the open flags by their partial unique
-- index, so a key on one side only appears once.
lapsed AS (
    SELECT d.engagement_id, d.kind FROM (
        SELECT f.engagement_id, f.kind, 0 AS flagged FROM found f
        UNION ALL
        SELECT o.engagement_id, o.kind, 1 FROM engine_flag o WHERE o.cleared_at IS NULL
    ) d
    GROUP BY d.engagement_id, d.kind HAVING COUNT(*) = 1 AND MAX(d.flagged) = 1
),
-- The difference: the evidence of conditions without an open flag (to raise), and one
-- row without a meeting for each lapsed flag (to clear). The open flag is looked up by
-- index for each evidence row (a scalar subquery, which no planner turns into a join):
-- as an anti-join, PostgreSQL trusted the flags' statistics from before a cold pass
-- (one row) and compared 7.7 million pairs.
swept AS (
    SELECT v.* FROM evidence v
    WHERE (SELECT COUNT(*) FROM engine_flag o WHERE o.engagement_id = v.engagement_id
           AND o.kind = v.kind AND o.cleared_at IS NULL) = 0
    UNION ALL
    SELECT l.engagement_id, l.kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM lapsed l
)
{evidence_rows}"""


def sweep_sql(vendor):
    return SWEEP_SQL.format(
        scope=scope_sql(), conditions=conditions_sql(vendor, whole_practice=True).lstrip(), evidence=EVIDENCE,
        evidence_rows=EVIDENCE_ROWS.format(rows="swept"))


class Batch:
    """The swept engagements of one batch: ids (ascending), each one's client, the new
    conditions with their evidence (`detection.conditions`' form) and the keys of the
    flags that lapsed; or the error that made their rows unreadable (then the batch is
    decided again from the records)."""

    def __init__(self, rows):
        self.ids = sorted({row[0] for row in rows})
        self.client_uids, self.to_raise, self.to_clear, self.error = {}, {}, set(), None
        try:
            for row in rows:
                if row[0] not in self.client_uids:
                    self.client_uids[row[0]] = detection.as_uid(row[2])
                if row[4] is None:
                    self.to_clear.add((row[0], row[3]))
            self.to_raise = detection.conditions(row for row in rows if row[4] is not None)
        except Exception as error:  # a corrupt row costs its batch the shortcut, not the pass
            self.error = error


def batches(cursor, batch_size):
    """Group the sweep's rows, as they stream in, into batches of at most `batch_size`
    engagements; an engagement's rows are never split."""
    rows, engagements = [], 0
    while chunk := cursor.fetchmany(2000):
        for row in chunk:
            if not rows or row[0] != rows[-1][0]:
                if engagements == batch_size:
                    yield Batch(rows)
                    rows, engagements = [], 0
                engagements += 1
            rows.append(row)
    if rows:
        yield Batch(rows)


def sweep_cursor():
    """A cursor for the sweep that streams: PostgreSQL's is a server-side cursor held
    across the pass's transactions (Django's chunked cursor), so neither database hands
    the client more than a fetch at a time."""
    return connection.chunked_cursor()


def engagements_to_settle():
    """Ids of the engagements whose open flags differ from what their records say now."""
    with sweep_cursor() as cursor:
        cursor.execute(sweep_sql(connection.vendor), detect_params())
        return [engagement_id for batch in batches(cursor, 1000) for engagement_id in batch.ids]
