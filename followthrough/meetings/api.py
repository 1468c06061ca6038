"""The API of meetings: an engagement's meetings, planned, held or missed."""

from django.db.models import Prefetch
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from followthrough.clients.models import Engagement
from followthrough.practice.models import FocusArea
from followthrough.practice.selectors import focus_areas_by_slug
from followthrough.ui.api import ErrorsOut, answer, api_coach, created, load

from .checks import check_link_state
from .models import Meeting, MeetingCheck
from .schemas import (
    QUESTIONS,
    MeetingCheckIn,
    MeetingCheckOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    SignedCheckOut,
)
from .selectors import with_next_suggestion
from .services import meeting_check_record, meeting_create, meeting_update

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


# Meeting checks --------------------------------------------------------------------

def checks_queryset():
    return MeetingCheck.objects.select_related("meeting")


@router.get("/engagements/{uid}/checks", response=list[MeetingCheckOut],
            summary="The client's meeting checks, newest meeting first")
@paginate
def check_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return checks_queryset().filter(meeting__engagement=engagement).order_by("-meeting__starts_at", "-pk")


@router.get("/meetings/{uid}/check", response=MeetingCheckOut, summary="The meeting's check, if answered")
def check_of_meeting(request, uid: str):
    meeting = load(request, Meeting, uid)
    check = checks_queryset().filter(meeting=meeting).first()
    if check is None:
        raise Http404("No check answered for this meeting")
    return check


class LinkGone(Schema):
    detail: str


def _signed(token):
    """The meeting of a signed link, or the 404 (forged) / 410 (expired) answer."""
    state, meeting = check_link_state(token)
    if state == "forged":
        return None, answer(404, {"detail": "This link does not work."})
    if state == "expired":
        return None, answer(410, {"detail": "This link has expired; links to a meeting check work for 30 days."})
    return meeting, None


def _signed_out(meeting):
    return {"meeting_starts_at": meeting.starts_at, "coach": meeting.engagement.coach.display_name,
            "questions": QUESTIONS, "answered": MeetingCheck.objects.filter(meeting=meeting).exists()}


@router.get("/checks/{token}", auth=None, response={200: SignedCheckOut, 404: LinkGone, 410: LinkGone},
            summary="A meeting check by its signed link (no sign-in)")
def signed_check_detail(request, token: str):
    meeting, gone = _signed(token)
    return gone if gone else _signed_out(meeting)


@router.post("/checks/{token}", auth=None,
             response={201: SignedCheckOut, 404: LinkGone, 410: LinkGone, 422: ErrorsOut},
             summary="Answer a meeting check by its signed link (no sign-in); once per meeting")
def signed_check_answer(request, token: str, payload: MeetingCheckIn):
    meeting, gone = _signed(token)
    if gone:
        return gone
    meeting_check_record(meeting=meeting, answers=payload.dict(), via=MeetingCheck.Via.EMAIL_LINK,
                         by=meeting.engagement.client.user)
    return created(_signed_out(meeting))
