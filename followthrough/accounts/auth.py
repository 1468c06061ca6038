"""Who is calling the API: a coach's personal token, or a signed-in browser session.

The API is for coaches. A signed-in client, or anyone else without a coach behind them,
gets the same 404 an unknown record gets, so the API does not reveal what exists.
"""

from datetime import timedelta

from django.db.models import Q
from ninja.security import HttpBearer, SessionAuth

from followthrough.access import acting_coach
from followthrough.history import clock

from .models import TOKEN_PREFIX, ApiToken, hash_token

# Writing last_used_at on every call would turn each read into a write; once a minute is
# precise enough to tell a coach whether a token is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        # Looking up the hash, never the token, means the raw token is not compared
        # character by character against anything stored, so timing tells nothing.
        found = (ApiToken.objects.live().select_related("coach__user")
                 .filter(token_hash=hash_token(token)).first())
        if found is None or not found.coach.is_active or not found.coach.user.is_active:
            return None
        _touch(found)
        request.user = found.coach.user
        acting_coach(request)
        return found.coach.user


def _touch(token):
    now = clock.now()
    cutoff = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at >= cutoff:
        return
    # Conditional, so two requests in the same minute write once; no history event,
    # because when a token was last used is not part of anyone's record.
    (ApiToken.objects.filter(pk=token.pk)
     .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff))
     .update(last_used_at=now))


class CoachSessionAuth(SessionAuth):
    """A signed-in browser session; ninja then checks the CSRF token on unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            acting_coach(request)
        return user


AUTH = [TokenAuth(), CoachSessionAuth(csrf=True)]
