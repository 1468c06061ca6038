"""Referring a client to an associate outside the practice: consent first, then the letter."""

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef

from followthrough.clients.models import Engagement
from followthrough.clients.services import engagement_move
from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.practice.models import ExternalAssociate
from followthrough.protocol.models import Referral
from followthrough.ui import mail

from .models import ExternalReferral


def external_candidates(*, engagement, focus_area):
    """The practice's listed outside associates, those with the focus first, then those
    accepting referrals; one query."""
    listed = (ExternalAssociate.objects.filter(practice_id=engagement.client.practice_id, is_active=True)
              .annotate(specialty_match=Exists(ExternalAssociate.specialties.through.objects.filter(
                  externalassociate_id=OuterRef("pk"), focusarea_id=focus_area.pk)))
              .prefetch_related("specialties"))
    return sorted(listed, key=lambda a: (not a.specialty_match, not a.accepts_referrals, a.name))


def _check(engagement, associate, focus_area, consent_note, shares):
    engagement.require_active("a referral")
    practice_id = engagement.client.practice_id
    if associate.practice_id != practice_id or not associate.is_active:
        raise ValidationError({"associate": "Choose an associate listed in your practice's directory."})
    if not associate.accepts_referrals:
        raise ValidationError({"associate": f"{associate} does not accept referrals at the moment."})
    if focus_area.practice_id != practice_id:
        raise ValidationError({"focus_area": "Choose a focus area of this practice."})
    # The letter names the client: nothing goes out without their consent on record.
    if not any(shares):
        raise ValidationError({"shares_agreement": "Choose at least one part of the file the client agrees "
                                                   "to share."})
    if not (consent_note or "").strip():
        raise ValidationError({"consent_note": "Note how the client gave consent (e.g. in the meeting of 3 May)."})
    under_way = [Referral.Status.OFFERED, Referral.Status.ACCEPTED]
    if engagement.referrals_out.filter(status__in=under_way).exists():
        raise ValidationError("This client already has a referral under way.")


@transaction.atomic
def external_referral_create(*, engagement, associate, focus_area, by, consent_note, message="",
                             shares_agreement=False, shares_summaries=False, shares_commitments=False):
    """Refer the client out of the practice: the engagement waits as referred out (closing
    what is open, as any move does) and the letter goes to the associate once committed."""
    lock(engagement)
    shares = (shares_agreement, shares_summaries, shares_commitments)
    _check(engagement, associate, focus_area, consent_note, shares)
    referral = tracked_create(ExternalReferral(
        engagement=engagement, associate=associate, focus_area=focus_area, message=(message or "").strip(),
        consent_at=clock.now(), consent_note=consent_note.strip(), shares_agreement=bool(shares_agreement),
        shares_summaries=bool(shares_summaries), shares_commitments=bool(shares_commitments),
        letter_to=associate.email, by=by,
    ), by=by, action="external_referral.created")
    engagement_move(engagement=engagement, to_state=Engagement.State.REFERRED_OUT, by=by,
                    note=f"Referred to {associate} (outside the practice) for {focus_area.name}.")
    if associate.email:
        transaction.on_commit(lambda: _send_letter(referral, by))
    return referral


def referral_letter(referral):
    engagement = referral.engagement
    coach, client = engagement.coach, engagement.client
    lines = [
        f"Dear {referral.associate.name},", "",
        f"I am {coach.display_name} of {client.practice.name}. With their consent, I would like to refer "
        f"{client.full_name} to you for {referral.focus_area.name.lower()}, which is outside what I can offer them.",
    ]
    if referral.message:
        lines += ["", referral.message]
    lines += ["", f"{client.full_name} has agreed that I share with you: {', '.join(referral.shared_parts())}. "
                  "I will send these once you tell me you can take them on.",
              "", f"You can reach me at {coach.user.email or 'the practice'}.", "", coach.display_name]
    return "\n".join(lines)


def _send_letter(referral, by):
    message = EmailMessage(f"A referral from {referral.engagement.coach.display_name}", referral_letter(referral),
                           to=[referral.letter_to],
                           reply_to=[referral.engagement.coach.user.email] if referral.engagement.coach.user.email
                           else None)
    mail.send(message)
    with transaction.atomic():
        tracked_update(referral, by=by, action="external_referral.letter_sent",
                       changes={"letter_sent_at": clock.now()})
