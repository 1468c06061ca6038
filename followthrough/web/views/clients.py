"""The client file, adding clients, and moving engagements along their states."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.access import get_visible_or_404
from followthrough.clients import services
from followthrough.clients.models import Client, Engagement
from followthrough.history.access_log import Kind, record_view
from followthrough.history.selectors import events_by_seq, visible_history
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted
from followthrough.web import queries
from followthrough.web.forms.clients import (
    AcknowledgeForm,
    ClientForm,
    EngagementMoveForm,
    ReengageForm,
)

from .common import file_url


@coach_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    coach = request.coach
    form = ClientForm(posted(request), initial={"timezone": coach.practice.timezone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.client_create(
                coach=coach, by=request.user, full_name=data["full_name"], email=data["email"],
                phone=data["phone"], timezone=data["timezone"], started_on=data["started_on"],
                email_shared=data["email_shared"], preferred_name=data["preferred_name"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{client.full_name} was added with a new engagement. "
                                      "Next: write the agreement.")
            return redirect(file_url(client))
    return render(request, "web/client_form.html", {"form": form})


@coach_required
@require_GET
def client_file(request, uid):
    client = get_visible_or_404(Client.objects.select_related("practice"), request.user, uid)
    record_view(request, client=client, kind=Kind.CLIENT_FILE)
    data = queries.client_file(client, request.user, request.GET.get("engagement"),
                               all_meetings=request.GET.get("meetings") == "all")
    selected = data["selected"]
    context = {"client": client, **data}
    if selected is not None:
        context["reengage_form"] = ReengageForm()
        current = data["current_agreement"]
        if current is not None and not current.is_acknowledged:
            context["acknowledge_form"] = AcknowledgeForm()
    return render(request, "web/client_file.html", context)


@coach_required
@require_GET
def client_history(request, uid):
    """The whole history of a client's file, newest first, a hundred changes to a page (the
    file itself shows the newest thirty)."""
    client = get_visible_or_404(Client.objects.select_related("practice"), request.user, uid)
    record_view(request, client=client, kind=Kind.CLIENT_FILE)
    page = Paginator(visible_history(client, user=request.user), queries.HISTORY_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "web/client_history.html", {
        "client": client, "page": page, "events": events_by_seq(page.object_list),
        "focus_names": queries.practice_focus_names(client.practice),
    })


def _engagement(request, uid):
    return get_visible_or_404(Engagement.objects.select_related("client", "coach"),
                              request.user, uid)


@coach_required
@require_http_methods(["GET", "POST"])
def engagement_move(request, uid):
    """Choose the move, see what it closes, confirm: a move that closes nothing (and is not
    an ending) needs no second step."""
    engagement = _engagement(request, uid)
    form = EngagementMoveForm(posted(request), engagement=engagement)
    context = {"engagement": engagement, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        move = {"to_state": data["state"], "check_back_on": data["check_back_on"],
                "keep_planned_meetings": data["keep_planned_meetings"]}
        try:
            consequences = services.engagement_move_preview(engagement=engagement, **move)
            if data["confirmed"] or not (consequences or data["state"] == Engagement.State.ENDED):
                services.engagement_move(engagement=engagement, by=request.user, note=data["note"],
                                         confirmed=True, **move)
            else:
                return render(request, "web/engagement_move_confirm.html",
                              {**context, "consequences": consequences, "data": data})
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            label = Engagement.State(data["state"]).label.lower()
            messages.success(request, f"The engagement is now {label}.")
            return redirect(file_url(engagement.client, engagement))
    if request.method == "GET" and request.GET.get("part") == "form":  # as the client file opens it
        return render(request, "web/partials/engagement_move_form.html", context)
    return render(request, "web/engagement_move.html", context)


@coach_required
@require_http_methods(["GET", "POST"])
def engagement_reengage(request, uid):
    engagement = _engagement(request, uid)
    form = ReengageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.engagement_reengage(previous=engagement, by=request.user,
                                               started_on=form.cleaned_data["started_on"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{engagement.client.full_name} is re-engaged; the new "
                                      "engagement continues from the previous one.")
            return redirect(file_url(engagement.client, new))
    return render(request, "web/engagement_reengage.html",
                  {"engagement": engagement, "form": form})
