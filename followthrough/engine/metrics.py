"""Follow-through figures for one engagement, for pages, charts and the API.

The pure functions here are the definition in executable form (and what the property
tests exercise); `engagement_followthrough` applies them to one engagement's records in a
fixed number of queries. Flags are decided by the SQL in `detection.py`, which the tests
hold to the same answers.

Minutes-weighted follow-through weighs each commitment by the time it needs
(`minutes_needed`). A commitment without minutes weighs as the median minutes of the
engagement's counted commitments that have them, or 1 when none has; the median (not the
mean) so one enormous task cannot make every unknown one enormous too, and only counted
commitments feed it, so a waived commitment changes no figure of either kind.
"""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from statistics import median

from followthrough.commitments.models import Commitment
from followthrough.meetings.models import Meeting
from followthrough.practice.models import Coach

from .models import EPSILON, Defaults

COUNTED = (Commitment.Outcome.KEPT, Commitment.Outcome.PARTLY_KEPT, Commitment.Outcome.MISSED)


def credit(outcome, kept_fraction=None):
    """The share of one commitment counted as done, or None when it does not count."""
    if outcome == Commitment.Outcome.KEPT:
        return Fraction(1)
    if outcome == Commitment.Outcome.MISSED:
        return Fraction(0)
    if outcome == Commitment.Outcome.PARTLY_KEPT:
        return Fraction(kept_fraction)
    return None


def figure(items):
    """Follow-through of one meeting from (outcome, kept_fraction) pairs; None with nothing counted."""
    credits = [c for c in (credit(o, f) for o, f in items) if c is not None]
    if not credits:
        return None
    return sum(credits, Fraction(0)) / len(credits)


def default_weight(minutes):
    known = [m for m in minutes if m]
    return Fraction(median(known)) if known else Fraction(1)


def weighted_figure(items, weight_if_unknown=Fraction(1)):
    """Minutes-weighted follow-through from (outcome, kept_fraction, minutes) triples."""
    total = done = Fraction(0)
    for outcome, fraction, minutes in items:
        share = credit(outcome, fraction)
        if share is None:
            continue
        weight = Fraction(minutes) if minutes else weight_if_unknown
        total += weight
        done += weight * share
    return None if total == 0 else done / total


def is_below(value, threshold):
    return value is not None and float(value) < threshold - EPSILON


def reaches(value, threshold):
    """A share reaches a threshold when it is at least it (2 of 3 reaches 2/3)."""
    return value is not None and float(value) >= threshold - EPSILON


def current_run(figures, threshold):
    """How many of the latest figured meetings in a row fell below the threshold."""
    run = 0
    for value in reversed([f for f in figures if f is not None]):
        if not is_below(value, threshold):
            break
        run += 1
    return run


def repeat_misses(commitments):
    """Lines of commitments missed more than once: a missed one reinstated and missed again.

    `commitments` are objects with pk, uid, outcome, derived_from_id, derivation,
    description. Only reinstatement continues a line (a trimmed commitment is a different,
    smaller task). Returns one dict per line with two or more misses, oldest first.
    """
    by_pk = {c.pk: c for c in commitments}

    def root(c):
        seen = set()
        while (c.derivation == Commitment.Derivation.REINSTATED and c.derived_from_id in by_pk
               and c.pk not in seen):
            seen.add(c.pk)
            c = by_pk[c.derived_from_id]
        return c

    lines = defaultdict(list)
    for c in commitments:
        lines[root(c).pk].append(c)
    result = []
    for root_pk, members in lines.items():
        missed = [c for c in members if c.outcome == Commitment.Outcome.MISSED]
        if len(missed) >= 2:
            members.sort(key=lambda c: c.pk)
            result.append((members[0].pk, {
                "description": by_pk[root_pk].description,
                "misses": len(missed),
                "commitments": [str(c.uid) for c in members],
                "missed": [str(c.uid) for c in missed],
            }))
    # Oldest line first: by the row of its first commitment (made first), not by its random uid.
    result.sort(key=lambda pair: pair[0])
    return [line for _, line in result]


@dataclass(frozen=True)
class Thresholds:
    followthrough_below: float = Defaults.followthrough_below
    nonproductive_meetings: int = Defaults.nonproductive_meetings
    drift_meetings: int = Defaults.drift_meetings
    drift_share: float = Defaults.drift_share
    no_show_run: int = Defaults.no_show_run
    alliance_drop_points: float = Defaults.alliance_drop_points
    alliance_falls_in_row: int = Defaults.alliance_falls_in_row


def thresholds_for(coach):
    """The coach's effective thresholds: own override, else the practice's, else the default.
    One read: the coach's row with both thresholds rows joined (each may be missing)."""
    names = list(Thresholds.__dataclass_fields__)
    row = Coach.objects.filter(pk=coach.pk).values(
        *(f"thresholds__{name}" for name in names), *(f"practice__thresholds__{name}" for name in names)).first()
    values = {}
    for name in names:
        for source in ("thresholds__", "practice__thresholds__"):
            if row is not None and row[source + name] is not None:
                values[name] = row[source + name]
                break
    return Thresholds(**values)


@dataclass
class MeetingFigure:
    meeting: Meeting
    due: int
    kept: Fraction
    figure: Fraction
    weighted: Fraction
    # For the chart: how many were kept in full or in part, and how many were waived at it
    # (waived ones count neither way, so `due` leaves them out).
    kept_in_full: int = 0
    partly: int = 0
    waived: int = 0

    def as_dict(self):
        return {
            "meeting": str(self.meeting.uid), "starts_at": self.meeting.starts_at.isoformat(),
            "due": self.due, "kept": round(float(self.kept), 4),
            "figure": round(float(self.figure), 4), "weighted": round(float(self.weighted), 4),
        }


def engagement_followthrough(engagement, *, thresholds=None, meetings=None, commitments=None):
    """Figures per reviewed meeting (oldest first), current run and repeat misses.

    Three queries whatever the engagement's length: thresholds (one, skipped when given),
    held meetings, commitments. A page that has already read all the engagement's
    meetings and commitments passes them, and the figures cost no read of their own.
    """
    thresholds = thresholds or thresholds_for(engagement.coach)
    if meetings is None:
        meetings = Meeting.objects.filter(engagement=engagement, status=Meeting.Status.HELD)
    meetings = sorted((m for m in meetings if m.status == Meeting.Status.HELD), key=lambda m: (m.starts_at, m.pk))
    if commitments is None:
        commitments = list(Commitment.objects.filter(engagement=engagement).only(
            "pk", "uid", "description", "outcome", "kept_fraction", "minutes_needed", "reviewed_in_id",
            "derived_from_id", "derivation"))
    counted = [c for c in commitments if c.outcome in COUNTED and c.reviewed_in_id]
    weight = default_weight(c.minutes_needed for c in counted)
    at_meeting = defaultdict(list)
    for c in counted:
        at_meeting[c.reviewed_in_id].append(c)
    waived_at = defaultdict(int)
    for c in commitments:
        if c.outcome == Commitment.Outcome.WAIVED and c.reviewed_in_id:
            waived_at[c.reviewed_in_id] += 1
    series = []
    for meeting in meetings:
        reviewed = at_meeting.get(meeting.pk)
        if not reviewed:
            continue
        value = figure((c.outcome, c.kept_fraction) for c in reviewed)
        series.append(MeetingFigure(
            meeting=meeting, due=len(reviewed), kept=value * len(reviewed), figure=value,
            weighted=weighted_figure(((c.outcome, c.kept_fraction, c.minutes_needed) for c in reviewed),
                                     weight),
            kept_in_full=sum(1 for c in reviewed if c.outcome == Commitment.Outcome.KEPT),
            partly=sum(1 for c in reviewed if c.outcome == Commitment.Outcome.PARTLY_KEPT),
            waived=waived_at.get(meeting.pk, 0),
        ))
    return {
        "thresholds": thresholds,
        "figures": series,
        "current_run": current_run([f.figure for f in series], thresholds.followthrough_below),
        "repeat_misses": repeat_misses(commitments),
        "weight_if_unknown": weight,
    }
