from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from followthrough.access import get_visible_or_404
from followthrough.commitments.models import Commitment
from followthrough.meetings.models import Meeting

from .models import Flag
from .selectors import flag_reason


@login_required
def flag_detail(request, uid):
    """The evidence behind one flag; another coach's flag is a 404, like any unknown record."""
    flag = get_visible_or_404(Flag.objects.select_related("engagement__client"), request.user, uid)
    evidence = flag.evidence or {}
    meeting_uids = [m.get("uid") for m in evidence.get("meetings", [])]
    figures = {m.get("uid"): m.get("figure") for m in evidence.get("meetings", [])}
    scores = {m.get("uid"): m.get("score") for m in evidence.get("meetings", [])}
    meetings = (Meeting.objects.filter(engagement=flag.engagement, uid__in=meeting_uids)
                .prefetch_related("focus_areas").order_by("starts_at"))
    commitment_uids = [c.get("uid") for c in evidence.get("commitments", [])]
    commitments = (Commitment.objects.filter(engagement=flag.engagement, uid__in=commitment_uids)
                   .order_by("due_on", "pk"))
    agreement = flag.engagement.agreements.order_by("-version").first()
    rows = [{"meeting": m, "figure_percent": _percent(figures.get(str(m.uid))), "score": scores.get(str(m.uid))}
            for m in meetings]
    return render(request, "engine/flag_detail.html", {
        "flag": flag, "client": flag.engagement.client, "reason": flag_reason(flag),
        "meetings": rows, "commitments": commitments,
        "primary_focus_id": agreement.primary_focus_id if agreement else None,
        "baseline": evidence.get("baseline"), "earlier": evidence.get("earlier"),
    })


def _percent(value):
    return "–" if value is None else round(value * 100)
