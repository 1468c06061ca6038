from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: coaches' logins, second factor and API tokens, sessions, throttling, and
    the single-use links by which clients reach their portal."""

    name = "followthrough.accounts"

    def ready(self):
        from . import sessions, throttle  # noqa: F401 - their signal receivers
