"""Reading flags for people: who needs attention, and why, in plain words."""

from dataclasses import dataclass, field

from django.db.models import F

from followthrough.clients.models import Engagement

from .models import Flag


def _percent(share):
    return f"{round(share * 100)}%"


def flag_reason(flag):
    """One line a coach can read at a glance, from the flag's own evidence."""
    evidence = flag.evidence or {}
    count = len(evidence.get("meetings", [])) or evidence.get("window")
    if flag.kind == Flag.Kind.NONPRODUCTIVE:
        threshold = evidence.get("threshold")
        below = f"under {_percent(threshold)} of" if threshold is not None else "little of"
        return (f"Did {below} what was due at each of the last {count} reviewed meetings, "
                f"with no goal progress.")
    if flag.kind == Flag.Kind.FOCUS_DRIFT:
        off, topics = evidence.get("off_topics"), evidence.get("topics")
        detail = f" ({off} of {topics} topics)" if topics else ""
        return f"The last {count} meetings were mostly about things outside the agreed focus{detail}."
    if flag.kind == Flag.Kind.NO_SHOWS:
        return f"Did not come to the last {count} meetings."
    if flag.kind == Flag.Kind.ALLIANCE_DROP:
        return alliance_reason(evidence)
    return flag.get_kind_display()


def _points(value):
    return f"{value:g}" if isinstance(value, int | float) else "?"


def alliance_reason(evidence):
    """The alliance drop in words: which rule the client's meeting checks met."""
    meetings = evidence.get("meetings") or [{}]
    newest, baseline = meetings[-1].get("score"), evidence.get("baseline")
    parts = []
    if evidence.get("dropped", True) and baseline is not None:
        parts.append(f"The latest meeting check scored {_points(newest)} of 10, "
                     f"{_points(evidence.get('fall'))} below the client's earlier average of {_points(baseline)}")
    if evidence.get("falls_in_row"):
        least = evidence.get("min_fall", 1)
        parts.append(f"the last {evidence.get('window')} meeting checks each fell {_points(least)} "
                     f"point{'' if least == 1 else 's'} or more below the one before")
    text = "; ".join(parts) or "The client's meeting checks fell"
    return text[:1].upper() + text[1:] + "."


@dataclass
class AttentionRow:
    engagement: Engagement
    flags: list = field(default_factory=list)

    @property
    def client(self):
        return self.engagement.client

    @property
    def client_url(self):
        return f"/clients/{self.engagement.client.uid}/"

    @property
    def items(self):
        return [(flag, flag_reason(flag)) for flag in self.flags]


def open_flags_for(coach):
    return (Flag.objects.open().filter(engagement__coach=coach)
            .select_related("engagement__client").order_by("raised_at", "pk"))


def needs_attention(coach, *, include_quiet=True):
    """The coach's active engagements, flagged ones first (longest waiting first).

    Two queries: the open flags and the active engagements.
    """
    rows = {}
    for flag in open_flags_for(coach):
        rows.setdefault(flag.engagement_id, AttentionRow(flag.engagement)).flags.append(flag)
    flagged = list(rows.values())
    if not include_quiet:
        return flagged
    quiet = [AttentionRow(e) for e in Engagement.objects.filter(coach=coach, state=Engagement.State.ACTIVE)
             .select_related("client").order_by("client__full_name", "pk") if e.pk not in rows]
    return flagged + quiet


def engagement_flags(engagement):
    return Flag.objects.filter(engagement=engagement).order_by(
        F("cleared_at").desc(nulls_first=True), "-raised_at", "pk")
