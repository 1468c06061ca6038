"""Inviting a coach: a practice admin names them, they get a signed link that expires, and
following it they choose a username and password and become a coach of the practice.

The link carries the invitation's uid signed with the secret key and a timestamp, so it
cannot be forged or altered, and stops working after INVITATION_DAYS even if the row were
edited; the row says whether it was accepted or revoked, so a link works once.
"""

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.ui import mail

from .models import INVITATION_DAYS, Coach, CoachInvitation
from .services import coach_create

SALT = "followthrough.practice.coach-invitation"


def invitation_token(invitation):
    return signing.TimestampSigner(salt=SALT).sign(str(invitation.uid))


def invitation_link(invitation):
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


def invitation_from_token(token):
    """The open invitation a link names, or None when the link is forged, expired or used."""
    try:
        uid = signing.TimestampSigner(salt=SALT).unsign(token, max_age=INVITATION_DAYS * 86400)
    except signing.BadSignature:
        return None
    invitation = CoachInvitation.objects.select_related("practice").filter(uid=uid).first()
    if invitation is None or invitation.status != "open":
        return None
    return invitation


@transaction.atomic
def invitation_create(*, practice, email, display_name, is_practice_admin=False, by):
    email = (email or "").strip()
    display_name = (display_name or "").strip()
    if Coach.objects.filter(practice=practice, user__email__iexact=email).exists():
        raise ValidationError({"email": "A coach of this practice already has this email address."})
    if any(i.status == "open" for i in CoachInvitation.objects.filter(practice=practice, email__iexact=email)):
        raise ValidationError({"email": "This address already has an open invitation: revoke it to send "
                                        "a new one."})
    invitation = tracked_create(
        CoachInvitation(practice=practice, email=email, display_name=display_name,
                        is_practice_admin=is_practice_admin, invited_by=by,
                        expires_at=CoachInvitation.default_expiry()),
        by=by, action="coach_invitation.created",
    )
    transaction.on_commit(lambda: _send(invitation))
    return invitation


def _send(invitation):
    body = (
        f"Hello {invitation.display_name},\n\n"
        f"You are invited to join {invitation.practice.name} on Followthrough as a coach.\n"
        f"Follow this link to choose your username and password:\n\n{invitation_link(invitation)}\n\n"
        f"The link works once and expires on {invitation.expires_at:%d %B %Y}.\n"
    )
    mail.send(EmailMessage(f"Join {invitation.practice.name} on Followthrough", body,
                           to=[invitation.email]))


@transaction.atomic
def invitation_revoke(*, invitation, by):
    lock(invitation)
    if invitation.status != "open":
        raise ValidationError({"invitation": f"This invitation is already {invitation.status}."})
    return tracked_update(invitation, by=by, action="coach_invitation.revoked",
                          changes={"revoked_at": clock.now()})


@transaction.atomic
def invitation_accept(*, invitation, username, password):
    """The invited person becomes a coach with the username and password they chose."""
    lock(invitation)
    if invitation.status != "open":
        raise ValidationError({"invitation": "This invitation can no longer be used; ask your practice "
                                             "admin for a new one."})
    user = get_user_model()(username=username, email=invitation.email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    coach = coach_create(practice=invitation.practice, username=username, email=invitation.email,
                         display_name=invitation.display_name, password=password,
                         is_practice_admin=invitation.is_practice_admin, by=None)
    tracked_update(invitation, by=coach.user, action="coach_invitation.accepted",
                   changes={"accepted_at": clock.now(), "coach": coach})
    return coach
