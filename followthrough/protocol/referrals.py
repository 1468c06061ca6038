"""Referring a client to an associate, with the client's consent and a way back."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_end, engagement_move, engagement_start
from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.practice.models import Coach
from followthrough.ui import mail

from .models import Intervention, Notification, Referral, Step
from .services import _record_step, intervention_close


def referral_candidates(*, engagement, focus_area):
    """Associates for this focus, best fit first: specialty match, accepting referrals, free capacity.

    Returns coaches annotated with `specialty_match`, `active_count` and `free_capacity`; one query.
    """
    active = Count("engagements", filter=Q(engagements__state=Engagement.State.ACTIVE), distinct=True)
    coaches = (
        Coach.objects.filter(practice_id=engagement.coach.practice_id, is_active=True)
        .exclude(pk=engagement.coach_id)
        .annotate(specialty_match=Exists(Coach.specialties.through.objects.filter(
            coach_id=OuterRef("pk"), focusarea_id=focus_area.pk)))
        .annotate(active_count=active)
        .prefetch_related("specialties")
    )
    ranked = sorted(
        coaches,
        key=lambda c: (not c.specialty_match, not c.accepts_referrals,
                       -(c.caseload_capacity - c.active_count), c.display_name),
    )
    for coach in ranked:
        coach.free_capacity = max(0, coach.caseload_capacity - coach.active_count)
    return ranked


def _notify(coach, text, link):
    Notification.objects.create(coach=coach, text=text[:300], link=link)
    if coach.user.email:
        send_mail(f"Followthrough: {text[:120]}", f"{text}\n\n{settings.SITE_URL}{link}\n",
                  settings.DEFAULT_FROM_EMAIL, [coach.user.email], fail_silently=True,
                  connection=mail.connection())


@transaction.atomic
def referral_offer(*, engagement, by, to_coach, focus_area, message="", intervention=None, note=""):
    lock(engagement)
    engagement.require_active("a referral")
    if to_coach.pk == engagement.coach_id or to_coach.practice_id != engagement.coach.practice_id:
        raise ValidationError({"to_coach": "Choose an associate of your practice."})
    if not to_coach.is_active:
        raise ValidationError({"to_coach": f"{to_coach} is not taking clients."})
    if not to_coach.accepts_referrals:
        raise ValidationError({"to_coach": f"{to_coach} does not accept referrals at the moment."})
    if engagement.referrals_out.filter(status__in=[Referral.Status.OFFERED, Referral.Status.ACCEPTED]).exists():
        raise ValidationError("This client already has a referral under way.")
    if intervention is not None and intervention.is_open:
        _record_step(intervention, Step.REFER, by=by, note=note,
                     details={"choice": "refer", "to_coach": str(to_coach.uid), "focus_area": focus_area.slug})
    referral = tracked_create(
        Referral(intervention=intervention, from_engagement=engagement, to_coach=to_coach,
                 focus_area=focus_area, message=(message or "").strip()),
        by=by, action="referral.offered",
    )
    _notify(to_coach, f"{engagement.coach} would like to refer a client to you ({focus_area.name}).",
            f"/referrals/{referral.uid}/")
    return referral


@transaction.atomic
def referral_record_consent(*, referral, by, shares_agreement, shares_summaries, shares_commitments,
                            consent_note):
    """The client's consent, as the referring coach records it; nothing is shared before it."""
    lock(referral)
    if referral.status in (Referral.Status.DECLINED, Referral.Status.COMPLETED):
        raise ValidationError("This referral is closed.")
    if not (shares_agreement or shares_summaries or shares_commitments):
        raise ValidationError({"shares_agreement": "Choose at least one part of the file the client agrees to share."})
    if not (consent_note or "").strip():
        raise ValidationError({"consent_note": "Note how the client gave consent (e.g. in the meeting of 3 May)."})
    return tracked_update(referral, by=by, action="referral.consent_recorded", changes={
        "consent_at": clock.now(), "consent_note": consent_note.strip(),
        "shares_agreement": bool(shares_agreement), "shares_summaries": bool(shares_summaries),
        "shares_commitments": bool(shares_commitments),
    })


@transaction.atomic
def referral_accept(*, referral, by):
    """The associate takes the client on: a new engagement of theirs, and the original waits."""
    lock(referral)
    referral.check_move(Referral.Status.ACCEPTED)
    original = referral.from_engagement
    associate_engagement = engagement_start(client=original.client, coach=referral.to_coach, by=by)
    engagement_move(engagement=original, to_state=Engagement.State.REFERRED_OUT, by=by,
                    note=f"Referred to {referral.to_coach} for {referral.focus_area.name}.")
    tracked_update(referral, by=by, action="referral.accepted", changes={
        "status": Referral.Status.ACCEPTED, "responded_at": clock.now(),
        "associate_engagement": associate_engagement,
    })
    intervention = referral.intervention
    if intervention is not None:
        intervention.refresh_from_db()  # the move above closes it when it was the engagement's open one
        if intervention.is_open:
            intervention_close(intervention=intervention, by=by, outcome=Intervention.Outcome.REFERRED)
    _notify(original.coach, f"{referral.to_coach} accepted the referral of {original.client}.",
            f"/clients/{original.client.uid}/")
    return referral


@transaction.atomic
def referral_decline(*, referral, by, note=""):
    lock(referral)
    referral.check_move(Referral.Status.DECLINED)
    tracked_update(referral, by=by, action="referral.declined", changes={
        "status": Referral.Status.DECLINED, "responded_at": clock.now(),
        "completion_note": (note or "").strip(),
    })
    original = referral.from_engagement
    _notify(original.coach, f"{referral.to_coach} declined the referral of {original.client}.",
            f"/clients/{original.client.uid}/")
    return referral


@transaction.atomic
def referral_complete(*, referral, by, note=""):
    """The associate's work is done: their engagement ends and the original coach is told the
    client may come back. The original engagement waits as referred out until the coach
    resumes it (referred out → active) when the client is ready."""
    lock(referral)
    referral.check_move(Referral.Status.COMPLETED)
    if referral.associate_engagement.state != Engagement.State.ENDED:
        engagement_end(engagement=referral.associate_engagement, by=by, note="Referral completed.")
    tracked_update(referral, by=by, action="referral.completed", changes={
        "status": Referral.Status.COMPLETED, "completed_at": clock.now(), "completion_note": (note or "").strip(),
    })
    original = referral.from_engagement
    _notify(original.coach,
            f"{referral.to_coach} has completed their work with {original.client}; the client may come back to you.",
            f"/clients/{original.client.uid}/")
    return referral
