"""Reads of the practice's own records."""

from django.core.exceptions import ValidationError

from .models import FocusArea


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
