"""The practice admin's pages: the practice's settings, its coaches and invitations, focus
areas, the directory of associates outside it, and every engagement in it.

Each page is behind `practice_admin_required` (anyone else gets 404) and reads only the
admin's own practice; every change goes through the practice's services and so the log.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.accounts.security_views import practice_admin_required
from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_hand_over
from followthrough.practice import services
from followthrough.practice.invitations import invitation_create, invitation_revoke
from followthrough.practice.models import Coach, CoachInvitation, ExternalAssociate, FocusArea
from followthrough.ui.forms import apply_service_errors, posted
from followthrough.web import queries
from followthrough.web.forms.practice import (
    PRACTICE_FIELDS,
    AssociateForm,
    CoachSettingsForm,
    FocusAreaForm,
    HandOverForm,
    InviteForm,
    PracticeForm,
    coach_initial,
    practice_initial,
)


def _saved(request, form, write, message):
    """Run a service write for a valid form; True when it saved, else its errors are on the form."""
    try:
        write()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    messages.success(request, message)
    return True


@practice_admin_required
@require_http_methods(["GET", "POST"])
def practice_settings(request):
    practice = request.coach.practice
    form = PracticeForm(posted(request), initial=practice_initial(practice))
    if request.method == "POST" and form.is_valid() and _saved(
            request, form, lambda: services.practice_update(
                practice=practice, by=request.user, **{k: form.cleaned_data[k] for k in PRACTICE_FIELDS}),
            "The practice's settings are saved."):
        return redirect("practice_settings")
    return render(request, "web/practice/settings.html", {"form": form, "practice": practice})


@practice_admin_required
@require_http_methods(["GET", "POST"])
def coaches(request):
    practice = request.coach.practice
    form = InviteForm(posted(request))
    if request.method == "POST" and form.is_valid() and _saved(
            request, form, lambda: invitation_create(practice=practice, by=request.user, **form.cleaned_data),
            f"An invitation is on its way to {form.cleaned_data['email']}."):
        return redirect("practice_coaches")
    listed = (practice.coaches.select_related("user").prefetch_related("specialties")
              .annotate(open_engagements=Count("engagements", filter=~Q(engagements__state="ended"))))
    return render(request, "web/practice/coaches.html", {
        "coaches": listed, "form": form,
        "invitations": [i for i in CoachInvitation.objects.filter(practice=practice) if i.status == "open"],
    })


@practice_admin_required
@require_POST
def invitation_revoke_view(request, uid):
    invitation = get_object_or_404(CoachInvitation, practice=request.coach.practice, uid=uid)
    try:
        invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("practice_coaches")


def _practice_coach(request, uid):
    return get_object_or_404(Coach.objects.select_related("user", "practice"),
                             practice=request.coach.practice, uid=uid)


@practice_admin_required
@require_http_methods(["GET", "POST"])
def coach_settings(request, uid):
    coach = _practice_coach(request, uid)
    form = CoachSettingsForm(posted(request), initial=coach_initial(coach), practice=coach.practice)
    if request.method == "POST" and form.is_valid() and _saved(
            request, form, lambda: services.coach_settings_update(coach=coach, by=request.user,
                                                                  **form.cleaned_data),
            f"{form.cleaned_data['display_name']}'s settings are saved."):
        return redirect("practice_coaches")
    return render(request, "web/practice/coach.html", {"subject": coach, "form": form})


@practice_admin_required
@require_http_methods(["GET", "POST"])
def coach_deactivate(request, uid):
    """Hand every open engagement to one colleague, then shut the coach out, all at once."""
    coach = _practice_coach(request, uid)
    held = list(Engagement.objects.filter(coach=coach).exclude(state=Engagement.State.ENDED)
                .select_related("client").order_by("client__full_name", "pk"))
    form = HandOverForm(posted(request), coach=coach)
    if not held:
        form.fields["to_coach"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for engagement in held:
                    engagement_hand_over(engagement=engagement, to_coach=form.cleaned_data["to_coach"],
                                         by=request.user, note=form.cleaned_data["note"])
                services.coach_deactivate(coach=coach, by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{coach.display_name} is deactivated"
                             + (f"; {len(held)} engagement(s) handed over." if held else "."))
            return redirect("practice_coaches")
    return render(request, "web/practice/deactivate.html", {"subject": coach, "held": held, "form": form})


@practice_admin_required
@require_POST
def coach_reactivate(request, uid):
    coach = _practice_coach(request, uid)
    services.coach_reactivate(coach=coach, by=request.user)
    messages.success(request, f"{coach.display_name} can sign in again.")
    return redirect("practice_coaches")


@practice_admin_required
@require_http_methods(["GET", "POST"])
def focus_areas(request):
    practice = request.coach.practice
    form = FocusAreaForm(posted(request) if "name" in request.POST else None)
    if request.method == "POST" and "toggle" in request.POST:
        area = get_object_or_404(FocusArea, practice=practice, uid=request.POST["toggle"])
        services.focus_area_update(focus_area=area, by=request.user, is_active=not area.is_active)
        messages.success(request, f"{area.name} is {'offered again' if area.is_active else 'retired'}.")
        return redirect("practice_focus_areas")
    if request.method == "POST" and form.is_valid() and _saved(
            request, form, lambda: services.focus_area_create(practice=practice, by=request.user,
                                                              name=form.cleaned_data["name"]),
            f"{form.cleaned_data['name']} is a focus area of the practice."):
        return redirect("practice_focus_areas")
    areas = practice.focus_areas.annotate(coaches=Count("specialists", distinct=True))
    return render(request, "web/practice/focus_areas.html", {"areas": areas, "form": form})


@practice_admin_required
@require_http_methods(["GET", "POST"])
def associates(request):
    practice = request.coach.practice
    form = AssociateForm(posted(request), practice=practice)
    if request.method == "POST" and form.is_valid() and _saved(
            request, form, lambda: services.associate_create(practice=practice, by=request.user,
                                                             **form.cleaned_data),
            f"{form.cleaned_data['name']} is in the directory."):
        return redirect("practice_associates")
    listed = ExternalAssociate.objects.filter(practice=practice).prefetch_related(
        Prefetch("specialties", queryset=FocusArea.objects.order_by("position")))
    return render(request, "web/practice/associates.html", {"associates": listed, "form": form})


@practice_admin_required
@require_http_methods(["GET", "POST"])
def associate_edit(request, uid):
    associate = get_object_or_404(ExternalAssociate, practice=request.coach.practice, uid=uid)
    initial = {name: getattr(associate, name) for name in services.ASSOCIATE_FIELDS}
    initial["specialties"] = list(associate.specialties.all())
    form = AssociateForm(posted(request), initial=initial, practice=associate.practice)
    if request.method == "POST" and form.is_valid() and _saved(
            request, form, lambda: services.associate_update(associate=associate, by=request.user,
                                                             **form.cleaned_data),
            f"{form.cleaned_data['name']} is saved."):
        return redirect("practice_associates")
    return render(request, "web/practice/associate.html", {"associate": associate, "form": form})


@practice_admin_required
def practice_engagements(request):
    """Every engagement of the practice, whoever holds it: the admin's overview."""
    practice = request.coach.practice
    state = request.GET.get("state", "")
    state = state if state in Engagement.State.values else ""
    coach_uid = request.GET.get("coach", "")
    coaches = list(practice.coaches.order_by("display_name"))
    if coach_uid not in {str(c.uid) for c in coaches}:
        coach_uid = ""
    intervention = request.GET.get("intervention") == "1"
    rows = queries.practice_engagements(practice, coach_uid=coach_uid, state=state, intervention=intervention)
    page = Paginator(rows, queries.ENGAGEMENTS_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/practice/engagements.html", {
        "page": page, "coaches": coaches, "states": Engagement.State.choices,
        "filters": {"state": state, "coach": coach_uid, "intervention": intervention},
    })
