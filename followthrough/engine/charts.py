"""The follow-through chart: bars a person reads in two seconds, without colour.

One count axis. For each reviewed meeting, side by side: the commitments due at it
(counted ones), how many were kept in full, how many partly, and how many were waived
(which count neither way). Each kind has its own fill — solid, hatched, outlined — so
the chart reads in greyscale and on paper; the follow-through figure is printed under
each meeting, and a dashed line across each meeting's bars marks the threshold (how far
"kept" had to reach). The chart is drawn twice, wide and narrow, and the page's CSS shows
the one that fits (the narrow one keeps its text legible on a 390 px phone). A text table
says the same for screen readers and for anyone who prefers numbers.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass

import pygal
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import escape
from pygal.style import Style

from .check_chart import check_trend_context
from .metrics import engagement_followthrough

EMPTY = "No reviewed meeting yet: the chart starts once commitments are reviewed at a meeting."

SERIES = ("Due", "Kept", "Partly kept", "Waived")


def _style(font):
    return Style(
        background="transparent", plot_background="transparent",
        foreground="#222", foreground_strong="#000", foreground_subtle="#555",
        colors=("#d9d9d9", "#1f4e79", "#1f4e79", "#ffffff"),
        font_family="system-ui, sans-serif", value_font_size=font, label_font_size=font,
        legend_font_size=font, title_font_size=font + 2, major_label_font_size=font,
        guide_stroke_color="#e4e4e4", major_guide_stroke_color="#ccc",
        guide_stroke_dasharray="1,0", major_guide_stroke_dasharray="1,0", opacity="1", opacity_hover="1",
    )


# Fills that survive greyscale: due is a pale block with an outline, kept solid dark,
# partly kept hatched, waived an empty dotted outline. The legend swatches follow suit.
_CSS = """
{id} .serie-0 .rect, {id} [id="activate-serie-0"] rect {{ stroke: #444 !important; stroke-width: 1; }}
{id} .serie-2 .rect, {id} [id="activate-serie-2"] rect {{ fill: url(#hatch-{key}) !important;
  stroke: #1f4e79 !important; stroke-width: 1.5; }}
{id} .serie-3 .rect, {id} [id="activate-serie-3"] rect {{ fill: #fff !important; stroke: #222 !important;
  stroke-width: 1.5; stroke-dasharray: 3, 2; }}
{id} .ft-threshold {{ stroke: #b00020; stroke-width: 2.5; stroke-dasharray: 6, 3; }}
{id} .ft-threshold-key {{ stroke: #b00020; stroke-width: 2.5; stroke-dasharray: 6, 3; }}
{id} .ft-threshold-label {{ fill: #222; }}
"""

_HATCH = ('<pattern id="hatch-{key}" width="6" height="6" patternUnits="userSpaceOnUse" '
          'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
          '<line x1="0" y1="0" x2="0" y2="6" stroke="#1f4e79" stroke-width="3"/></pattern>')

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RECT = re.compile(r'<rect x="([\d.]+)" y="([\d.]+)" rx="0" ry="0" width="([\d.]+)" height="([\d.]+)" '
                   r'class="rect reactive tooltip-trigger"')


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    font: int
    label: str  # strftime pattern of a meeting's label


WIDE = Size(720, 380, 13, "%d %b %Y")
NARROW = Size(380, 400, 15, "%d %b")


def _pct(value):
    return round(float(value) * 100)


def rows(series):
    """One line per reviewed meeting, in the words the table and the chart's <desc> use."""
    return [{"meeting": f.meeting, "due": f.due, "kept": f.kept_in_full, "partly": f.partly,
             "waived": f.waived, "credit": f"{float(f.kept):g}", "percent": _pct(f.figure)} for f in series]


def _describe(series, threshold):
    parts = [f"{f.meeting.starts_at:%d %b %Y}: {float(f.kept):g} of {f.due} due kept ({_pct(f.figure)}%)"
             + (f", {f.waived} waived" if f.waived else "") for f in series]
    below = sum(1 for f in series if float(f.figure) < threshold)
    return (f"Commitments due and kept at {len(series)} reviewed meetings, oldest first. "
            f"Threshold {_pct(threshold)}%; {below} of {len(series)} below it. " + "; ".join(parts) + ".")


def _threshold_marks(svg, series, threshold):
    """A dashed line across each meeting's bars at the count "kept" had to reach.

    pygal has no per-group marker, so it is drawn from the bars' own geometry: the due
    bar gives the zero line and the height of one commitment."""
    rects = [tuple(map(float, m.groups())) for m in _RECT.finditer(svg)]
    count = len(series)
    if len(rects) < count * len(SERIES):
        return svg
    marks = []
    for i in range(count):
        x, y, width, height = rects[i]          # the due bar of meeting i
        last = rects[(len(SERIES) - 1) * count + i]  # its waived bar, the group's right edge
        zero = y + height
        level = zero - height * threshold
        marks.append(f'<line class="ft-threshold" x1="{x - 3:.1f}" x2="{last[0] + last[2] + 3:.1f}" '
                     f'y1="{level:.1f}" y2="{level:.1f}"/>')
    group = f'<g class="ft-thresholds">{"".join(marks)}</g>'
    # Into the plot's coordinate system, after the bars so the lines are on top: the plot
    # group is the one that closes just before the axis titles that follow the last bar.
    titles = svg.find('<g class="titles"', svg.rfind('class="rect reactive'))
    end = titles - len("</g>")
    if titles < 0 or svg[end:titles] != "</g>":
        return svg
    return svg[:end] + group + svg[end:]


def _key(svg, threshold, size):
    """A legend line for the threshold, under pygal's own legend."""
    y = size.height - 8
    note = (f'<g class="ft-threshold-legend"><line class="ft-threshold-key" x1="12" x2="40" y1="{y - 4}" '
            f'y2="{y - 4}"/><text class="ft-threshold-label" x="46" y="{y}" font-size="{size.font}">'
            f'Threshold {_pct(threshold)}% of what was due</text></g>')
    return re.sub(r"</svg>\s*$", note + "</svg>", svg)


# A drawn chart is kept this long in the cache, under a key made of everything it shows, so a
# file opened again draws nothing new; pygal takes a good fraction of a second over a file of
# a hundred meetings, and a changed record changes the key.
DRAWN_SECONDS = 7 * 24 * 3600


def _render(series, threshold, size, title):
    shown = repr((threshold, size, title, [(f.meeting.starts_at.isoformat(), f.due, str(f.kept), str(f.figure),
                                            f.kept_in_full, f.partly, f.waived) for f in series]))
    cache_key = "followthrough-chart:" + hashlib.sha256(shown.encode()).hexdigest()
    svg = cache.get(cache_key)
    if svg is None:
        svg = _draw(series, threshold, size, title)
        cache.set(cache_key, svg, DRAWN_SECONDS)
    return svg


def _draw(series, threshold, size, title):
    key = uuid.uuid4().hex[:8]
    top = max([f.due for f in series] + [f.waived for f in series] + [1])
    chart = pygal.Bar(
        width=size.width, height=size.height, js=[], disable_xml_declaration=True, style=_style(size.font),
        range=(0, top), y_labels=list(range(0, top + 1)), y_title="Commitments",
        legend_at_bottom=True, legend_at_bottom_columns=2 if size is NARROW else 4,
        legend_box_size=size.font, print_values=True,
        print_values_position="top", print_zeroes=False, show_x_guides=False,
        truncate_label=-1, truncate_legend=-1, margin_bottom=28, spacing=6,
        x_label_rotation=0 if len(series) <= (2 if size is NARROW else 6) else 35,
        value_formatter=lambda v: f"{v:g}", defs=[_HATCH.format(key=key)],
        css=["file://style.css", "file://graph.css", "inline:" + _CSS.format(id=f".ft-{key}", key=key)],
        classes=["pygal-chart", f"ft-{key}"],
    )
    chart.x_labels = [f"{f.meeting.starts_at:{size.label}} · {_pct(f.figure)}%" for f in series]
    chart.add(SERIES[0], [f.due for f in series])
    chart.add(SERIES[1], [f.kept_in_full for f in series])
    chart.add(SERIES[2], [f.partly for f in series])
    chart.add(SERIES[3], [f.waived for f in series])
    svg = chart.render(is_unicode=True)
    # No script: the chart is a picture, and inline scripts would trip a strict CSP.
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    svg = _key(_threshold_marks(svg, series, threshold), threshold, size)
    head = (f'<title id="ft-title-{key}">{escape(title)}</title>'
            f'<desc id="ft-desc-{key}">{escape(_describe(series, threshold))}</desc>')
    svg = re.sub(r"^<svg\b", f'<svg role="img" aria-labelledby="ft-title-{key} ft-desc-{key}"', svg, count=1)
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + head, svg, count=1)


def followthrough_svg(engagement, *, data=None, meetings=None, size=WIDE):
    """The chart as SVG text, or "" with nothing reviewed. `meetings` (uids) limits it
    to those meetings, as a file review over the last X does."""
    series, threshold = _series(engagement, data, meetings)
    if not series:
        return ""
    return _render(series, threshold, size, f"Follow-through of {engagement.client}")


def _series(engagement, data, meetings):
    data = data or engagement_followthrough(engagement)
    series = data["figures"]
    if meetings is not None:
        chosen = {str(uid) for uid in meetings}
        series = [f for f in series if str(f.meeting.uid) in chosen]
    return series, data["thresholds"].followthrough_below


def followthrough_html(engagement, *, meetings=None, pdf=False, data=None, breaks=None, zone=None, checks=None):
    """The chart as a figure (wide and narrow SVG, a caption and its table), or a short
    sentence when nothing has been reviewed yet. A page that has read the figures
    (`engagement_followthrough`), the planned breaks, the practice's time zone and the
    meeting checks (each with its meeting) passes them."""
    series, threshold = _series(engagement, data, meetings)
    # The check trend belongs to the whole file, not to a review of chosen meetings.
    checks = (check_trend_context(engagement, pdf=pdf, breaks=breaks, zone=zone, checks=checks)
              if meetings is None else {})
    if not series:
        return render_to_string("engine/_chart.html", {"empty": EMPTY, **checks})
    title = f"Follow-through of {engagement.client}"
    return render_to_string("engine/_chart.html", {
        "wide": _render(series, threshold, WIDE, title),
        "narrow": "" if pdf else _render(series, threshold, NARROW, title),
        "rows": rows(series), "threshold": _pct(threshold), "pdf": pdf, **checks,
    })
