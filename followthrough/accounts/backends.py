"""How a signed-in request finds its account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# Its dotted path, for the sign-ins that log a user in without a password (a portal link,
# an accepted invitation); settings.AUTHENTICATION_BACKENDS names it the same way.
ACCOUNT_BACKEND = "followthrough.accounts.backends.AccountBackend"


class AccountBackend(ModelBackend):
    """Django's password backend, reading a request's user with their coach and the coach's
    practice in one query: every coach page needs the practice's time zone, and the sign-in
    gate is paid on every request (`access.coach_of` then finds the coach already there)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("coach__practice")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
