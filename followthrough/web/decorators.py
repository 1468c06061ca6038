"""The gate in front of every coach page."""

import functools
import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from followthrough.access import coach_of


def coach_required(view):
    """Signed-in coaches only; anyone else signed in is told the page does not exist.

    A client account or a deactivated coach gets 404 rather than 403, so the coach pages
    do not even confirm what they are. The practice's time zone is active while the page
    is built, so dates typed into forms and shown in pages are the practice's local time.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        coach = coach_of(request.user)
        if coach is None:
            raise Http404("No such page")
        request.coach = coach
        timezone.activate(zoneinfo.ZoneInfo(coach.practice.timezone))
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper
