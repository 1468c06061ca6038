"""Reads for the account security pages."""

from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from followthrough.practice.models import Coach


def practice_coaches_security(practice):
    """The practice's coaches, each with `has_two_factor`, in one query."""
    return list(Coach.objects.filter(practice=practice).select_related("user").annotate(
        has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)),
    ).order_by("display_name"))
