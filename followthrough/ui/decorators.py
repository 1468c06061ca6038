"""The gates in front of every page: coaches to theirs, clients to the portal.

Someone signed in as the wrong kind of account is told the page does not exist (404, not
403), so the pages do not even confirm what they are. While the page is built the
asker's time zone is active (the practice's for a coach, the client's own for a client),
so dates typed into forms and shown in pages are their local time.
"""

import functools
import zoneinfo
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from followthrough.access import acting_coach, client_of


def coach_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if acting_coach(request) is None:
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


def client_required(view):
    """Client accounts only; anyone signed out is offered a sign-in link."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal_sign_in')}?{urlencode({'next': request.get_full_path()})}")
        client = client_of(request.user)
        if client is None:
            raise Http404("No such page")
        request.client = client
        timezone.activate(zoneinfo.ZoneInfo(client.timezone))
        return view(request, *args, **kwargs)

    return wrapper
