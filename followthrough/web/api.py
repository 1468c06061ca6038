"""API routes that span several apps, as the pages do: deactivating a coach (every open
engagement handed to one colleague, each a recorded move, then the coach shut out, all or
nothing), the coach's to-do and their calendar feed addresses."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from followthrough.calendars.models import CalendarFeed
from followthrough.calendars.services import feed_create, feed_revoke, feed_url
from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_hand_over
from followthrough.practice import services
from followthrough.practice.api import coach_out, practice_admin
from followthrough.practice.models import Coach
from followthrough.practice.schemas import CoachOut
from followthrough.ui.api import ErrorsOut, In, api_coach, created
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


class FeedIn(In):
    label: str = ""


class FeedOut(Schema):
    uid: str
    label: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None = None


class FeedCreatedOut(FeedOut):
    url: str


def _feed_out(feed, **extra):
    return {"uid": str(feed.uid), "label": feed.label, "hint": feed.token_hint, "created_at": feed.created_at,
            "revoked_at": feed.revoked_at, **extra}


@router.get("/calendar-feeds", response=list[FeedOut], tags=["calendar"],
            summary="The asking coach's calendar feed addresses still in use")
def calendar_feeds(request):
    coach = api_coach(request)
    return [_feed_out(f) for f in CalendarFeed.objects.filter(coach=coach, revoked_at=None).order_by("-created_at")]


@router.post("/calendar-feeds", response={201: FeedCreatedOut, 422: ErrorsOut}, tags=["calendar"],
             summary="A new private calendar feed address; `url` is given only in this answer")
def calendar_feed_create(request, payload: FeedIn):
    coach = api_coach(request)
    feed, token = feed_create(by=request.user, coach=coach, label=payload.label)
    return created(_feed_out(feed, url=feed_url(token)))


@router.post("/calendar-feeds/{uid}/revoke", response=FeedOut, tags=["calendar"],
             summary="Turn a calendar feed address off for good")
def calendar_feed_revoke(request, uid: str):
    coach = api_coach(request)
    try:
        feed = CalendarFeed.objects.get(coach=coach, revoked_at=None, uid=uid)
    except (CalendarFeed.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such record") from None
    return _feed_out(feed_revoke(feed=feed, by=request.user))
