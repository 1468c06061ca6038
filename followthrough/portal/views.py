"""The client's own pages. Every record is loaded through `get_visible_or_404` or a
`visible_to` query with the client's login, so another client's records are not found."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Agreement, Engagement
from followthrough.clients.services import agreement_acknowledge
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import commitment_client_report, commitment_client_report_undo
from followthrough.history import clock
from followthrough.meetings.models import Meeting
from followthrough.ui.decorators import client_required
from followthrough.ui.forms import apply_service_errors

from .checks import MeetingCheckForm, awaiting_check, still_checkable
from .forms import AcknowledgeForm, MarkDoneForm, PlanAnswerForm
from .models import PlanRequest
from .services import plan_request_answer
from .shared import shared_with


def _meetings(user):
    # The coach's private notes are never even loaded for a client's page.
    return Meeting.objects.defer("private_notes").visible_to(user)


@client_required
def home(request):
    user = request.user
    commitments = Commitment.objects.visible_to(user).select_related("engagement__coach__practice")
    requests = {r.commitment_id: r for r in PlanRequest.objects.visible_to(user).unanswered()}
    open_commitments = list(commitments.open().order_by("due_on", "pk"))
    for commitment in open_commitments:
        commitment.open_plan_request = requests.get(commitment.pk)
    past = commitments.exclude(outcome=Commitment.Outcome.OPEN).order_by("-reviewed_at", "-due_on", "-pk")[:20]
    next_meeting = (
        _meetings(user).filter(status=Meeting.Status.PLANNED, starts_at__gte=clock.now())
        .select_related("engagement__coach").order_by("starts_at").first()
    )
    return render(request, "portal/home.html", {
        "open_commitments": open_commitments,
        "past_commitments": past,
        "next_meeting": next_meeting,
        "to_acknowledge": [a for a in _current_agreements(user) if not a.is_acknowledged],
        "plan_requests": [r for r in requests.values()],
        "stopped": _stopped_engagement(user),
        "today": request.user.client_profile.today(),
        "awaiting_check": awaiting_check(user), "check_form": MeetingCheckForm(),
        **shared_with(user),
    })


def _stopped_engagement(user):
    """The client's latest engagement when none is active: paused, ended or with an
    associate, so the portal says how to come back."""
    engagements = list(Engagement.objects.visible_to(user).select_related("coach__user")
                       .order_by("-started_on", "-created_at", "-pk"))
    if not engagements or any(e.state == Engagement.State.ACTIVE for e in engagements):
        return None
    return engagements[0]


def _current_agreements(user):
    """The newest agreement version of each of the client's engagements, open ones first."""
    current = []
    engagements = Engagement.objects.visible_to(user).select_related("coach")
    for engagement in sorted(engagements, key=lambda e: e.state == Engagement.State.ENDED):
        agreement = (
            Agreement.objects.visible_to(user).filter(engagement=engagement)
            .select_related("primary_focus", "engagement__coach").order_by("-version").first()
        )
        if agreement is not None:
            current.append(agreement)
    return current


@client_required
def agreement(request):
    current = _current_agreements(request.user)
    earlier = (
        Agreement.objects.visible_to(request.user).exclude(pk__in=[a.pk for a in current])
        .select_related("engagement__coach").order_by("engagement", "-version")
    )
    return render(request, "portal/agreement.html", {
        "agreements": [(a, AcknowledgeForm() if _can_acknowledge(a) else None) for a in current],
        "earlier": earlier,
    })


def _can_acknowledge(agreement):
    newest = agreement.engagement.agreements.order_by("-version").values_list("version", flat=True).first()
    return not agreement.is_acknowledged and agreement.version == newest \
        and agreement.engagement.state != Engagement.State.ENDED


# The service's rules, worded for the client reading them (keyed by the error's code).
CLIENT_WORDS = {
    "name_mismatch": "Please type your full name as it is on your agreement: %(name)s.",
}


def in_client_words(exc):
    """The same ValidationError, with each message the client may see reworded for them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({
        field: [ValidationError(CLIENT_WORDS[e.code], code=e.code, params=e.params) if e.code in CLIENT_WORDS else e
                for e in errors]
        for field, errors in exc.error_dict.items()
    })


@client_required
@require_http_methods(["GET", "POST"])
def agreement_version(request, uid):
    version = get_visible_or_404(
        Agreement.objects.select_related("primary_focus", "engagement__coach"), request.user, uid,
    )
    form = AcknowledgeForm(request.POST or None) if _can_acknowledge(version) else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            agreement_acknowledge(agreement=version, typed_name=form.cleaned_data["typed_name"], by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, in_client_words(exc))
        else:
            messages.success(request, "Thank you. You acknowledged your agreement." if version.version == 1 else
                             f"Thank you. You acknowledged version {version.version} of your agreement.")
            return redirect("portal_agreement_version", uid=version.uid)
    elif request.method == "POST" and form is None:
        messages.info(request, "This version cannot be acknowledged now; nothing was changed.")
        return redirect("portal_agreement_version", uid=version.uid)
    return render(request, "portal/agreement_version.html", {"agreement": version, "form": form},
                  status=400 if form is not None and form.errors else 200)


@client_required
def meetings(request):
    held = _meetings(request.user).held().select_related("engagement__coach").order_by("-starts_at")
    return render(request, "portal/meetings.html", {"meetings": held})


@client_required
def meeting(request, uid):
    record = get_visible_or_404(_meetings(request.user).select_related("engagement__coach", "meeting_check"),
                                request.user, uid)
    made = Commitment.objects.visible_to(request.user).filter(made_at=record).order_by("due_on", "pk")
    answered = getattr(record, "meeting_check", None)
    return render(request, "portal/meeting.html", {
        "meeting": record, "commitments": made, "answered_check": answered,
        "check_form": MeetingCheckForm() if answered is None and still_checkable(record) else None,
    })


def _commitment_page(request, commitment, *, done_form=None, status=200):
    can_report = commitment.is_open and commitment.client_reported_done_at is None
    return render(request, "portal/commitment.html", {
        "commitment": commitment,
        "done_form": (done_form or MarkDoneForm()) if can_report else None,
        "open_plan_request": commitment.plan_requests.unanswered().first() if commitment.is_open else None,
        "today": request.user.client_profile.today(),
    }, status=status)


def _load_commitment(request, uid):
    return get_visible_or_404(
        Commitment.objects.select_related("engagement__coach", "made_at"), request.user, uid,
    )


@client_required
def commitment(request, uid):
    return _commitment_page(request, _load_commitment(request, uid))


@client_required
@require_POST
def commitment_done(request, uid):
    record = _load_commitment(request, uid)
    form = MarkDoneForm(request.POST)
    if form.is_valid():
        try:
            commitment_client_report(commitment=record, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Already reported or already reviewed: the page shows why, without the form.
                messages.error(request, " ".join(exc.messages))
                return redirect("portal_commitment", uid=record.uid)
            apply_service_errors(form, exc, {"client_report_note": "note"})
        else:
            messages.success(request, "Well done! Your coach will see that you have done this, "
                                      "and you will go over it together at your next meeting.")
            return redirect("portal_commitment", uid=record.uid)
    return _commitment_page(request, record, done_form=form, status=400)


@client_required
@require_POST
def commitment_done_undo(request, uid):
    record = _load_commitment(request, uid)
    try:
        commitment_client_report_undo(commitment=record, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, "Undone: this action is open again, and your coach no longer sees it as done.")
    return redirect("portal_commitment", uid=record.uid)


@client_required
@require_http_methods(["GET", "POST"])
def plan_answer(request, uid):
    plan_request = get_visible_or_404(
        PlanRequest.objects.select_related("commitment__engagement__coach"), request.user, uid,
    )
    commitment = plan_request.commitment
    if plan_request.is_answered or not commitment.is_open:
        return render(request, "portal/plan_answer.html", {"plan_request": plan_request, "form": None})
    form = PlanAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_request_answer(plan_request=plan_request, by=request.user, **form.answers())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Thank you, your plan is saved and your coach can see it.")
            return redirect("portal_commitment", uid=commitment.uid)
    return render(request, "portal/plan_answer.html", {
        "plan_request": plan_request, "form": form, "timezone_name": request.client.timezone,
    }, status=400 if form.errors else 200)
