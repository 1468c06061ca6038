"""Sending mail, and holding it back where a caller writes records nobody should be
emailed about (the demo replaying months of coaching to made-up addresses)."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import get_connection

_held_back = ContextVar("followthrough_mail_held_back", default=False)


def connection():
    if _held_back.get():
        return get_connection("django.core.mail.backends.dummy.EmailBackend")
    return get_connection()


def send(message, *, fail_silently=False):
    if message.connection is None:
        message.connection = connection()
    return message.send(fail_silently=fail_silently)


@contextmanager
def held_back():
    """Mail "sent" in the block is recorded as sent by the services but leaves nobody's outbox."""
    token = _held_back.set(True)
    try:
        yield
    finally:
        _held_back.reset(token)
