from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from followthrough.history.services import tracked_create, tracked_update

from .models import DEFAULT_FOCUS_AREAS, Coach, FocusArea, Practice


@transaction.atomic
def practice_create(*, name, timezone="UTC", by=None):
    practice = tracked_create(Practice(name=name, timezone=timezone), by=by, action="practice.created")
    for position, (slug, label) in enumerate(DEFAULT_FOCUS_AREAS):
        tracked_create(
            FocusArea(practice=practice, slug=slug, name=label, position=position),
            by=by, action="focus_area.created",
        )
    return practice


@transaction.atomic
def focus_area_update(*, focus_area, by, **changes):
    return tracked_update(focus_area, by=by, action="focus_area.updated", changes=changes)


@transaction.atomic
def coach_create(*, practice, username, email, display_name, password=None, specialties=(),
                 accepts_referrals=True, caseload_capacity=20, is_practice_admin=False, by=None):
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    foreign = [area for area in specialties if area.practice_id != practice.pk]
    if foreign:
        raise ValidationError({"specialties": "Specialties must be focus areas of this practice."})
    first, _, last = display_name.partition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return tracked_create(
        Coach(
            user=user, practice=practice, display_name=display_name,
            accepts_referrals=accepts_referrals, caseload_capacity=caseload_capacity,
            is_practice_admin=is_practice_admin,
        ),
        by=by, action="coach.created", m2m={"specialties": list(specialties)},
    )


@transaction.atomic
def coach_update(*, coach, by, specialties=None, **changes):
    m2m = {"specialties": list(specialties)} if specialties is not None else None
    return tracked_update(coach, by=by, action="coach.updated", changes=changes, m2m=m2m)
