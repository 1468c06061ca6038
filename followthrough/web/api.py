"""API routes that span several apps, as the pages do: deactivating a coach (every open
engagement handed to one colleague, each a recorded move, then the coach shut out, all or
nothing) and the coach's to-do."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_hand_over
from followthrough.practice import services
from followthrough.practice.api import coach_out, practice_admin
from followthrough.practice.models import Coach
from followthrough.practice.schemas import CoachOut
from followthrough.ui.api import ErrorsOut, In, api_coach
from followthrough.web.todo import KINDS, coach_todo

router = Router(tags=["practice"])


class DeactivateIn(In):
    to_coach: str | None = None
    note: str = ""


@router.post("/practice/coaches/{uid}/deactivate", response={200: CoachOut, 422: ErrorsOut},
             summary="Hand a coach's open engagements to `to_coach`, then deactivate them")
def coach_deactivate(request, uid: str, payload: DeactivateIn):
    admin = practice_admin(request)
    coach = get_object_or_404(Coach.objects.select_related("user", "practice"), practice=admin.practice, uid=uid)
    held = Engagement.objects.filter(coach=coach).exclude(state=Engagement.State.ENDED)
    with transaction.atomic():
        if payload.to_coach:
            to_coach = Coach.objects.filter(practice=admin.practice, uid=payload.to_coach).first()
            if to_coach is None:
                raise ValidationError({"to_coach": "Choose an active coach of this practice."})
            for engagement in held:
                engagement_hand_over(engagement=engagement, to_coach=to_coach, by=request.user, note=payload.note)
        services.coach_deactivate(coach=coach, by=request.user)
    coach.refresh_from_db()
    return coach_out(coach)


class TodoItemOut(Schema):
    kind: str
    label: str
    since: date
    client_uid: str
    client_name: str
    text: str
    url: str
    record_uid: str


class TodoOut(Schema):
    items: list[TodoItemOut]
    more: bool


TODO_API_LIMIT = 200


@router.get("/todo", response=TodoOut, tags=["caseload"],
            summary="What is waiting on the asking coach, oldest first (the caseload's to-do)",
            description="Kinds: " + "; ".join(f"`{k}` {v.lower()}" for k, v in KINDS.items())
            + f". At most {TODO_API_LIMIT} of each kind; `more` says some kind had more.")
def todo(request):
    coach = api_coach(request)
    listed = coach_todo(coach, request.user, limit=TODO_API_LIMIT)
    return {"items": [dict(vars(item), label=item.label) for item in listed.items], "more": listed.more}
