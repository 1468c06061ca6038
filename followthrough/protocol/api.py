"""The protocol's API: interventions and their steps, letters, referrals, file reviews.

Same rules as the pages: a record the coach may not see is a 404, every write goes through the
services, and a service's refusal is a 422 naming the field (the API's handler for
Django's ValidationError).
"""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.clients.services import AGREEMENT_TERMS
from followthrough.commitments.models import Commitment
from followthrough.commitments.selectors import fresh_starts_for, next_planned_meeting
from followthrough.engine.models import Flag
from followthrough.ui.api import ErrorsOut, api_coach, created, load

from . import selectors, services
from .letters import letter_draft_from_record, letter_send, letter_update
from .models import FileReview, Intervention, Letter, Referral, Step
from .referrals import (
    referral_accept,
    referral_candidates,
    referral_complete,
    referral_decline,
    referral_offer,
    referral_record_consent,
)
from .schemas import (
    CandidateOut,
    ConsentIn,
    FileReviewOut,
    FinalReviewIn,
    InterventionOut,
    LetterDraftIn,
    LetterEditIn,
    LetterOut,
    NewGoalIn,
    NewGoalOptionsOut,
    NoteIn,
    OfferIn,
    OpenIn,
    ReaffirmIn,
    ReferIn,
    ReferralOut,
    ReviewFileIn,
    StepResultOut,
    file_review_out,
    intervention_out,
    referral_out,
)

router = Router(tags=["protocol"])
protocol_router = router

INTERVENTIONS = Intervention.objects.select_related("engagement__client", "engagement__coach__practice")
REFERRALS = Referral.objects.select_related("from_engagement__client", "from_engagement__coach", "to_coach",
                                            "focus_area", "intervention", "associate_engagement")


def _focus(coach, slug, field="focus_area"):
    area = coach.practice.focus_areas.filter(slug=slug).first()
    if area is None:
        known = ", ".join(coach.practice.focus_areas.values_list("slug", flat=True))
        raise ValidationError({field: f"Unknown focus area {slug!r}; this practice has: {known}."})
    return area


def _associate(engagement, uid, focus):
    found = {str(c.uid): c for c in referral_candidates(engagement=engagement, focus_area=focus)}
    if uid not in found:
        raise ValidationError({"to_coach": "Choose an associate of your practice (see referral-candidates)."})
    return found[uid]


# Interventions -----------------------------------------------------------------------

@router.get("/engagements/{uid}/interventions", response=list[InterventionOut],
            summary="The engagement's interventions, newest first")
def intervention_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return [intervention_out(i) for i in INTERVENTIONS.filter(engagement=engagement).order_by("-opened_at")]


@router.post("/engagements/{uid}/interventions", response={201: InterventionOut, 422: ErrorsOut},
             summary="Open an intervention, from a flag (its uid) or by hand")
def intervention_create(request, uid: str, payload: OpenIn):
    engagement = load(request, Engagement.objects.select_related("coach", "client"), uid)
    flag, trigger = None, payload.trigger
    if payload.flag:
        flag = get_visible_or_404(Flag.objects.filter(engagement=engagement), request.user, payload.flag)
        trigger = selectors.TRIGGER_OF_FLAG[flag.kind]
    intervention = services.intervention_open(engagement=engagement, by=request.user, trigger=trigger, flag=flag)
    return created(intervention_out(load(request, INTERVENTIONS, intervention.uid)))


@router.get("/interventions/{uid}", response=InterventionOut,
            summary="An intervention with its steps, the recommended next step and why, and the allowed steps")
def intervention_detail(request, uid: str):
    return intervention_out(load(request, INTERVENTIONS, uid))


def _result(request, intervention, **extra):
    return {"intervention": intervention_out(load(request, INTERVENTIONS, intervention.uid)), **extra}


@router.post("/interventions/{uid}/steps/refer", response={200: StepResultOut, 422: ErrorsOut},
             summary="Step 1: amend the agreement to a focus you specialise in, or refer to an associate")
def step_refer(request, uid: str, payload: ReferIn):
    intervention = load(request, INTERVENTIONS, uid)
    coach = api_coach(request)
    focus = _focus(coach, payload.focus_area)
    if payload.choice == "amend":
        version = services.step_amend_focus(intervention=intervention, by=request.user, focus_area=focus,
                                            reason=payload.reason, note=payload.note)
        return _result(request, intervention, agreement_version=version.version)
    intervention.check_step(Step.REFER)
    if not payload.to_coach:
        raise ValidationError({"to_coach": "Choose the associate to refer the client to."})
    referral = referral_offer(engagement=intervention.engagement, by=request.user,
                              to_coach=_associate(intervention.engagement, payload.to_coach, focus),
                              focus_area=focus, message=payload.message, note=payload.note, intervention=intervention)
    return _result(request, intervention, referral=str(referral.uid))


@router.post("/interventions/{uid}/steps/reaffirm", response={200: StepResultOut, 422: ErrorsOut},
             summary="Step 2: record the client's response to the recap of the agreement")
def step_reaffirm(request, uid: str, payload: ReaffirmIn):
    intervention = load(request, INTERVENTIONS, uid)
    services.step_reaffirm(intervention=intervention, by=request.user, response=payload.response,
                           work_request=payload.work_request, note=payload.note)
    return _result(request, intervention)


@router.post("/interventions/{uid}/steps/review_file", response={200: StepResultOut, 422: ErrorsOut},
             summary="Step 3: record the file review shown to the client over the last meetings")
def step_review_file(request, uid: str, payload: ReviewFileIn):
    intervention = load(request, INTERVENTIONS, uid)
    review, _ = services.step_review_file(
        intervention=intervention, by=request.user, meetings_count=payload.meetings_count,
        client_reaction=payload.client_reaction, share_with_client=payload.share_with_client, note=payload.note)
    return _result(request, intervention, file_review=str(review.uid))


@router.post("/interventions/{uid}/steps/new_goal", response={200: StepResultOut, 422: ErrorsOut},
             summary="Step 4: reinstate a missed commitment with its plan, or set a trimmed one")
def step_new_goal(request, uid: str, payload: NewGoalIn):
    intervention = load(request, INTERVENTIONS, uid)
    engagement = intervention.engagement
    source = Commitment.objects.filter(engagement=engagement, uid=_uuid_or_none(payload.source)).first()
    renegotiation = None
    if payload.renegotiation is not None:
        agreement = services.current_agreement(engagement)
        if agreement is None:
            raise ValidationError({"renegotiation": "This engagement has no agreement to renegotiate."})
        renegotiation = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
        renegotiation.update(call_to_action=payload.renegotiation.call_to_action,
                             meeting_cadence=payload.renegotiation.meeting_cadence or agreement.meeting_cadence,
                             renegotiation_reason=payload.renegotiation.renegotiation_reason)
    made = services.step_new_goal(
        intervention=intervention, by=request.user, mode=payload.mode, source=source, due_on=payload.due_on,
        planned_at=payload.planned_at, minutes_needed=payload.minutes_needed, has_tools=payload.has_tools,
        tools_needed=payload.tools_needed, description=payload.description, renegotiation=renegotiation,
        note=payload.note)
    return _result(request, intervention, commitments=[str(c.uid) for c in made])


@router.get("/interventions/{uid}/steps/new_goal/options", response=NewGoalOptionsOut,
            summary="Step 4's choices: the missed commitments to start from, and fresh-start dates "
                    "(next Monday, the first of next month, the next meeting) for the new due date")
def step_new_goal_options(request, uid: str):
    intervention = load(request, INTERVENTIONS, uid)
    engagement = intervention.engagement
    missed = selectors.missed_commitments(engagement)
    return {
        "missed": [{"uid": str(c.uid), "description": c.description, "due_on": c.due_on, "outcome": c.outcome,
                    "minutes_needed": c.minutes_needed} for c in missed],
        "fresh_starts": [s.as_dict() for s in fresh_starts_for(engagement, next_meeting=next_planned_meeting(
            engagement))],
    }


@router.post("/interventions/{uid}/steps/final_review", response={200: StepResultOut, 422: ErrorsOut},
             summary="Step 5: close with the outcome of the final review")
def step_final_review(request, uid: str, payload: FinalReviewIn):
    intervention = load(request, INTERVENTIONS, uid)
    services.step_final_review(intervention=intervention, by=request.user, outcome=payload.outcome,
                               check_back_on=payload.check_back_on, note=payload.note)
    return _result(request, intervention)


@router.post("/interventions/{uid}/steps/{step}", response={422: ErrorsOut}, include_in_schema=False)
def step_unknown(request, uid: str, step: str):
    load(request, INTERVENTIONS, uid)
    raise ValidationError({"step": f"{step!r} is not a protocol step; use one of: {', '.join(Step.values)}."})


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# Letters -----------------------------------------------------------------------------

@router.get("/interventions/{uid}/letters", response=list[LetterOut])
def letter_list(request, uid: str):
    intervention = load(request, INTERVENTIONS, uid)
    return list(intervention.letters.select_related("intervention").order_by("-created_at"))


@router.post("/interventions/{uid}/letters", response={201: LetterOut, 422: ErrorsOut},
             summary="Draft a letter from the intervention's record")
def letter_create(request, uid: str, payload: LetterDraftIn):
    intervention = load(request, INTERVENTIONS, uid)
    return created(letter_draft_from_record(intervention=intervention, kind=payload.kind, by=request.user))


@router.get("/letters/{uid}", response=LetterOut)
def letter_detail(request, uid: str):
    return load(request, Letter.objects.select_related("intervention"), uid)


@router.patch("/letters/{uid}", response={200: LetterOut, 422: ErrorsOut}, summary="Edit a draft letter")
def letter_edit(request, uid: str, payload: LetterEditIn):
    letter = load(request, Letter.objects.select_related("intervention"), uid)
    return letter_update(letter=letter, by=request.user, subject=payload.subject, body=payload.body)


@router.post("/letters/{uid}/send", response={200: LetterOut, 422: ErrorsOut},
             summary="Email the letter to the client; it is kept as sent")
def letter_send_view(request, uid: str):
    letter = load(request, Letter.objects.select_related("intervention", "engagement__client",
                                                        "engagement__coach__user"), uid)
    return letter_send(letter=letter, by=request.user)


# Referrals ---------------------------------------------------------------------------

@router.get("/engagements/{uid}/referral-candidates", response={200: list[CandidateOut], 422: ErrorsOut},
            summary="Associates for a focus area, best fit first")
def candidates(request, uid: str, focus_area: str):
    engagement = load(request, Engagement.objects.select_related("coach"), uid)
    return referral_candidates(engagement=engagement, focus_area=_focus(api_coach(request), focus_area))


@router.post("/engagements/{uid}/referrals", response={201: ReferralOut, 422: ErrorsOut},
             summary="Offer a referral (e.g. after a final review that chose to refer)")
def referral_create(request, uid: str, payload: OfferIn):
    coach = api_coach(request)
    engagement = load(request, Engagement.objects.select_related("coach", "client"), uid)
    focus = _focus(coach, payload.focus_area)
    intervention = None
    if payload.intervention:
        intervention = load(request, INTERVENTIONS.filter(engagement=engagement), payload.intervention)
    referral = referral_offer(engagement=engagement, by=request.user, to_coach=_associate(
        engagement, payload.to_coach, focus), focus_area=focus, message=payload.message, intervention=intervention)
    return created(referral_out(load(request, REFERRALS, referral.uid), coach))


@router.get("/referrals/{uid}", response=ReferralOut,
            summary="A referral; the associate sees only what the client consented to share")
def referral_detail(request, uid: str):
    return referral_out(load(request, REFERRALS, uid), api_coach(request))


def _side(request, uid, *, associate):
    coach = api_coach(request)
    referral = load(request, REFERRALS, uid)
    mine = referral.to_coach_id == coach.pk if associate else referral.from_engagement.coach_id == coach.pk
    if not mine:
        raise Http404("No such record")
    return coach, referral


@router.post("/referrals/{uid}/consent", response={200: ReferralOut, 422: ErrorsOut},
             summary="Record which parts of the file the client agrees to share")
def referral_consent(request, uid: str, payload: ConsentIn):
    coach, referral = _side(request, uid, associate=False)
    referral_record_consent(referral=referral, by=request.user, **payload.dict())
    return referral_out(load(request, REFERRALS, uid), coach)


@router.post("/referrals/{uid}/accept", response={200: ReferralOut, 422: ErrorsOut})
def referral_accept_view(request, uid: str):
    coach, referral = _side(request, uid, associate=True)
    referral_accept(referral=referral, by=request.user)
    return referral_out(load(request, REFERRALS, uid), coach)


@router.post("/referrals/{uid}/decline", response={200: ReferralOut, 422: ErrorsOut})
def referral_decline_view(request, uid: str, payload: NoteIn):
    coach, referral = _side(request, uid, associate=True)
    referral_decline(referral=referral, by=request.user, note=payload.note)
    return referral_out(load(request, REFERRALS, uid), coach)


@router.post("/referrals/{uid}/complete", response={200: ReferralOut, 422: ErrorsOut})
def referral_complete_view(request, uid: str, payload: NoteIn):
    coach, referral = _side(request, uid, associate=True)
    referral_complete(referral=referral, by=request.user, note=payload.note)
    return referral_out(load(request, REFERRALS, uid), coach)


# File reviews ------------------------------------------------------------------------

@router.get("/file-reviews/{uid}", response=FileReviewOut,
            summary="A file review: each meeting, the commitments made and what became of them")
def file_review_detail(request, uid: str):
    return file_review_out(load(request, FileReview.objects.select_related("engagement__client", "intervention"),
                                uid))


@router.post("/file-reviews/{uid}/share", response=FileReviewOut, summary="Share it in the client's portal")
def file_review_share(request, uid: str):
    review = load(request, FileReview.objects.select_related("engagement__client", "intervention"), uid)
    return file_review_out(services.file_review_share(file_review=review, by=request.user))
