import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from followthrough.history import clock
from followthrough.history.models import TrackedModel

DEFAULT_FOCUS_AREAS = [
    ("business", "Business"),
    ("career", "Career"),
    ("relationships", "Relationships"),
    ("health", "Health and wellbeing"),
    ("finances", "Finances"),
    ("leadership", "Leadership"),
    ("life-transitions", "Life transitions"),
    ("personal-growth", "Personal growth"),
]


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/London")


class Practice(TrackedModel):
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])

    history_fields = ("name", "timezone")

    def __str__(self):
        return self.name

    def today(self):
        """The practice's day: what "today" means for every rule a coach works under."""
        return clock.today(self.timezone)


class FocusArea(TrackedModel):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="focus_areas")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history_fields = ("practice", "slug", "name", "position", "is_active")

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "slug"], name="focus_area_unique_slug"),
        ]

    def __str__(self):
        return self.name


class CoachQuerySet(models.QuerySet):
    def accepting_referrals(self):
        return self.filter(is_active=True, accepts_referrals=True)


class Coach(TrackedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coach")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="coaches")
    display_name = models.CharField(max_length=200)
    specialties = models.ManyToManyField(FocusArea, blank=True, related_name="specialists")
    accepts_referrals = models.BooleanField(default=True)
    caseload_capacity = models.PositiveSmallIntegerField(
        default=20, help_text="How many active engagements this coach can hold."
    )
    is_practice_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects = CoachQuerySet.as_manager()

    history_fields = (
        "user", "practice", "display_name", "accepts_referrals", "caseload_capacity",
        "is_practice_admin", "is_active",
    )
    history_m2m = ("specialties",)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name
