import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from followthrough.ui.decorators import client_required, coach_required

from .models import CalendarFeed
from .services import feed_body, feed_create, feed_for_token, feed_revoke, feed_url


@require_safe
def feed(request, token):
    """The calendar behind a secret address; no login, the address is the credential."""
    feed = feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar")
    body = feed_body(feed)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="followthrough.ics"'
    response["ETag"] = etag
    # The address is a secret: keep it and the schedule out of shared caches, search
    # engines and the Referer of any link followed from a calendar app.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# The pages where a coach (in their settings) and a client (in their portal) create, copy and
# revoke their own feed addresses, through the same services as `calendarfeed`.

def _feeds_page(request, owner, template):
    context = {"new_url": None, "label": "", "errors": []}
    if request.method == "POST":
        label = request.POST.get("label", "")
        try:
            created, token = feed_create(by=request.user, label=label, **owner)
        except ValidationError as exc:
            context.update(label=label, errors=exc.messages)
        else:
            # Rendered, not redirected: the address exists only in this response.
            context.update(new_url=feed_url(token), created=created)
    context["feeds"] = CalendarFeed.objects.filter(revoked_at=None, **owner).order_by("-created_at")
    return render(request, template, context, status=422 if context["errors"] else 200)


def _revoke(request, owner, uid, back):
    feed = get_object_or_404(CalendarFeed, revoked_at=None, uid=uid, **owner)
    feed_revoke(feed=feed, by=request.user)
    messages.success(request, f"The feed address starting {feed.token_hint}… is revoked: calendars "
                              "polling it get nothing from now on.")
    return redirect(back)


@coach_required
@require_http_methods(["GET", "POST"])
def coach_feeds(request):
    return _feeds_page(request, {"coach": request.coach}, "calendars/coach_feeds.html")


@coach_required
@require_POST
def coach_feed_revoke(request, uid):
    return _revoke(request, {"coach": request.coach}, uid, "calendar_coach_feeds")


@client_required
@require_http_methods(["GET", "POST"])
def client_feeds(request):
    return _feeds_page(request, {"client": request.client}, "calendars/client_feeds.html")


@client_required
@require_POST
def client_feed_revoke(request, uid):
    return _revoke(request, {"client": request.client}, uid, "calendar_client_feeds")
