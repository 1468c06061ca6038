from django.conf import settings
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


def time_zone_reset(get_response):
    """Whatever time zone a request pinned (the acting coach's practice, a client's own),
    the thread serves its next request in the server's again."""

    def middleware(request):
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware


def security_headers(get_response):
    """Headers every page carries that Django does not set itself.

    Pages show clients' records: a shared computer's browser cache, or a proxy's, must
    not keep them, so anything the app renders is `no-store` unless the view chose its
    own caching (calendar feeds, PDFs do). Static files never reach here: WhiteNoise,
    above, answers them with long cache lifetimes.
    """

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            response["Cache-Control"] += ", private"
        return response

    return middleware
