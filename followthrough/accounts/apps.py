from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: coaches' logins and API tokens, and the single-use links by which
    clients reach their portal."""

    name = "followthrough.accounts"
