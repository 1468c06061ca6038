"""Small pieces every resource module shares: loading by uid, focus areas by slug, and
turning service errors into field-named API errors."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

try:
    from ninja import Status
except ImportError:  # ninja before 1.6, still within the supported range
    Status = None

from followthrough.access import get_visible_or_404
from followthrough.practice.models import FocusArea

from .auth import api_coach


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


def focus_areas_by_slug(coach, slugs, field="focus_areas"):
    """The practice's focus areas for `slugs`, in the order given; unknown slugs are an
    error on `field` that lists the ones the practice has."""
    slugs = list(dict.fromkeys(slugs))
    areas = {a.slug: a for a in FocusArea.objects.filter(practice_id=coach.practice_id, slug__in=slugs)}
    unknown = [s for s in slugs if s not in areas]
    if unknown:
        known = FocusArea.objects.filter(practice_id=coach.practice_id).values_list("slug", flat=True)
        raise ValidationError({field: [
            f"Unknown focus area {', '.join(map(repr, unknown))}; this practice has: {', '.join(known)}."
        ]})
    return [areas[s] for s in slugs]


def created(obj):
    """A 201 answer; newer ninja deprecates the bare (status, body) tuple for `Status`."""
    return Status(201, obj) if Status is not None else (201, obj)
