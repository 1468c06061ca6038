"""API routes that span several apps, as the pages do: deactivating a coach (every open
engagement handed to one colleague, each a recorded move, then the coach shut out, all or
nothing), the coach's to-do, their calendar feed addresses, and referrals to associates
outside the practice."""

import uuid
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
from followthrough.practice.models import Coach, ExternalAssociate, FocusArea
from followthrough.practice.schemas import CoachOut
from followthrough.ui.api import ErrorsOut, In, api_coach, created, load
from followthrough.web.models import ExternalReferral
from followthrough.web.services import external_referral_create, referral_letter
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


class ExternalReferralIn(In):
    associate: str
    focus_area: str
    consent_note: str = ""
    message: str = ""
    shares_agreement: bool = False
    shares_summaries: bool = False
    shares_commitments: bool = False


class ExternalReferralOut(Schema):
    uid: str
    engagement: str
    associate: str
    associate_name: str
    focus_area: str
    consent_at: datetime
    consent_note: str
    shares: list[str]
    letter_to: str
    letter_sent_at: datetime | None
    letter: str


def _external_out(referral):
    return {"uid": str(referral.uid), "engagement": str(referral.engagement.uid),
            "associate": str(referral.associate.uid), "associate_name": referral.associate.name,
            "focus_area": referral.focus_area.slug, "consent_at": referral.consent_at,
            "consent_note": referral.consent_note, "shares": referral.shared_parts(),
            "letter_to": referral.letter_to, "letter_sent_at": referral.letter_sent_at,
            "letter": referral_letter(referral)}


EXTERNAL = ExternalReferral.objects.select_related("engagement__client__practice", "engagement__coach__user",
                                                   "associate", "focus_area")


@router.get("/engagements/{uid}/external-referrals", response=list[ExternalReferralOut], tags=["protocol"],
            summary="An engagement's referrals to associates outside the practice, each with its letter")
def external_referral_list(request, uid: str):
    engagement = load(request, Engagement, uid)
    return [_external_out(r) for r in EXTERNAL.visible_to(request.user).filter(engagement=engagement)]


@router.post("/engagements/{uid}/external-referrals", response={201: ExternalReferralOut, 422: ErrorsOut},
             tags=["protocol"],
             summary="Refer the client to an associate of the practice's directory, with their consent")
def external_referral_create_api(request, uid: str, payload: ExternalReferralIn):
    engagement = load(request, Engagement.objects.select_related("client__practice", "coach__user"), uid)
    practice_id = engagement.client.practice_id
    associate = ExternalAssociate.objects.filter(practice_id=practice_id, uid=_uuid_or_none(payload.associate)).first()
    if associate is None:
        raise ValidationError({"associate": "Choose an associate listed in your practice's directory."})
    focus = FocusArea.objects.filter(practice_id=practice_id, slug=payload.focus_area, is_active=True).first()
    if focus is None:
        raise ValidationError({"focus_area": "Choose a focus area of this practice."})
    referral = external_referral_create(
        engagement=engagement, associate=associate, focus_area=focus, by=request.user,
        consent_note=payload.consent_note, message=payload.message, shares_agreement=payload.shares_agreement,
        shares_summaries=payload.shares_summaries, shares_commitments=payload.shares_commitments)
    return created(_external_out(EXTERNAL.get(pk=referral.pk)))


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
