"""`{% load followthrough_engine %}`: the engine's two pieces for any page.

- `{% needs_attention coach %}` lists the coach's clients, flagged ones first, each flag
  with a one-line reason and a link to its evidence.
- `{% followthrough_chart engagement %}` draws the follow-through chart inline
  (`meetings=` limits it to those meetings, `pdf=True` lays it out for paper; `data=`,
  `breaks=`, `zone=` and `checks=` pass what the page has already read).
"""

from django import template
from django.utils.safestring import mark_safe

from followthrough.access import coach_of
from followthrough.ui.csp import nonce_styles

from ..charts import followthrough_html
from ..selectors import needs_attention as attention_rows

register = template.Library()


@register.inclusion_tag("engine/needs_attention.html")
def needs_attention(coach, quiet=True):
    """Accepts a Coach or the coach's User, so a template can pass `user` as well."""
    if coach is not None and not hasattr(coach, "practice_id"):
        coach = coach_of(coach)
    rows = attention_rows(coach, include_quiet=bool(quiet)) if coach is not None else []
    return {"rows": rows, "flagged": sum(1 for row in rows if row.flags)}


@register.simple_tag(takes_context=True)
def followthrough_chart(context, engagement, meetings=None, pdf=False, data=None, breaks=None, zone=None,
                        checks=None):
    """`meetings` (uids) limits the chart to those meetings; `pdf` draws it for paper; a page
    that has read the figures, the planned breaks, the time zone and the meeting checks
    passes them (`data`, `breaks`, `zone`, `checks`) so the chart reads nothing twice."""
    if engagement is None:
        return ""
    # The SVG is built from escaped text and numbers only, so it is safe to inline.
    html = nonce_styles(followthrough_html(engagement, meetings=meetings, pdf=pdf, data=data, breaks=breaks,
                                           zone=zone, checks=checks), context.get("request"))
    return mark_safe(html)  # noqa: S308
