"""Opening an intervention and the guided page: evidence, steps so far, the recommended
next step, and a form for each step the pipeline allows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.clients.services import AGREEMENT_TERMS
from followthrough.commitments.selectors import fresh_starts_for, next_planned_meeting
from followthrough.engine.models import Flag
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted

from .. import selectors, services
from ..forms import (
    AmendFocusForm,
    FileReviewChooseForm,
    NewGoalForm,
    OpenInterventionForm,
    ReaffirmForm,
    ReferOfferForm,
    new_goal_initial,
)
from ..models import Intervention, Referral, Step
from ..referrals import referral_candidates, referral_offer
from ..selectors import TRIGGER_OF_FLAG
from .common import intervention_url, load_intervention, page


@coach_required
@require_http_methods(["GET", "POST"])
def intervention_open(request, uid):
    engagement = get_visible_or_404(Engagement.objects.select_related("client", "coach"), request.user, uid)
    flags = list(Flag.objects.visible_to(request.user).open().filter(engagement=engagement))
    form = OpenInterventionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        flag, trigger = None, form.cleaned_data["trigger"] or Intervention.Trigger.MANUAL
        if form.cleaned_data["flag"]:
            flag = get_visible_or_404(Flag.objects.filter(engagement=engagement), request.user,
                                      form.cleaned_data["flag"])
            trigger = TRIGGER_OF_FLAG[flag.kind]
        try:
            intervention = services.intervention_open(engagement=engagement, by=request.user,
                                                      trigger=trigger, flag=flag)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The intervention is open. The recommended next step is shown first.")
            return redirect(intervention_url(intervention))
    current = engagement.interventions.open().first()
    return page(request, "protocol/open.html", {
        "engagement": engagement, "client": engagement.client, "form": form, "flags": flags,
        "current": current, "earlier": selectors.engagement_interventions(engagement),
    })


def _refer_focus(request, intervention, agreement, bound):
    """The focus to find associates for: the one posted, asked for, or the drifted one."""
    slug = (bound.data.get("focus_area") if bound is not None else None) or request.GET.get("focus")
    practice = intervention.engagement.coach.practice
    if slug:
        found = practice.focus_areas.filter(slug=slug).first()
        if found is not None:
            return found
    return selectors.drifted_focus(intervention.engagement, agreement)


def _can_refer(intervention, referrals):
    if Step.REFER in intervention.allowed_steps():
        return True
    # A final review that chose to refer closes the intervention; the offer follows it.
    active = [r for r in referrals if r.status in (Referral.Status.OFFERED, Referral.Status.ACCEPTED)]
    return (intervention.outcome == Intervention.Outcome.REFERRED and not active
            and intervention.engagement.is_active)


def _forms(request, intervention, data, bound):
    """A form for each step the page offers; a bound (failed) one replaces its blank twin."""
    engagement, agreement = intervention.engagement, data["agreement"]
    allowed = data["allowed"]
    forms = {}
    if _can_refer(intervention, data["referrals"]) or "refer" in bound:
        focus = _refer_focus(request, intervention, agreement, bound.get("refer"))
        candidates = referral_candidates(engagement=engagement, focus_area=focus) if focus else []
        forms["refer"] = bound.get("refer") or ReferOfferForm(
            candidates=candidates, practice=engagement.coach.practice, initial={"focus_area": focus})
        forms["refer_focus"] = focus
        # Those who take referrals now are the choices; the others are shown apart.
        forms["candidates"] = [c for c in candidates if c.accepts_referrals]
        forms["not_accepting"] = [c for c in candidates if not c.accepts_referrals]
        forms["focus_areas"] = list(engagement.coach.practice.focus_areas.filter(is_active=True))
    if Step.REFER in allowed or "amend" in bound:
        forms["amend"] = bound.get("amend") or AmendFocusForm(coach=engagement.coach, agreement=agreement)
    if Step.REAFFIRM in allowed or "reaffirm" in bound:
        forms["reaffirm"] = bound.get("reaffirm") or ReaffirmForm()
    if Step.REVIEW_FILE in allowed:
        forms["review_file"] = FileReviewChooseForm(initial={"meetings": 3})
    if Step.NEW_GOAL in allowed or "new_goal" in bound:
        missed = selectors.missed_commitments(engagement)
        next_meeting = next_planned_meeting(engagement) if missed else None
        form = bound.get("new_goal")
        if form is None:
            initial = {}
            chosen = next((c for c in missed if str(c.uid) == request.GET.get("source")), None)
            if chosen is not None:
                mode = "trim" if request.GET.get("mode") == "trim" else "reinstate"
                initial = new_goal_initial(chosen, mode, today=engagement.coach.practice.today(),
                                           next_meeting=next_meeting)
            form = NewGoalForm(missed=missed, agreement=agreement, initial=initial)
        forms["new_goal"] = form
        forms["missed"] = missed
        forms["fresh_starts"] = fresh_starts_for(engagement, next_meeting=next_meeting)
    return forms


def render_intervention(request, intervention, bound=None, status=200):
    bound = bound or {}
    data = selectors.intervention_page(intervention)
    context = {**data, "forms": _forms(request, intervention, data, bound), "failed": next(iter(bound), None),
               "allowed_labels": [Step(s).label.lower() for s in data["allowed"]]}
    return page(request, "protocol/intervention.html", context, status=status)


@coach_required
def intervention_detail(request, uid):
    return render_intervention(request, load_intervention(request, uid))


def _attempt(form, call):
    """Run a service for a valid form; its refusal goes onto the form's fields."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc, {"derived_from": "source"})
        return None


def _amend(request, intervention):
    agreement = services.current_agreement(intervention.engagement)
    form = AmendFocusForm(request.POST, coach=intervention.engagement.coach, agreement=agreement)

    def call(data):
        version = services.step_amend_focus(intervention=intervention, by=request.user,
                                            focus_area=data["focus_area"], reason=data["reason"], note=data["note"])
        return (f"The agreement now focuses on {data['focus_area'].name} (version {version.version}); "
                "the intervention is closed as amended. Ask the client to acknowledge the new version.")

    return form, _attempt(form, call)


def _refer(request, intervention):
    engagement = intervention.engagement
    practice = engagement.coach.practice
    focus = practice.focus_areas.filter(slug=request.POST.get("focus_area", "")).first()
    candidates = referral_candidates(engagement=engagement, focus_area=focus) if focus else []
    form = ReferOfferForm(request.POST, candidates=candidates, practice=practice)

    def call(data):
        # A closed intervention (final review chose to refer) takes no more steps; the offer
        # is still linked to it so the outcome and the referral read together.
        referral = referral_offer(engagement=engagement, by=request.user, to_coach=data["to_coach"],
                                  focus_area=data["focus_area"], message=data["message"], note=data["note"],
                                  intervention=intervention)
        return (f"The referral to {referral.to_coach} is offered. Record the client's consent to share "
                "their file on the referral page.")

    if not _can_refer(intervention, list(intervention.referrals.all())):
        form.is_valid()
        form.add_error(None, "A referral cannot be offered from this intervention now.")
        return form, None
    return form, _attempt(form, call)


def _reaffirm(request, intervention):
    form = ReaffirmForm(request.POST)

    def call(data):
        services.step_reaffirm(intervention=intervention, by=request.user, response=data["response"],
                               work_request=data["work_request"], note=data["note"])
        declined = " The request to do the client's work is recorded as declined." if data["work_request"] else ""
        return "The client's response to the recap is recorded." + declined

    return form, _attempt(form, call)


def _renegotiation(agreement, data):
    if not data.get("renegotiate") or agreement is None:
        return None
    terms = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
    terms.update(call_to_action=data["call_to_action"].strip(),
                 meeting_cadence=(data["meeting_cadence"] or agreement.meeting_cadence).strip(),
                 renegotiation_reason=data["renegotiation_reason"].strip())
    return terms


def _new_goal(request, intervention):
    engagement = intervention.engagement
    agreement = services.current_agreement(engagement)
    form = NewGoalForm(request.POST, missed=selectors.missed_commitments(engagement), agreement=agreement)

    def call(data):
        created = services.step_new_goal(
            intervention=intervention, by=request.user, mode=data["mode"], source=data["source"],
            due_on=data["due_on"], planned_at=data["planned_at"], minutes_needed=data["minutes_needed"],
            has_tools=data["has_tools"], tools_needed=data["tools_needed"], description=data["description"],
            renegotiation=_renegotiation(agreement, data), note=data["note"],
        )
        prep = " A preparation commitment for the missing tools comes first." if len(created) > 1 else ""
        return f"The new goal is set: {created[-1].description}.{prep}"

    return form, _attempt(form, call)


STEP_HANDLERS = {"amend": _amend, "refer": _refer, "reaffirm": _reaffirm, "new_goal": _new_goal}


@coach_required
@require_POST
def intervention_step(request, uid, step):
    if step not in STEP_HANDLERS:
        raise Http404("No such step")
    intervention = load_intervention(request, uid)
    form, done = STEP_HANDLERS[step](request, intervention)
    if done is None:
        intervention.refresh_from_db()
        return render_intervention(request, intervention, bound={step: form})
    messages.success(request, done)
    return redirect(intervention_url(intervention))
