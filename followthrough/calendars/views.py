import hashlib

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from .services import feed_body, feed_for_token


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
