import functools
import zoneinfo
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from followthrough.access import client_of, coach_of


def client_required(view):
    """Client accounts only. Anyone signed out is offered a sign-in link; a coach or any
    other account is told the page does not exist, as elsewhere in the app.

    The client's own time zone is active while the page is built, so the times they type
    and read are their local times.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal_sign_in')}?{urlencode({'next': request.get_full_path()})}")
        client = client_of(request.user)
        if client is None:
            raise Http404("No such page")
        request.client = client
        timezone.activate(zoneinfo.ZoneInfo(client.timezone))
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def coach_only(view):
    """The coach-side actions the portal offers (send a link, ask for a plan)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if coach_of(request.user) is None:
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper
