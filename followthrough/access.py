"""Who may see what: the one place that scopes every query by who is asking.

A coach sees the engagements they hold (a client referred to them arrives as an
engagement of theirs), and so those clients and everything recorded in those
engagements. A client account sees only its own records. Everyone else sees nothing,
and a record one may not see is reported as not found, never as forbidden, so its
existence does not leak.
"""

import zoneinfo

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone


def coach_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    relation = user._meta.get_field("coach")
    if relation.is_cached(user):
        coach = relation.get_cached_value(user)
    else:
        # The practice comes in the same query: every coach page needs its time zone, and
        # the sign-in gate is paid on every request.
        coach = relation.related_model._base_manager.select_related("practice").filter(user=user).first()
        relation.set_cached_value(user, coach)
        if coach is not None:
            relation.field.set_cached_value(coach, user)
    return coach if coach is not None and coach.is_active else None


def acting_coach(request):
    """The coach a request acts for, pages and API alike, or None.

    From here on the request works in the practice's time zone, so "today" and every date
    typed or shown is the practice's whichever door the coach came in by (the
    `time_zone_reset` middleware hands the thread back afterwards).
    """
    coach = coach_of(request.user)
    if coach is not None:
        request.coach = coach
        timezone.activate(zoneinfo.ZoneInfo(coach.practice.timezone))
    return coach


def client_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.client_profile
    except ObjectDoesNotExist:
        return None


class ScopedQuerySet(models.QuerySet):
    # Lookups from the model to the Coach holding its engagement and to the User of its client.
    coach_lookup = "engagement__coach"
    client_user_lookup = "engagement__client__user"

    def visible_to(self, user):
        coach = coach_of(user)
        if coach is not None:
            return self.filter(**{self.coach_lookup: coach})
        if client_of(user) is not None:
            return self.filter(**{self.client_user_lookup: user})
        return self.none()


def get_visible_or_404(model_or_queryset, user, uid):
    """Load one record by its public id, as `user` may see it, or raise Http404."""
    queryset = (
        model_or_queryset if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    try:
        return queryset.visible_to(user).get(uid=uid)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404("No such record") from None
