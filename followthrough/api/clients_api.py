"""Clients and their engagements."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Router
from ninja.pagination import paginate

from followthrough.clients.models import Client, Engagement
from followthrough.clients.services import client_create, engagement_move, engagement_reengage

from .auth import api_coach
from .common import created, load, renamed
from .schemas import ClientDetail, ClientIn, ClientOut, EngagementOut, ErrorsOut, MoveIn, ReengageIn

router = Router(tags=["clients"])


def _clients(user):
    # Only the engagements this coach holds: a client referred on to a colleague keeps
    # that colleague's engagement out of this coach's view.
    engagements = Engagement.objects.visible_to(user).order_by("-started_on", "-created_at")
    return Client.objects.visible_to(user).prefetch_related(
        Prefetch("engagements", queryset=engagements, to_attr="visible_engagements")
    )


def engagements_queryset():
    return Engagement.objects.select_related("client", "coach", "previous").prefetch_related("transitions")


@router.get("/clients", response=list[ClientOut], summary="Clients you hold, with the current engagement")
@paginate
def client_list(request):
    api_coach(request)
    return _clients(request.user)


@router.post("/clients", response={201: ClientDetail, 422: ErrorsOut},
             summary="Add a client (starts an active engagement)")
def client_add(request, payload: ClientIn):
    coach = api_coach(request)
    client = client_create(coach=coach, by=request.user, **payload.dict())
    return created(load(request, _clients(request.user), client.uid))


@router.get("/clients/{uid}", response=ClientDetail)
def client_detail(request, uid: str):
    return load(request, _clients(request.user), uid)


@router.get("/engagements/{uid}", response=EngagementOut)
def engagement_detail(request, uid: str):
    return load(request, engagements_queryset(), uid)


@router.post("/engagements/{uid}/moves", response={200: EngagementOut, 422: ErrorsOut},
             summary="Move an engagement: pause (with check-back date), refer out, end, resume")
def engagement_move_view(request, uid: str, payload: MoveIn):
    engagement = load(request, Engagement, uid)
    try:
        engagement_move(engagement=engagement, by=request.user, to_state=payload.to_state,
                        note=payload.note, check_back_on=payload.check_back_on)
    except ValidationError as exc:
        raise renamed(exc, lambda name: "to_state" if name == "state" else name) from None
    return load(request, engagements_queryset(), uid)


@router.post("/engagements/{uid}/reengage", response={201: EngagementOut, 422: ErrorsOut},
             summary="Re-engage a paused or ended client as a new engagement linked to this one")
def engagement_reengage_view(request, uid: str, payload: ReengageIn | None = None):
    previous = load(request, Engagement.objects.select_related("client", "coach"), uid)
    started_on = payload.started_on if payload is not None else None
    engagement = engagement_reengage(previous=previous, by=request.user, started_on=started_on)
    return created(load(request, engagements_queryset(), engagement.uid))
