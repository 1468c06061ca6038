from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from followthrough.access import client_of
from followthrough.clients.models import Engagement
from followthrough.history import clock
from followthrough.ui.decorators import coach_required
from followthrough.web import queries


@require_GET
def caseload(request):
    # "/" is where every login lands; a client's home is their portal.
    if client_of(request.user) is not None:
        return redirect("portal_home")
    return _coach_caseload(request)


@coach_required
def _coach_caseload(request):
    rows = queries.caseload(request.coach, request.user)
    state = request.GET.get("state", "")
    if state not in Engagement.State.values:
        state = ""
    if state:
        shown, ended = [row for row in rows if row.engagement_state == state], []
    else:
        shown = [row for row in rows if row.engagement_state != Engagement.State.ENDED]
        ended = [row for row in rows if row.engagement_state == Engagement.State.ENDED]
    return render(request, "web/caseload.html", {
        "rows": shown, "ended_rows": ended, "state": state, "states": Engagement.State.choices,
        "total": len(rows), "now": clock.now(),
    })
