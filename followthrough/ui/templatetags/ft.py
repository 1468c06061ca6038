"""Small display helpers for the coach pages."""

import math
import zoneinfo
from fractions import Fraction

from django import template
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from ..help import AREAS, help_area
from ..history_words import sentence

register = template.Library()


@register.filter
def history_sentence(event):
    """The event in words, for the file's history."""
    return sentence(event)


@register.filter
def percent(value):
    """0.5 -> '50%'; None -> '—'. Halves round up, as people expect (1/3 of 1.5 -> 50%)."""
    if value is None:
        return "—"
    return f"{math.floor(Fraction(value) * 100 + Fraction(1, 2))}%"


@register.filter
def field_label(name):
    return name.replace("_", " ")


@register.simple_tag
def history_value(name, value, focus_names):
    """One before/after value of an event, readable: names for focus areas, dates local."""
    if value is None or value == "" or value == []:
        return "—"
    if name in ("primary_focus", "focus_areas"):
        values = value if isinstance(value, list) else [value]
        return ", ".join(focus_names.get(v, f"#{v}") for v in values)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None:
            return f"{timezone.localtime(moment):%d %b %Y %H:%M}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        # A nested record (a plan, evidence): its keys in words, never a raw dictionary.
        return Truncator("; ".join(f"{str(k).replace('_', ' ')}: {v}" for k, v in value.items())).chars(160)
    return Truncator(str(value)).chars(160)


# Links between records: the page itself shows them, and as row numbers they say nothing.
LINK_FIELDS = {
    "practice", "client", "coach", "engagement", "agreement", "meeting", "goal", "user",
    "previous", "made_at", "reviewed_in", "derived_from", "carried_from", "created_by",
}


def _empty(value):
    return value is None or value == "" or value == []


@register.filter
def readable_changes(event):
    """The event's changes worth reading: no links by row number, no nothing-to-nothing."""
    return [(name, before, after) for name, before, after in event.changes()
            if name not in LINK_FIELDS and not (_empty(before) and _empty(after))]


@register.simple_tag
def client_time(moment, client, fmt="D j M H:i"):
    """A moment of the client's (the time they plan to act) as they live it, with their
    zone named, and the practice's own time beside it when the zones differ."""
    if moment is None:
        return ""
    theirs = timezone.localtime(moment, zoneinfo.ZoneInfo(client.timezone))
    text = f"{dateformat.format(theirs, fmt)} {client.timezone.replace('_', ' ')}"
    ours = timezone.localtime(moment)
    if ours.utcoffset() != theirs.utcoffset():
        text += f" ({dateformat.format(ours, fmt)} your time)"
    return text


@register.inclusion_tag("ui/help_link.html", takes_context=True)
def help_link(context):
    """The link to the help of the page being shown (one table in `ui.help`, for every page)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    area = help_area(match.view_name if match else None)
    if area is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"area": None}
    return {"area": area, "title": AREAS[area][0]}
