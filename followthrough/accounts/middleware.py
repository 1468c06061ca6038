"""Every signed-in request: end it when idle too long, and hold it at the second factor."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from followthrough.history import clock

from . import two_factor
from .sessions import SESSION_SEEN, idle_minutes

# Writing the session on every request would turn each page view into a write; a minute
# is precise enough for a limit counted in tens of minutes.
SEEN_RESOLUTION = 60
# How often a session that owes no second factor asks again whether its practice now requires one.
RECHECK_SECONDS = 300
# What a session that still owes its second factor may open.
FINISHING = ("login_verify", "two_factor", "logout")


def session_guard(get_response):
    def middleware(request):
        if "_auth_user_id" not in request.session:
            return get_response(request)
        now = clock.now().timestamp()
        if _idle_too_long(request, now):
            return _signed_out_for_idleness(request)
        state = _state(request, now)
        if state in (two_factor.PENDING, two_factor.SETUP) and not _finishing(request):
            return _finish_signing_in(request, state)
        return get_response(request)

    return middleware


def _idle_too_long(request, now):
    session = request.session
    seen = session.get(SESSION_SEEN)
    limit = idle_minutes(session.get(two_factor.SESSION_STATE))
    if seen is not None and now - seen > limit * 60:
        return True
    if seen is None or now - seen > SEEN_RESOLUTION:
        session[SESSION_SEEN] = now
    return False


def _signed_out_for_idleness(request):
    state = two_factor.session_state(request)
    minutes = idle_minutes(state)
    logout(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Your session ended after a time without activity; sign in again."},
                            status=401)
    messages.info(request, f"You were signed out after {minutes} minutes without activity. Sign in again to go on.")
    target = reverse("portal_sign_in") if state == two_factor.CLIENT else reverse("login")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def _state(request, now):
    state = two_factor.session_state(request)
    checked = request.session.get(two_factor.SESSION_CHECKED) or 0
    if state is None:
        state = two_factor.state_for(request.user)
        two_factor.mark(request, state)
    elif state == two_factor.OPEN and now - checked > RECHECK_SECONDS:
        state = two_factor.SETUP if two_factor.requirement_applies(request.user) else two_factor.OPEN
        two_factor.mark(request, state)
    return state


def _finishing(request):
    paths = {reverse(name) for name in FINISHING}
    return request.path_info in paths or request.path_info.startswith("/static/")


def _finish_signing_in(request, state):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Finish signing in with your second factor first."}, status=401)
    target = reverse("login_verify") if state == two_factor.PENDING else reverse("two_factor")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
