"""The practice admin's API (and a coach's own profile), with the pages' rules: anyone but
the practice's admin gets the 404 an unknown route gets."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router

from followthrough.ui.api import ErrorsOut, api_coach, created

from . import services
from .invitations import invitation_create, invitation_revoke
from .models import Coach, CoachInvitation, ExternalAssociate, FocusArea
from .schemas import (
    AssociateIn,
    AssociateOut,
    AssociatePatch,
    CoachOut,
    CoachSettingsIn,
    FocusAreaIn,
    FocusAreaOut,
    FocusAreaPatch,
    InvitationIn,
    InvitationOut,
    PracticeIn,
    PracticeOut,
    ProfileIn,
)
from .selectors import focus_areas_by_slug

router = Router(tags=["practice"])


def practice_admin(request):
    coach = api_coach(request)
    if not coach.is_practice_admin:
        raise Http404("No such page")
    return coach


def coach_out(coach):
    return CoachOut(uid=str(coach.uid), display_name=coach.display_name, email=coach.user.email,
                    specialties=[a.slug for a in coach.specialties.all()],
                    accepts_referrals=coach.accepts_referrals, caseload_capacity=coach.caseload_capacity,
                    is_practice_admin=coach.is_practice_admin, is_active=coach.is_active,
                    email_preference=coach.email_preference)


def _changes(coach, payload):
    changes = payload.dict(exclude_unset=True)
    if changes.get("specialties") is not None:
        changes["specialties"] = focus_areas_by_slug(coach, changes["specialties"], field="specialties")
    return changes


@router.get("/practice", response=PracticeOut)
def practice_detail(request):
    return practice_admin(request).practice


@router.patch("/practice", response={200: PracticeOut, 422: ErrorsOut})
def practice_change(request, payload: PracticeIn):
    coach = practice_admin(request)
    return services.practice_update(practice=coach.practice, by=request.user, **payload.dict(exclude_unset=True))


@router.get("/practice/coaches", response=list[CoachOut])
def coach_list(request):
    coach = practice_admin(request)
    return [coach_out(c) for c in coach.practice.coaches.select_related("user").prefetch_related("specialties")]


@router.patch("/practice/coaches/{uid}", response={200: CoachOut, 422: ErrorsOut})
def coach_change(request, uid: str, payload: CoachSettingsIn):
    admin = practice_admin(request)
    coach = get_object_or_404(Coach.objects.select_related("user", "practice"), practice=admin.practice, uid=uid)
    return coach_out(services.coach_settings_update(coach=coach, by=request.user, **_changes(admin, payload)))


@router.get("/profile", response=CoachOut, summary="The asking coach's own profile")
def profile(request):
    return coach_out(api_coach(request))


@router.patch("/profile", response={200: CoachOut, 422: ErrorsOut})
def profile_change(request, payload: ProfileIn):
    coach = api_coach(request)
    return coach_out(services.coach_settings_update(coach=coach, by=request.user, **_changes(coach, payload)))


def _invitation_out(i):
    return InvitationOut(uid=str(i.uid), display_name=i.display_name, email=i.email,
                         is_practice_admin=i.is_practice_admin, expires_at=i.expires_at, status=i.status)


@router.get("/practice/invitations", response=list[InvitationOut])
def invitation_list(request):
    coach = practice_admin(request)
    return [_invitation_out(i) for i in CoachInvitation.objects.filter(practice=coach.practice)]


@router.post("/practice/invitations", response={201: InvitationOut, 422: ErrorsOut},
             summary="Invite a coach by email (a signed link, valid seven days)")
def invitation_add(request, payload: InvitationIn):
    coach = practice_admin(request)
    invitation = invitation_create(practice=coach.practice, by=request.user, **payload.dict())
    return created(_invitation_out(invitation))


@router.post("/practice/invitations/{uid}/revoke", response={200: InvitationOut, 422: ErrorsOut})
def invitation_revoke_api(request, uid: str):
    coach = practice_admin(request)
    invitation = get_object_or_404(CoachInvitation, practice=coach.practice, uid=uid)
    return _invitation_out(invitation_revoke(invitation=invitation, by=request.user))


@router.get("/practice/focus-areas", response=list[FocusAreaOut])
def focus_area_list(request):
    return list(practice_admin(request).practice.focus_areas.all())


@router.post("/practice/focus-areas", response={201: FocusAreaOut, 422: ErrorsOut})
def focus_area_add(request, payload: FocusAreaIn):
    coach = practice_admin(request)
    return created(services.focus_area_create(practice=coach.practice, by=request.user, name=payload.name))


@router.patch("/practice/focus-areas/{slug}", response={200: FocusAreaOut, 422: ErrorsOut})
def focus_area_change(request, slug: str, payload: FocusAreaPatch):
    coach = practice_admin(request)
    area = get_object_or_404(FocusArea, practice=coach.practice, slug=slug)
    return services.focus_area_update(focus_area=area, by=request.user, **payload.dict(exclude_unset=True))


def _associate_out(a):
    return AssociateOut(uid=str(a.uid), name=a.name, specialties=[s.slug for s in a.specialties.all()],
                        email=a.email, phone=a.phone, website=a.website, notes=a.notes,
                        accepts_referrals=a.accepts_referrals, is_active=a.is_active)


@router.get("/practice/associates", response=list[AssociateOut])
def associate_list(request):
    coach = practice_admin(request)
    listed = ExternalAssociate.objects.filter(practice=coach.practice).prefetch_related("specialties")
    return [_associate_out(a) for a in listed]


@router.post("/practice/associates", response={201: AssociateOut, 422: ErrorsOut},
             summary="List a coach outside the practice in its directory")
def associate_add(request, payload: AssociateIn):
    coach = practice_admin(request)
    associate = services.associate_create(practice=coach.practice, by=request.user, **_changes(coach, payload))
    return created(_associate_out(associate))


@router.patch("/practice/associates/{uid}", response={200: AssociateOut, 422: ErrorsOut})
def associate_change(request, uid: str, payload: AssociatePatch):
    coach = practice_admin(request)
    associate = get_object_or_404(ExternalAssociate, practice=coach.practice, uid=uid)
    return _associate_out(services.associate_update(associate=associate, by=request.user,
                                                    **_changes(coach, payload)))
