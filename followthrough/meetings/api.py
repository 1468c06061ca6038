"""The API of meetings: an engagement's meetings, planned, held or missed."""

from django.db.models import Prefetch
from ninja import Router
from ninja.pagination import paginate

from followthrough.clients.models import Engagement
from followthrough.practice.models import FocusArea
from followthrough.practice.selectors import focus_areas_by_slug
from followthrough.ui.api import ErrorsOut, api_coach, created, load

from .models import Meeting
from .schemas import MeetingIn, MeetingOut, MeetingPatch
from .selectors import with_next_suggestion
from .services import meeting_create, meeting_update

router = Router(tags=["meetings"])


def meetings_queryset():
    return with_next_suggestion(Meeting.objects.prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.only("id", "slug"))
    ))


@router.get("/engagements/{uid}/meetings", response=list[MeetingOut], summary="Meetings, newest first")
@paginate
def meeting_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return meetings_queryset().filter(engagement=engagement).order_by("-starts_at", "-pk")


@router.post("/engagements/{uid}/meetings", response={201: MeetingOut, 422: ErrorsOut},
             summary="Plan a meeting, or record one that took place")
def meeting_add(request, uid: str, payload: MeetingIn):
    coach = api_coach(request)
    engagement = load(request, Engagement.objects.select_related("client"), uid)
    values = payload.dict()
    values["focus_areas"] = focus_areas_by_slug(coach, values["focus_areas"])
    meeting = meeting_create(engagement=engagement, by=request.user, **values)
    return created(load(request, meetings_queryset(), meeting.uid))


@router.get("/meetings/{uid}", response=MeetingOut)
def meeting_detail(request, uid: str):
    return load(request, meetings_queryset(), uid)


@router.patch("/meetings/{uid}", response={200: MeetingOut, 422: ErrorsOut},
              summary="Record what happened (status, notes, summary, focus areas, paid, place)")
def meeting_change(request, uid: str, payload: MeetingPatch):
    coach = api_coach(request)
    meeting = load(request, Meeting, uid)
    values = payload.dict(exclude_unset=True)
    if "focus_areas" in values:
        values["focus_areas"] = focus_areas_by_slug(coach, values["focus_areas"])
    meeting_update(meeting=meeting, by=request.user, **values)
    return load(request, meetings_queryset(), uid)
