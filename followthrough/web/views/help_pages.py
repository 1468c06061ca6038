"""Short help pages, one per area, linked from every page's heading (see `ui.help`)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from followthrough.ui.decorators import client_required, coach_required
from followthrough.ui.help import AREAS

COACH_AREAS = [(slug, title) for slug, (title, reader) in AREAS.items() if reader == "coach"]


@require_GET
def help_page(request, area):
    if area not in AREAS:
        raise Http404("No such help page")
    view = _client_help if AREAS[area][1] == "client" else _coach_help
    return view(request, area)


@coach_required
def _coach_help(request, area):
    return render(request, f"web/help/{area}.html", {"area": area, "areas": COACH_AREAS,
                                                      "title": AREAS[area][0]})


@client_required
def _client_help(request, area):
    return render(request, f"web/help/{area}.html", {"area": area, "title": AREAS[area][0]})


@require_GET
@coach_required
def help_index(request):
    return render(request, "web/help/index.html", {"areas": COACH_AREAS, "title": "Help"})
