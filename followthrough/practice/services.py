from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from followthrough.history.services import tracked_create, tracked_update

from .models import AGREEMENT_DEFAULT_FIELDS, DEFAULT_FOCUS_AREAS, Coach, ExternalAssociate, FocusArea, Practice


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


@transaction.atomic
def practice_update(*, practice, by, **changes):
    """The practice's name, time zone, currency and the terms new agreements start from."""
    unknown = set(changes) - {"name", "timezone", *AGREEMENT_DEFAULT_FIELDS}
    if unknown:
        raise ValidationError({name: "This is not a setting of the practice." for name in unknown})
    return tracked_update(practice, by=by, action="practice.updated", changes=changes)


@transaction.atomic
def focus_area_create(*, practice, name, by, slug=""):
    name = (name or "").strip()
    slug = slugify(slug or name)
    if not name or not slug:
        raise ValidationError({"name": "Give the focus area a name."})
    if practice.focus_areas.filter(slug=slug).exists():
        raise ValidationError({"name": f"The practice already has a focus area called {name!r}."})
    position = (practice.focus_areas.aggregate(top=Max("position"))["top"] or 0) + 1
    return tracked_create(FocusArea(practice=practice, slug=slug, name=name, position=position),
                          by=by, action="focus_area.created")


def _check_specialties(practice, specialties):
    if any(area.practice_id != practice.pk for area in specialties):
        raise ValidationError({"specialties": "Specialties must be focus areas of this practice."})


def _check_admins_remain(coach, changes):
    """A practice always keeps one active admin, or nobody could run it from the pages."""
    losing = changes.get("is_practice_admin") is False or changes.get("is_active") is False
    if not (losing and coach.is_practice_admin and coach.is_active):
        return
    others = coach.practice.coaches.filter(is_practice_admin=True, is_active=True).exclude(pk=coach.pk)
    if not others.exists():
        raise ValidationError({"is_practice_admin": "This is the practice's only admin: make another "
                                                    "coach a practice admin first."})


@transaction.atomic
def coach_settings_update(*, coach, by, specialties=None, **changes):
    """What a practice admin sets for a coach (or a coach for themselves): name, specialties,
    referrals, capacity, email preference and role."""
    allowed = {"display_name", "accepts_referrals", "caseload_capacity", "is_practice_admin",
               "email_preference"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in unknown})
    if specialties is not None:
        _check_specialties(coach.practice, specialties)
    _check_admins_remain(coach, changes)
    return coach_update(coach=coach, by=by, specialties=specialties, **changes)


@transaction.atomic
def coach_deactivate(*, coach, by):
    """Shut a coach out. Their engagements must have been handed over first, so no client is
    left with nobody (the hand-over itself is `clients.services.engagement_hand_over`)."""
    coach = Coach.objects.select_for_update().get(pk=coach.pk)
    if not coach.is_active:
        raise ValidationError({"coach": f"{coach.display_name} is already deactivated."})
    if by is not None and getattr(by, "pk", None) == coach.user_id:
        raise ValidationError({"coach": "You cannot deactivate yourself."})
    # The reverse accessor, not an import: clients sits above practice.
    held = coach.engagements.exclude(state="ended").count()
    if held:
        raise ValidationError({"coach": (
            f"{coach.display_name} still holds {held} engagement{'s' if held != 1 else ''}: "
            "hand them to another coach first.")})
    _check_admins_remain(coach, {"is_active": False})
    return coach_update(coach=coach, by=by, is_active=False)


@transaction.atomic
def coach_reactivate(*, coach, by):
    return coach_update(coach=coach, by=by, is_active=True)


ASSOCIATE_FIELDS = ("name", "email", "phone", "website", "notes", "accepts_referrals", "is_active")


def _check_associate(practice, data, specialties):
    if specialties is not None:
        _check_specialties(practice, specialties)
        if not specialties:
            raise ValidationError({"specialties": "Choose at least one specialty, so referrals can match."})
    unknown = set(data) - set(ASSOCIATE_FIELDS)
    if unknown:
        raise ValidationError({name: "This is not a field of an associate." for name in unknown})


@transaction.atomic
def associate_create(*, practice, by, specialties, **data):
    """List a coach outside the practice in its directory of associates."""
    _check_associate(practice, data, list(specialties))
    return tracked_create(ExternalAssociate(practice=practice, **data), by=by,
                          action="external_associate.created", m2m={"specialties": list(specialties)})


@transaction.atomic
def associate_update(*, associate, by, specialties=None, **changes):
    _check_associate(associate.practice, changes, None if specialties is None else list(specialties))
    m2m = {"specialties": list(specialties)} if specialties is not None else None
    return tracked_update(associate, by=by, action="external_associate.updated", changes=changes, m2m=m2m)
