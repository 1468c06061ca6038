"""The follow-through chart: an inline SVG that reads without colour.

Each series has its own dash pattern and dot size, the follow-through points carry their
value as printed text and a "2 of 3 kept" label, and the SVG opens with a <title> and a
<desc> that say in words what the chart shows, for screen readers and for print.
"""

import re
import uuid

import pygal
from django.utils.html import escape
from pygal.style import Style

from .metrics import engagement_followthrough

STYLE = Style(
    background="transparent", plot_background="transparent",
    foreground="#222", foreground_strong="#000", foreground_subtle="#666",
    colors=("#1f4e79", "#7f7f7f", "#2e7d32", "#8b4513", "#555"),
    font_family="system-ui, sans-serif", value_font_size=11, label_font_size=11,
    legend_font_size=12, title_font_size=14,
    # Solid faint guides, so the only dashed lines are the series themselves.
    guide_stroke_color="#ddd", major_guide_stroke_color="#ccc",
    guide_stroke_dasharray="1,0", major_guide_stroke_dasharray="1,0",
)

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _pct(value):
    return round(float(value) * 100)


def _describe(series, threshold):
    if not series:
        return "No reviewed meeting yet, so there is no follow-through to show."
    parts = [f"{f.meeting.starts_at:%d %b %Y}: {_pct(f.figure)}% "
             f"({float(f.kept):g} of {f.due} kept; {_pct(f.weighted)}% by minutes)" for f in series]
    below = sum(1 for f in series if float(f.figure) < threshold)
    return (f"Follow-through at {len(series)} reviewed meetings, oldest first. "
            f"Threshold {_pct(threshold)}%; {below} of {len(series)} below it. " + "; ".join(parts) + ".")


def followthrough_svg(engagement, *, data=None, width=760, height=420):
    data = data or engagement_followthrough(engagement)
    series, threshold = data["figures"], data["thresholds"].followthrough_below
    chart = pygal.Line(
        width=width, height=height, js=[], disable_xml_declaration=True, style=STYLE,
        title="Follow-through per reviewed meeting", range=(0, 100), secondary_range=(
            0, max([f.due for f in series] + [1])),
        y_title="Kept share (%)", legend_at_bottom=True, legend_at_bottom_columns=2,
        show_y_guides=True, show_x_guides=False, truncate_label=-1, truncate_legend=-1,
        x_label_rotation=30, no_data_text="No reviewed meeting yet", dots_size=4,
        value_formatter=lambda v: f"{v:g}",
    )
    # Each meeting's figure is written under it, so the values read without the lines.
    chart.x_labels = [f"{f.meeting.starts_at:%d %b}: {_pct(f.figure)}%" for f in series]
    chart.add("Follow-through (%), solid line", [
        {"value": _pct(f.figure), "label": f"{float(f.kept):g} of {f.due} kept"} for f in series
    ], formatter=lambda v: f"{v:g}%", dots_size=5, stroke_style={"width": 3})
    # The legend names each line's pattern, since its swatch only shows a colour.
    chart.add("By minutes (%), long dashes", [_pct(f.weighted) for f in series],
              dots_size=3, stroke_style={"width": 2, "dasharray": "8, 4"})
    chart.add(f"Threshold {_pct(threshold)}%, dotted", [_pct(threshold)] * len(series),
              show_dots=False, stroke_style={"width": 2, "dasharray": "2, 6"})
    chart.add("Made: commitments due (right axis), dash-dot", [f.due for f in series],
              secondary=True, dots_size=3,
              stroke_style={"width": 1.5, "dasharray": "12, 4, 2, 4"})
    chart.add("Kept (right axis), fine dots", [float(f.kept) for f in series], secondary=True,
              dots_size=2, stroke_style={"width": 1.5, "dasharray": "1, 3"})
    svg = chart.render(is_unicode=True)
    # No script: the chart is a picture, and inline scripts would trip a strict CSP.
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    key = uuid.uuid4().hex[:8]
    title = f"Follow-through of {engagement.client}"
    head = (f'<title id="ft-title-{key}">{escape(title)}</title>'
            f'<desc id="ft-desc-{key}">{escape(_describe(series, threshold))}</desc>')
    svg = re.sub(r"^<svg\b", f'<svg role="img" aria-labelledby="ft-title-{key} ft-desc-{key}"', svg,
                 count=1)
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + head, svg, count=1)
