"""The API's shapes for the practice: its settings, coaches, invitations, focus areas and
associates outside it. Focus areas are named by slug."""

from datetime import datetime
from typing import Literal

from ninja import Schema

from followthrough.practice.models import LapseContact, LapseReminders
from followthrough.ui.api import In

EmailPreference = Literal["at_once", "daily", "never"]
LapseRemindersChoice = Literal[tuple(LapseReminders.values)]
LapseContactChoice = Literal[tuple(LapseContact.values)]


class PracticeOut(Schema):
    name: str
    timezone: str
    currency: str
    default_client_responsibilities: str
    default_coach_scope: str
    default_review_terms: str
    default_reminder_before: bool
    default_reminder_days_before: int
    default_reminder_on_day: bool
    default_reminder_overdue: bool
    default_lapse_reminders: LapseRemindersChoice
    default_lapse_contact: LapseContactChoice


class PracticeIn(In):
    name: str | None = None
    timezone: str | None = None
    currency: str | None = None
    default_client_responsibilities: str | None = None
    default_coach_scope: str | None = None
    default_review_terms: str | None = None
    default_reminder_before: bool | None = None
    default_reminder_days_before: int | None = None
    default_reminder_on_day: bool | None = None
    default_reminder_overdue: bool | None = None
    default_lapse_reminders: LapseRemindersChoice | None = None
    default_lapse_contact: LapseContactChoice | None = None


class CoachOut(Schema):
    uid: str
    display_name: str
    email: str
    specialties: list[str]
    accepts_referrals: bool
    caseload_capacity: int
    is_practice_admin: bool
    is_active: bool
    email_preference: EmailPreference


class CoachSettingsIn(In):
    display_name: str | None = None
    specialties: list[str] | None = None
    accepts_referrals: bool | None = None
    caseload_capacity: int | None = None
    is_practice_admin: bool | None = None


class ProfileIn(In):
    display_name: str | None = None
    specialties: list[str] | None = None
    accepts_referrals: bool | None = None
    caseload_capacity: int | None = None
    email_preference: EmailPreference | None = None


class InvitationIn(In):
    display_name: str
    email: str
    is_practice_admin: bool = False


class InvitationOut(Schema):
    uid: str
    display_name: str
    email: str
    is_practice_admin: bool
    expires_at: datetime
    status: str


class FocusAreaIn(In):
    name: str


class FocusAreaPatch(In):
    name: str | None = None
    is_active: bool | None = None


class FocusAreaOut(Schema):
    slug: str
    name: str
    is_active: bool


class AssociateIn(In):
    name: str
    specialties: list[str]
    email: str = ""
    phone: str = ""
    website: str = ""
    notes: str = ""
    accepts_referrals: bool = True
    is_active: bool = True


class AssociatePatch(In):
    name: str | None = None
    specialties: list[str] | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    notes: str | None = None
    accepts_referrals: bool | None = None
    is_active: bool | None = None


class AssociateOut(Schema):
    uid: str
    name: str
    specialties: list[str]
    email: str
    phone: str
    website: str
    notes: str
    accepts_referrals: bool
    is_active: bool
