"""Single-use sign-in links that bring a client to their portal."""

import enum
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from followthrough.access import coach_of
from followthrough.clients.models import Client
from followthrough.clients.services import client_link_account
from followthrough.history import clock
from followthrough.history.services import lock
from followthrough.ui import mail

from .models import PortalLink

LINK_SALT = "followthrough.portal.sign-in-link"
DEFAULT_LINK_HOURS = 72
# Self-service requests per client per hour; beyond this the request is silently dropped,
# so the form cannot be used to flood someone's inbox.
DEFAULT_REQUESTS_PER_HOUR = 3


def link_hours():
    return getattr(settings, "FT_PORTAL_LINK_HOURS", DEFAULT_LINK_HOURS)


def _signer():
    return signing.TimestampSigner(salt=LINK_SALT)


def _token_hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def safe_next_path(path):
    """A path on this site, or "": a link must never send anyone to another site."""
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 300:
        return ""
    return path if url_has_allowed_host_and_scheme(path, allowed_hosts=None) else ""


def portal_link_send(*, client, by, next_path="", plan_for=None):
    """Email the client a single-use link that signs them in to their portal.

    The token in the URL is signed, so a made-up or altered one is turned away before
    the database is asked; the database keeps only the token's hash. With `plan_for` (a
    commitment) the email says what the coach asks the client to plan, and the link opens
    that question.
    """
    email = (client.email or "").strip()
    if not email:
        raise ValidationError({"email": f"{client.full_name} has no email address on file; add one first."})
    if client.user_id is not None and not client.user.is_active:
        raise ValidationError("This client's portal account is switched off.")
    raw = secrets.token_urlsafe(32)
    link = PortalLink.objects.create(
        client=client, token_hash=_token_hash(raw), next_path=safe_next_path(next_path), sent_to=email,
        sent_by=by, expires_at=clock.now() + timedelta(hours=link_hours()),
    )
    link.url = settings.SITE_URL + reverse("portal_link", args=[_signer().sign(raw)])
    _send_link_email(client, link, by, plan_for)
    return link


def _send_link_email(client, link, by, plan_for=None):
    sender = coach_of(by)
    context = {
        "first_name": client.greeting_name,
        "plan_for": plan_for,
        "client": client,
        "practice": client.practice,
        "sender": sender.display_name if sender is not None else "",
        "url": link.url,
        "hours": link_hours(),
        "days": link_hours() // 24 if link_hours() % 24 == 0 else None,
        "sign_in_url": settings.SITE_URL + reverse("portal_sign_in"),
    }
    subject = f"Your link to your coaching portal at {client.practice.name}"
    if plan_for is not None:
        who = sender.display_name if sender is not None else "Your coach"
        subject = f"{who} asks you to plan: {plan_for.description[:60]}"
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("accounts/email/link.txt", context), to=[link.sent_to],
    )
    message.attach_alternative(render_to_string("accounts/email/link.html", context), "text/html")
    mail.send(message)


def portal_link_request(*, email, next_path=""):
    """Someone asks for a new link by email address. Returns nothing on purpose: the page
    must look the same whether or not the address belongs to anyone.

    Only clients already invited to the portal (they have an account, or were sent a link)
    can ask, so typing an address never opens a portal the coach has not offered.
    """
    email = (email or "").strip()
    if not email:
        return
    cutoff = clock.now() - timedelta(hours=1)
    limit = getattr(settings, "FT_PORTAL_LINK_REQUESTS_PER_HOUR", DEFAULT_REQUESTS_PER_HOUR)
    invited = Q(user__isnull=False, user__is_active=True) | Q(user__isnull=True, portal_links__isnull=False)
    for client in Client.objects.filter(invited, email__iexact=email).distinct():
        if client.portal_links.filter(created_at__gte=cutoff).count() >= limit:
            continue
        portal_link_send(client=client, by=None, next_path=next_path)


class LinkState(enum.Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    VALID = "valid"


def portal_link_check(signed_token):
    """(state, link) for a token from a URL; the link is None unless the token is genuine."""
    try:
        raw = _signer().unsign(signed_token)
    except signing.BadSignature:
        return LinkState.INVALID, None
    link = PortalLink.objects.select_related("client__user").filter(token_hash=_token_hash(raw)).first()
    if link is None:
        return LinkState.INVALID, None
    user = link.client.user
    if user is not None and not user.is_active:
        return LinkState.INVALID, None
    if link.used_at is not None:
        return LinkState.USED, link
    if link.expires_at <= clock.now():
        return LinkState.EXPIRED, link
    return LinkState.VALID, link


@transaction.atomic
def portal_link_consume(*, link):
    """Use up the link and return the client's login, creating it on first use.

    Returns None when the link was used (or expired) meanwhile: the conditional update
    lets exactly one of two simultaneous clicks through, whatever each saw beforehand.
    """
    now = clock.now()
    won = PortalLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not won:
        return None
    client = lock(Client.objects.get(pk=link.client_id))
    if client.user is None:
        user = _new_client_login(client)
        client_link_account(client=client, user=user, by=user)
        return user
    return client.user if client.user.is_active else None


def _new_client_login(client):
    User = get_user_model()
    fallback = f"client-{client.uid.hex[:12]}"
    username = (client.email or "").strip().lower() or fallback
    if len(username) > 150 or User.objects.filter(username__iexact=username).exists():
        username = fallback
    user = User(username=username, email=client.email, first_name=client.full_name[:150])
    # Signing in is by link until the client chooses a password in the portal.
    user.set_unusable_password()
    user.save()
    return user
