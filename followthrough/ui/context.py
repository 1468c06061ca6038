from followthrough.access import client_of, coach_of


def persona(request):
    """The signed-in coach (or client), looked up once per request for templates."""
    user = getattr(request, "user", None)
    if not hasattr(request, "_persona"):
        coach = coach_of(user)
        # A coach's pages never show a client profile: skip its query for them.
        request._persona = {"coach": coach, "client_profile": client_of(user) if coach is None else None}
    return request._persona
