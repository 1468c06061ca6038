"""Deactivating a coach through the API, as the page does: every open engagement handed to
one colleague (each a recorded move), then the coach shut out, all or nothing. It lives
here because it spans the practice and its clients."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router

from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_hand_over
from followthrough.practice import services
from followthrough.practice.api import coach_out, practice_admin
from followthrough.practice.models import Coach
from followthrough.practice.schemas import CoachOut
from followthrough.ui.api import ErrorsOut, In

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
