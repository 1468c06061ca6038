"""Sign-in sessions: what each one owes and when it was last used, and ending them all."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from followthrough.history import clock
from followthrough.history.services import tracked_update

from . import two_factor
from .models import SignedInSession
from .throttle import client_ip

SESSION_SEEN = "ft_seen"


def idle_minutes(state):
    # Read per request, not kept in the session, so a changed setting applies to every sign-in.
    if state == two_factor.CLIENT:
        return settings.FT_PORTAL_SESSION_IDLE_MINUTES
    return settings.FT_SESSION_IDLE_MINUTES


def remember(request, user):
    """Note the session under its (new) key, so it can be ended from another device."""
    key = request.session.session_key
    if key is None:
        request.session.save()
        key = request.session.session_key
    SignedInSession.objects.update_or_create(session_key=key, defaults={
        "user": user, "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    })


def rotate(request, user):
    """A new session key once the second factor is proven, so a key seen before it is no use."""
    old = request.session.session_key
    request.session.cycle_key()
    SignedInSession.objects.filter(session_key=old).delete()
    remember(request, user)


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    # Django's login() has already given the session a new key (rotation on sign-in).
    if request is None or not hasattr(request, "session"):
        return
    state = two_factor.state_for(user)
    two_factor.mark(request, state)
    request.session[SESSION_SEEN] = clock.now().timestamp()
    remember(request, user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        SignedInSession.objects.filter(session_key=request.session.session_key).delete()


@transaction.atomic
def log_out_everywhere(request):
    """End every session of the signed-in person, this one included."""
    user = request.user
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in SignedInSession.objects.filter(user=user).values_list("session_key", flat=True):
        store(session_key=key).delete()
    SignedInSession.objects.filter(user=user).delete()
    tracked_update(two_factor._security(user), by=user, action="account.signed_out_everywhere",
                   changes={"signed_out_everywhere_at": clock.now()})
    logout(request)
