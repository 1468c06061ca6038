"""Password rules beyond Django's own: length does the work, composition rules do not."""

import re

from django.core.exceptions import ValidationError

# Words a guesser tries first against a coaching practice's app.
CONTEXT_WORDS = {"followthrough", "coaching", "coach", "coaches", "portal", "password", "client", "practice"}


class ContextWordsValidator:
    """Refuses a word about the app with digits or symbols stuck on ("coaching1", "Coach2024!")."""

    def validate(self, password, user=None):
        letters = re.sub(r"[^a-z]", "", password.lower())
        if letters in CONTEXT_WORDS:
            raise ValidationError(
                "This password is too easy to guess: it is a word about coaching or this app with "
                "a few characters added. Choose a phrase of several words instead.",
                code="password_context_word",
            )

    def get_help_text(self):
        return "Not a word about coaching or this app with a few characters added."
