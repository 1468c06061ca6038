"""Agreement versions: create, renegotiate, acknowledge."""

from django.db.models import Prefetch
from ninja import Router
from ninja.pagination import paginate

from followthrough.clients.models import Agreement, Engagement, Goal
from followthrough.clients.services import agreement_acknowledge, agreement_create

from .auth import api_coach
from .common import created, focus_areas_by_slug, load
from .schemas import AcknowledgementIn, AgreementIn, AgreementOut, ErrorsOut

router = Router(tags=["agreements"])


def agreements_queryset():
    return Agreement.objects.select_related("engagement", "primary_focus").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("position", "pk"))
    )


@router.get("/engagements/{uid}/agreements", response=list[AgreementOut],
            summary="All versions of the engagement's agreement, newest first")
@paginate
def agreement_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return agreements_queryset().filter(engagement=engagement).order_by("-version")


@router.post("/engagements/{uid}/agreements", response={201: AgreementOut, 422: ErrorsOut},
             summary="Write the first version, or renegotiate (a new version)")
def agreement_add(request, uid: str, payload: AgreementIn):
    coach = api_coach(request)
    engagement = load(request, Engagement.objects.select_related("client"), uid)
    terms = payload.dict(exclude_unset=True, exclude={"goals", "renegotiation_reason"})
    # Wording left out keeps the model's standard text rather than becoming empty.
    terms = {name: value for name, value in terms.items() if value is not None or name == "fee_amount"}
    terms["primary_focus"] = focus_areas_by_slug(coach, [payload.primary_focus], "primary_focus")[0]
    agreement = agreement_create(
        engagement=engagement, by=request.user, renegotiation_reason=payload.renegotiation_reason,
        goals=[goal.dict() for goal in payload.goals], **terms,
    )
    return created(load(request, agreements_queryset(), agreement.uid))


@router.post("/agreements/{uid}/acknowledgement", response={200: AgreementOut, 422: ErrorsOut},
             summary="Record the client's acknowledgement of this version (typed name)")
def agreement_acknowledge_view(request, uid: str, payload: AcknowledgementIn):
    agreement = load(request, Agreement, uid)
    agreement_acknowledge(agreement=agreement, typed_name=payload.typed_name, by=request.user)
    return load(request, agreements_queryset(), uid)
