from followthrough.access import client_of, coach_of


def persona(request):
    """The signed-in coach (or client), looked up once per request for templates."""
    user = getattr(request, "user", None)
    if not hasattr(request, "_persona"):
        request._persona = {"coach": coach_of(user), "client_profile": client_of(user)}
    return request._persona
