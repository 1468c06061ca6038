"""The API of clients: clients and their engagements, agreement versions (create,
renegotiate, acknowledge), and a client's history as the coach may see it."""

from collections import defaultdict
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Router
from ninja.pagination import paginate

from followthrough.history.models import TrackedModel
from followthrough.history.schemas import EventOut
from followthrough.history.selectors import events_by_seq, visible_history
from followthrough.practice.models import FocusArea
from followthrough.practice.selectors import focus_areas_by_slug
from followthrough.ui.api import ErrorsOut, api_coach, created, load, renamed

from .models import LAPSE_PLAN, REMINDER_TERMS, Agreement, Client, Engagement, Goal, PlannedBreak
from .schemas import (
    AcknowledgementIn,
    AgreementIn,
    AgreementOut,
    ClientDetail,
    ClientIn,
    ClientOut,
    EngagementOut,
    MoveIn,
    MovePreviewOut,
    PlannedBreakIn,
    PlannedBreakOut,
    ReengageIn,
)
from .services import (
    agreement_acknowledge,
    agreement_create,
    client_create,
    engagement_move,
    engagement_move_preview,
    engagement_reengage,
    planned_break_cancel,
    planned_break_record,
)

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


def _move_errors(exc):
    return renamed(exc, lambda name: "to_state" if name == "state" else name)


@router.get("/engagements/{uid}/moves/preview", response={200: MovePreviewOut, 422: ErrorsOut},
            summary="What a move would close (planned meetings, open commitments, flags, reminders, "
                    "an open intervention), without moving")
def engagement_move_preview_view(request, uid: str, to_state: str, check_back_on: date | None = None,
                                 keep_planned_meetings: bool = False):
    engagement = load(request, Engagement, uid)
    try:
        consequences = engagement_move_preview(engagement=engagement, to_state=to_state, check_back_on=check_back_on,
                                               keep_planned_meetings=keep_planned_meetings)
    except ValidationError as exc:
        raise _move_errors(exc) from None
    return {"to_state": to_state, "consequences": [c.as_dict() for c in consequences]}


@router.post("/engagements/{uid}/moves", response={200: EngagementOut, 422: ErrorsOut},
             summary="Move an engagement: pause (with check-back date), refer out, end (confirmed), resume")
def engagement_move_view(request, uid: str, payload: MoveIn):
    engagement = load(request, Engagement, uid)
    try:
        engagement_move(engagement=engagement, by=request.user, to_state=payload.to_state, note=payload.note,
                        check_back_on=payload.check_back_on, keep_planned_meetings=payload.keep_planned_meetings,
                        confirmed=payload.confirmed)
    except ValidationError as exc:
        raise _move_errors(exc) from None
    return load(request, engagements_queryset(), uid)


@router.post("/engagements/{uid}/reengage", response={201: EngagementOut, 422: ErrorsOut},
             summary="Re-engage a paused or ended client as a new engagement linked to this one")
def engagement_reengage_view(request, uid: str, payload: ReengageIn | None = None):
    previous = load(request, Engagement.objects.select_related("client", "coach"), uid)
    started_on = payload.started_on if payload is not None else None
    engagement = engagement_reengage(previous=previous, by=request.user, started_on=started_on)
    return created(load(request, engagements_queryset(), engagement.uid))


# Agreements


def agreements_queryset():
    return Agreement.objects.select_related("engagement", "primary_focus").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("position", "pk"))
    )


@router.get("/engagements/{uid}/agreements", tags=["agreements"], response=list[AgreementOut],
            summary="All versions of the engagement's agreement, newest first")
@paginate
def agreement_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return agreements_queryset().filter(engagement=engagement).order_by("-version")


@router.post("/engagements/{uid}/agreements", tags=["agreements"], response={201: AgreementOut, 422: ErrorsOut},
             summary="Write the first version, or renegotiate (a new version)")
def agreement_add(request, uid: str, payload: AgreementIn):
    coach = api_coach(request)
    engagement = load(request, Engagement.objects.select_related("client"), uid)
    terms = payload.dict(exclude_unset=True, exclude={"goals", "renegotiation_reason"})
    # Wording left out keeps the model's standard text rather than becoming empty.
    terms = {name: value for name, value in terms.items() if value is not None or name == "fee_amount"}
    current = engagement.agreements.order_by("-version").first()
    # What the client agreed about reminders and lapses stands until it is renegotiated too; a
    # first version starts from the practice's terms, as the page's form does.
    base = ({name: getattr(current, name) for name in (*REMINDER_TERMS, *LAPSE_PLAN)} if current is not None
            else engagement.client.practice.agreement_defaults())
    terms = {**base, **terms}
    terms["primary_focus"] = focus_areas_by_slug(coach, [payload.primary_focus], "primary_focus")[0]
    agreement = agreement_create(
        engagement=engagement, by=request.user, renegotiation_reason=payload.renegotiation_reason,
        goals=[goal.dict() for goal in payload.goals], **terms,
    )
    return created(load(request, agreements_queryset(), agreement.uid))


@router.post("/agreements/{uid}/acknowledgement", tags=["agreements"], response={200: AgreementOut, 422: ErrorsOut},
             summary="Record the client's acknowledgement of this version (typed name)")
def agreement_acknowledge_view(request, uid: str, payload: AcknowledgementIn):
    agreement = load(request, Agreement, uid)
    agreement_acknowledge(agreement=agreement, typed_name=payload.typed_name, by=request.user)
    return load(request, agreements_queryset(), uid)


# Planned breaks


def breaks_queryset():
    return PlannedBreak.objects.select_related("engagement").prefetch_related("waived_commitments")


@router.get("/engagements/{uid}/planned-breaks", tags=["planned breaks"], response=list[PlannedBreakOut],
            summary="The engagement's planned breaks, cancelled ones included, latest first")
@paginate
def planned_break_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return breaks_queryset().filter(engagement=engagement).order_by("-starts_on", "-pk")


@router.post("/engagements/{uid}/planned-breaks", tags=["planned breaks"],
             response={201: PlannedBreakOut, 422: ErrorsOut},
             summary="Record a planned break: open commitments due in it are waived with the break as reason")
def planned_break_add(request, uid: str, payload: PlannedBreakIn):
    api_coach(request)
    engagement = load(request, Engagement.objects.select_related("client"), uid)
    brk = planned_break_record(engagement=engagement, by=request.user, **payload.dict())
    return created(load(request, breaks_queryset(), brk.uid))


@router.post("/planned-breaks/{uid}/cancellation", tags=["planned breaks"],
             response={200: PlannedBreakOut, 422: ErrorsOut},
             summary="Cancel a planned break: what it waived and no meeting reviewed is open again")
def planned_break_cancel_view(request, uid: str):
    brk = load(request, PlannedBreak.objects.select_related("engagement__client"), uid)
    planned_break_cancel(planned_break=brk, by=request.user)
    return load(request, breaks_queryset(), uid)


# History


def _model(object_type):
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    return model if issubclass(model, TrackedModel) else None


def _references(model, snapshot):
    """(field name, related model, [pks]) for each reference inside a snapshot."""
    for name, value in (snapshot or {}).items():
        try:
            field = model._meta.get_field(name)
        except Exception:  # a field since removed: show the value as it was
            continue
        if not field.is_relation or value is None:
            continue
        pks = value if isinstance(value, list) else [value]
        yield name, field.related_model, pks


def _public_ids(events):
    """Map row numbers inside snapshots to uids (focus areas to slugs), one query per model."""
    wanted = defaultdict(set)
    for event in events:
        model = _model(event.object_type)
        if model is None:
            continue
        for snapshot in (event.before, event.after):
            for _, related, pks in _references(model, snapshot):
                wanted[related].update(pks)
    names = {}
    for related, pks in wanted.items():
        if related is FocusArea:
            names[related] = dict(FocusArea.objects.filter(pk__in=pks).order_by().values_list("pk", "slug"))
        elif issubclass(related, TrackedModel):
            names[related] = {pk: str(uid) for pk, uid in
                              related._default_manager.filter(pk__in=pks).order_by().values_list("pk", "uid")}
        elif related is get_user_model():
            names[related] = dict(related._default_manager.filter(pk__in=pks)
                                  .values_list("pk", related.USERNAME_FIELD))
    return names


def _translated(event, names):
    model = _model(event.object_type)
    if model is None:
        return event.before, event.after

    def translate(snapshot):
        if snapshot is None:
            return None
        out = dict(snapshot)
        for name, related, pks in _references(model, snapshot):
            mapped = [names.get(related, {}).get(pk) for pk in pks]
            out[name] = mapped if isinstance(snapshot[name], list) else mapped[0]
        return out

    return translate(event.before), translate(event.after)


@router.get("/clients/{uid}/history", tags=["history"], response=list[EventOut],
            summary="The client's event log, newest first, as far as you may see it")
@paginate
def client_history(request, uid: str):
    client = load(request, Client, uid)
    return EventPage(visible_history(client, user=request.user))


class EventPage:
    """The history as the paginator sees it: its length from the seqs, and only the page it
    slices out read, opened and translated."""

    def __init__(self, seqs):
        self.seqs = seqs

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, page):
        events = events_by_seq(self.seqs[page])
        names = _public_ids(events)
        rows = []
        for event in events:
            before, after = _translated(event, names)
            rows.append({
                "seq": event.seq, "at": event.at, "actor": event.actor_label,
                "action": event.action, "object_type": event.object_type,
                "object_uid": event.object_uid, "before": before, "after": after,
                "hash": event.hash,
            })
        return rows
