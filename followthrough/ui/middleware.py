from django.utils import timezone


def time_zone_reset(get_response):
    """Whatever time zone a request pinned (the acting coach's practice, a client's own),
    the thread serves its next request in the server's again."""

    def middleware(request):
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware
