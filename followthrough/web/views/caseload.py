import uuid

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.views.decorators.http import require_GET

from followthrough.access import acting_coach, client_of
from followthrough.clients.models import Engagement
from followthrough.history import clock
from followthrough.protocol.models import Notification
from followthrough.ui.decorators import coach_required
from followthrough.web import queries
from followthrough.web.todo import coach_todo

# The to-do page lists this many of each kind; the caseload shows the first few.
TODO_PAGE_LIMIT = 200


@require_GET
def caseload(request):
    # "/" is where every login lands; a client's home is their portal.
    if acting_coach(request) is None and client_of(request.user) is not None:
        return redirect("portal_home")
    return _coach_caseload(request)


def caseload_filters(params):
    """The caseload's filters as the query string gives them; anything unknown is ignored."""
    state = params.get("state", "")
    sort = params.get("sort", "name")
    return {
        "search": params.get("q", "").strip()[:queries.SEARCH_MAX],
        "state": state if state in Engagement.State.values else "",
        "flagged": params.get("flagged") == "1",
        "intervention": params.get("intervention") == "1",
        "overdue": params.get("overdue") == "1",
        "sort": sort if sort in queries.CASELOAD_SORTS else "name",
    }


@coach_required
def _coach_caseload(request):
    filters = caseload_filters(request.GET)
    page, rows = queries.caseload_page(request.coach, request.user, request.GET.get("page"), **filters)
    return render(request, "web/caseload.html", {
        "page": page,
        "rows": _labelled(rows),
        "filters": filters,
        "states": Engagement.State.choices,
        "sorts": [(key, label) for key, (label, _) in queries.CASELOAD_SORTS.items()],
        "total": page.paginator.count, "now": clock.now(),
        "unread": Notification.objects.filter(coach=request.coach).unread().count(),
        # The to-do belongs to the caseload's landing view, not to a search or a filtered list.
        "show_todo": filters == caseload_filters({}) and page.number == 1,
    })


@require_GET
@coach_required
def todo(request):
    """The whole to-do; with `?part=list`, the first items of each kind as the caseload shows
    them (it loads them as a request of their own, so the caseload never waits for them)."""
    if request.GET.get("part") == "list":
        return render(request, "web/partials/todo.html", {"todo": coach_todo(request.coach, request.user)})
    return render(request, "web/todo.html", {
        "todo": coach_todo(request.coach, request.user, limit=TODO_PAGE_LIMIT), "full": True})


def _labelled(rows):
    """Each row as the table shows it, with its link and dates, as a dict: a template looks a
    name up in a dict first, so a dict row renders faster than the row object. The link and
    dates are made here too: Django's `url` tag and `date` filter cost about 20 µs each, most
    of the table's rendering for fifty rows, and the month and day names are translated
    once for the page rather than once for each date."""
    blank = uuid.UUID(int=0)
    link = reverse("client_file", args=[blank])
    now = clock.now()
    months = {number: str(name).title() for number, name in MONTHS_3.items()}
    weekdays = {number: str(name) for number, name in WEEKDAYS_ABBR.items()}

    def day(value):  # as the template's `date:"j M Y"`
        return f"{value.day} {months[value.month]} {value.year}"

    shown = []
    for row in rows:
        planned = row.next_planned_at and timezone.localtime(row.next_planned_at)
        shown.append({
            **vars(row),
            "file_url": link.replace(str(blank), str(row.uid)),
            "last_held_label": day(timezone.localtime(row.last_held_at)) if row.last_held_at else "—",
            "next_planned_label": (f"{weekdays[planned.weekday()]} {planned.day} "
                                   f"{months[planned.month]}, {planned:%H:%M}") if planned else "",
            "next_planned_passed": bool(planned) and row.next_planned_at < now,
            "check_back_label": day(row.check_back_on) if row.check_back_on else "",
            "state_label": (row.engagement_state or "none").replace("_", " "),
            # As text: a number in a template is localized, which costs more than the row.
            "open_label": str(row.open_count), "overdue_label": str(row.overdue_count),
        })
    return shown
