import re
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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


def validate_currency(value):
    if not re.fullmatch(r"[A-Z]{3}", value or ""):
        raise ValidationError(f"{value!r} is not a three-letter currency code such as EUR or GBP")


# The lapse plan's choices (an agreement's terms); here, below the agreement, because a
# practice sets the choices its new agreements start from.
class LapseReminders(models.TextChoices):
    QUIET = "quiet", "Quiet: a gentle word, no more"
    NORMAL = "normal", "Normal: the reminders as agreed"
    FIRM = "firm", "Firm: say it plainly and follow up"


class LapseContact(models.TextChoices):
    NEXT_MEETING = "next_meeting", "Talk about it at the next meeting"
    REACH_OUT = "reach_out", "Reach out to me in between"


# The terms a new agreement starts from; blank wording means the product's own.
AGREEMENT_DEFAULT_FIELDS = (
    "currency", "default_client_responsibilities", "default_coach_scope", "default_review_terms",
    "default_reminder_before", "default_reminder_days_before", "default_reminder_on_day",
    "default_reminder_overdue", "default_lapse_reminders", "default_lapse_contact",
)


class Practice(TrackedModel):
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency],
                                help_text="The currency new agreements quote their fee in.")
    default_client_responsibilities = models.TextField(blank=True)
    default_coach_scope = models.TextField(blank=True)
    default_review_terms = models.TextField(blank=True)
    default_reminder_before = models.BooleanField("remind before the due date", default=True)
    default_reminder_days_before = models.PositiveSmallIntegerField(
        "days before the due date", default=1,
        validators=[MinValueValidator(1, "Days before the due date must be at least 1."),
                    MaxValueValidator(14, "Days before the due date can be at most 14.")])
    default_reminder_on_day = models.BooleanField("remind on the due date", default=True)
    default_reminder_overdue = models.BooleanField("one notice when overdue", default=True)
    default_lapse_reminders = models.CharField(
        "how firmly to remind a client who stops following through", max_length=10,
        choices=LapseReminders.choices, default=LapseReminders.NORMAL)
    default_lapse_contact = models.CharField(
        "when a client stops following through", max_length=20,
        choices=LapseContact.choices, default=LapseContact.NEXT_MEETING)

    history_fields = ("name", "timezone", *AGREEMENT_DEFAULT_FIELDS)

    def __str__(self):
        return self.name

    def today(self):
        """The practice's day: what "today" means for every rule a coach works under."""
        return clock.today(self.timezone)

    def agreement_defaults(self):
        """Initial terms of a new engagement's first agreement, as the practice set them."""
        terms = {"fee_currency": self.currency}
        for name in AGREEMENT_DEFAULT_FIELDS[1:]:
            value = getattr(self, name)
            if value != "":
                terms[name.removeprefix("default_")] = value
        return terms


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
    class EmailPreference(models.TextChoices):
        AT_ONCE = "at_once", "At once"
        DAILY = "daily", "A daily digest"
        NEVER = "never", "Never (in the app only)"

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
    email_preference = models.CharField(
        "email me about what clients did", max_length=10, choices=EmailPreference.choices,
        default=EmailPreference.DAILY)

    objects = CoachQuerySet.as_manager()

    history_fields = (
        "user", "practice", "display_name", "accepts_referrals", "caseload_capacity",
        "is_practice_admin", "is_active", "email_preference",
    )
    history_m2m = ("specialties",)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


INVITATION_DAYS = 7


class CoachInvitation(TrackedModel):
    """A practice admin's invitation to a new coach; the signed link in it is the only way to
    accept, and it stops working when accepted, revoked or past `expires_at`."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    display_name = models.CharField(max_length=200)
    is_practice_admin = models.BooleanField(default=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    coach = models.OneToOneField(Coach, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="invitation")

    history_fields = ("practice", "email", "display_name", "is_practice_admin", "invited_by",
                      "expires_at", "accepted_at", "revoked_at", "coach")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation to {self.email}"

    @staticmethod
    def default_expiry():
        return clock.now() + timedelta(days=INVITATION_DAYS)

    @property
    def status(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= clock.now() else "open"


class ExternalAssociate(TrackedModel):
    """A coach outside the practice, listed so its coaches (a solo coach above all) can refer out."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="external_associates")
    name = models.CharField(max_length=200)
    specialties = models.ManyToManyField(FocusArea, related_name="external_associates")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    accepts_referrals = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    history_fields = ("practice", "name", "email", "phone", "website", "notes", "accepts_referrals",
                      "is_active")
    history_m2m = ("specialties",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.email or self.phone or self.website):
            raise ValidationError({"email": "Give at least one way to reach this associate."})
