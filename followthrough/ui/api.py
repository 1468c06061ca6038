"""Small pieces every app's API module shares: the coach asking, loading by uid, and
turning service errors into field-named API errors."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import field_validator

try:
    from ninja import Status
except ImportError:  # ninja before 1.6, still within the supported range
    Status = None

from followthrough.access import acting_coach, get_visible_or_404


def api_coach(request):
    """The coach the request acts for (the same `acting_coach` the pages use), or 404 for
    anyone who is not an active coach: the API does not reveal what exists."""
    coach = acting_coach(request)
    if coach is None:
        raise Http404("No such record")
    return coach


def load(request, model_or_queryset, uid):
    """One record the requesting coach may see, or 404 exactly as for a missing one."""
    api_coach(request)
    return get_visible_or_404(model_or_queryset, request.user, uid)


def errors_of(exc):
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}


def renamed(exc, rename):
    """The same error with its field names translated to the API's names."""
    errors = {}
    for name, messages in errors_of(exc).items():
        errors.setdefault(rename(name), []).extend(messages)
    return ValidationError(errors)


def created(obj):
    """A 201 answer; newer ninja deprecates the bare (status, body) tuple for `Status`."""
    return Status(201, obj) if Status is not None else (201, obj)


def answer(status, body):
    """An answer with another status than the route's first (a 403, a 410)."""
    return Status(status, body) if Status is not None else (status, body)


def uid_of(related):
    return related.uid if related is not None else None


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list) and any(_has_nul(item) for item in value)


class In(Schema):
    """Input: text with a NUL character is refused here, since PostgreSQL cannot store it
    and would otherwise fail the request with a server error."""

    @field_validator("*")
    @classmethod
    def no_nul_characters(cls, value):
        if _has_nul(value):
            raise ValueError("Text cannot contain NUL characters.")
        return value


class ErrorsOut(Schema):
    """422: each field path (e.g. `reviews.0.kept_fraction`, `__all__` for the whole
    request) with its messages; schema errors also keep ninja's `detail` list."""

    errors: dict[str, list[str]]
    detail: list[dict] | None = None


# The most rows one page of a list returns, and the furthest it may start: beyond these a
# request is refused as a 422 naming `limit` or `offset` (a huge offset used to reach the
# database and fail there).
PAGE_LIMIT_MAX = 500
PAGE_OFFSET_MAX = 1_000_000_000


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=PAGE_LIMIT_MAX)
        offset: int = Field(0, ge=0, le=PAGE_OFFSET_MAX)
