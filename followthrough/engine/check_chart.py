"""The meeting-check trend beside the follow-through chart: each checked meeting's score
(the mean of the client's four answers) on its own 0-10 scale, over time, with the
engagement's planned breaks shaded.

Drawn by hand rather than with pygal: the breaks are spans of days on a time axis, which
a category chart cannot place. Presentation attributes only (no style attribute, no
script), so the strict CSP holds; a line and dots with their values printed, and a
hatched band for a break, so it reads in greyscale. Its <desc> and the table under it
say the same in words.
"""

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.html import escape

from followthrough.clients.models import PlannedBreak
from followthrough.history import clock
from followthrough.meetings.models import MeetingCheck


@dataclass(frozen=True)
class Frame:
    width: int
    height: int
    font: int
    label: str  # strftime pattern of a date label


WIDE = Frame(720, 230, 13, "%d %b %Y")
NARROW = Frame(380, 250, 15, "%d %b")
LEFT, RIGHT, TOP, BOTTOM = 40, 14, 22, 58
LINE = "#1f4e79"


# The practice's time zone rides along on each row, so the chart costs its two reads and
# nothing more, whatever the page has loaded.
ZONE = F("engagement__coach__practice__timezone")
ZONE_OF_CHECK = F("meeting__engagement__coach__practice__timezone")


def trend(engagement, *, breaks=None, zone=None, checks=None):
    """(points, breaks, zone): each check as (day, score, meeting), oldest first, the
    in-force planned breaks, and the practice's time zone if any row was found (2 queries;
    none when the page passes the engagement's meeting checks, each with its meeting, its
    planned breaks and the practice's time zone)."""
    if checks is None:
        checks = MeetingCheck.objects.filter(meeting__engagement=engagement).select_related("meeting")
        if zone is None:
            checks = checks.annotate(zone=ZONE_OF_CHECK)
    checks = sorted(checks, key=lambda check: (check.meeting.starts_at, check.pk))
    if breaks is None:
        breaks = list(PlannedBreak.objects.in_force().filter(engagement=engagement).annotate(zone=ZONE)
                      .order_by("starts_on", "pk"))
    else:
        breaks = sorted((b for b in breaks if b.in_force), key=lambda b: (b.starts_on, b.pk))
    if zone is None:
        first = (checks or breaks or [None])[0]
        zone = first.zone if first is not None else "UTC"
    points = [(timezone.localtime(c.meeting.starts_at, _zone(zone)).date(), round(c.score, 2), c.meeting)
              for c in checks]
    return points, breaks, zone


def _zone(name):
    return zoneinfo.ZoneInfo(name)


def _fmt(score):
    return f"{score:g}"


def describe(points, breaks):
    parts = [f"{day:%d %b %Y}: {_fmt(score)} of 10" for day, score, _ in points]
    text = (f"Meeting check scores at {len(points)} meeting{'s' if len(points) != 1 else ''}, oldest first "
            f"(each the mean of the client's four answers, 0 to 10): " + "; ".join(parts) + "."
            if points else "No meeting check answered yet.")
    if breaks:
        text += " Planned breaks: " + "; ".join(
            f"{b.starts_on:%d %b %Y} to {b.ends_on:%d %b %Y} ({b.reason})" for b in breaks) + "."
    return text


def _span(points, breaks, today):
    days = [day for day, _, _ in points] + [d for b in breaks for d in (b.starts_on, b.ends_on)]
    first, last = min(days), max(days)
    if not points:  # only breaks: show them against today
        first, last = min(first, today), max(last, today)
    if (last - first).days < 14:
        pad = timedelta(days=(14 - (last - first).days) // 2 + 1)
        first, last = first - pad, last + pad
    # A margin of days each side, so no dot or date sits on the frame's edge.
    margin = timedelta(days=max(2, (last - first).days // 16))
    return first - margin, last + margin


def _svg(points, breaks, frame, today, title):
    key = uuid.uuid4().hex[:8]
    first, last = _span(points, breaks, today)
    plot_w, plot_h = frame.width - LEFT - RIGHT, frame.height - TOP - BOTTOM
    whole = max((last - first).days, 1)

    def x(day):
        return LEFT + plot_w * (day - first).days / whole

    def y(score):
        return TOP + plot_h * (10 - score) / 10

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {frame.width} {frame.height}" '
           f'width="{frame.width}" height="{frame.height}" aria-labelledby="ck-title-{key} ck-desc-{key}" '
           f'class="check-trend-svg" font-family="system-ui, sans-serif" font-size="{frame.font}">',
           f'<title id="ck-title-{key}">{escape(title)}</title>',
           f'<desc id="ck-desc-{key}">{escape(describe(points, breaks))}</desc>',
           f'<defs><pattern id="brk-{key}" width="8" height="8" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#f2f2f2"/>'
           f'<line x1="0" y1="0" x2="0" y2="8" stroke="#9a9a9a" stroke-width="2"/></pattern></defs>']
    for b in breaks:
        left, right = x(max(b.starts_on, first)), x(min(b.ends_on + timedelta(days=1), last))
        out.append(f'<rect x="{left:.1f}" y="{TOP}" width="{max(right - left, 3):.1f}" height="{plot_h}" '
                   f'fill="url(#brk-{key})" stroke="#777" stroke-dasharray="4,3"/>')
        out.append(f'<text x="{left + 3:.1f}" y="{TOP - 6}" fill="#333">Break</text>')
    for score in (0, 5, 10):
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(score):.1f}" y2="{y(score):.1f}" '
                   f'stroke="{"#999" if score == 0 else "#e0e0e0"}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(score) + frame.font / 3:.1f}" text-anchor="end" '
                   f'fill="#444">{score}</text>')
    if points:
        line = " ".join(f"{x(day):.1f},{y(score):.1f}" for day, score, _ in points)
        out.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
        for day, score, _ in points:
            out.append(f'<circle cx="{x(day):.1f}" cy="{y(score):.1f}" r="4.5" fill="{LINE}"/>')
            out.append(f'<text x="{x(day):.1f}" y="{y(score) - 9:.1f}" text-anchor="middle" '
                       f'fill="#111">{_fmt(score)}</text>')
    out += _date_labels(points, breaks, first, last, x, frame)
    legend_y = frame.height - 8
    out.append(f'<circle cx="{LEFT + 6}" cy="{legend_y - 4}" r="4.5" fill="{LINE}"/>'
               f'<text x="{LEFT + 16}" y="{legend_y}" fill="#222">Meeting check (0-10)</text>')
    if breaks:
        at = LEFT + (170 if frame is WIDE else 180)
        out.append(f'<rect x="{at}" y="{legend_y - 11}" width="16" height="12" fill="url(#brk-{key})" '
                   f'stroke="#777"/><text x="{at + 22}" y="{legend_y}" fill="#222">Planned break</text>')
    out.append("</svg>")
    return "".join(out)


def _date_labels(points, breaks, first, last, x, frame):
    """The checked meetings' dates under the axis, thinned so none overlap."""
    days = [day for day, _, _ in points] or [b.starts_on for b in breaks]
    room = 0.62 * frame.font * len(f"{days[0]:{frame.label}}") + 10
    shown, last_x = [], None
    for day in days:
        at = x(day)
        if last_x is None or at - last_x >= room:
            # Near an edge the label hangs inwards, so it is never cut off.
            anchor = "start" if at - room / 2 < 0 else "end" if at + room / 2 > frame.width else "middle"
            shown.append(f'<text x="{at:.1f}" y="{frame.height - BOTTOM + frame.font + 8}" '
                         f'text-anchor="{anchor}" fill="#444">{day:{frame.label}}</text>')
            last_x = at
    return shown


def check_trend_context(engagement, pdf=False, breaks=None, zone=None, checks=None):
    """What the chart template needs for the check trend, or {} with no check and no break."""
    points, breaks, zone = trend(engagement, breaks=breaks, zone=zone, checks=checks)
    if not points and not breaks:
        return {}
    today = clock.today(zone)
    title = f"Meeting checks of {engagement.client}"
    return {
        "check_wide": _svg(points, breaks, WIDE, today, title),
        "check_narrow": "" if pdf else _svg(points, breaks, NARROW, today, title),
        "check_rows": [{"day": day, "score": _fmt(score)} for day, score, _ in points],
        "breaks": breaks,
    }
