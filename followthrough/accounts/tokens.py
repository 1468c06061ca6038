"""Creating and revoking personal API tokens; each change goes into the event log."""

from django.core.exceptions import ValidationError
from django.db import transaction

from followthrough.history import clock
from followthrough.history.services import tracked_create, tracked_update

from .models import ApiToken, hash_token

# Enough of the token to tell two apart in a list, far too little to guess the rest.
HINT_LENGTH = 9


@transaction.atomic
def api_token_create(*, coach, name, by):
    """Make a token for `coach`; returns (token, raw). Only the hash is kept, so the raw
    token must be shown to the coach now: it cannot be recovered later."""
    if not coach.is_active:
        raise ValidationError({"coach": "An inactive coach cannot have API tokens."})
    raw = ApiToken.generate()
    token = ApiToken(coach=coach, name=(name or "").strip(), token_hash=hash_token(raw),
                     hint=raw[:HINT_LENGTH])
    tracked_create(token, by=by, action="api_token.created")
    return token, raw


@transaction.atomic
def api_token_revoke(*, token, by):
    """Revoke a token for good; a revoked token is never accepted again."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError("This token was already revoked.")
    return tracked_update(token, by=by, action="api_token.revoked",
                          changes={"revoked_at": clock.now()})
