"""Forms of the practice admin's pages and of a coach's own profile."""

from django import forms

from followthrough.practice.models import Coach, ExternalAssociate, LapseContact, LapseReminders, Practice
from followthrough.ui.forms import timezone_choices

PRACTICE_FIELDS = ("name", "timezone", "currency", "default_client_responsibilities", "default_coach_scope",
                   "default_review_terms", "default_reminder_before", "default_reminder_days_before",
                   "default_reminder_on_day", "default_reminder_overdue", "default_lapse_reminders",
                   "default_lapse_contact")


class PracticeForm(forms.Form):
    name = forms.CharField(max_length=200)
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices,
                                 help_text="The practice's day: due dates, digests and \"today\".")
    currency = forms.CharField(max_length=3, help_text="Three letters, such as EUR, GBP or USD.")
    default_client_responsibilities = forms.CharField(
        label="The client's responsibilities", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty for Followthrough's own wording.")
    default_coach_scope = forms.CharField(label="The coach's scope", required=False,
                                          widget=forms.Textarea(attrs={"rows": 3}))
    default_review_terms = forms.CharField(label="How reviews work", required=False,
                                           widget=forms.Textarea(attrs={"rows": 3}))
    default_reminder_before = forms.BooleanField(label="Remind before the due date", required=False)
    default_reminder_days_before = forms.IntegerField(label="Days before the due date", min_value=1,
                                                      max_value=14)
    default_reminder_on_day = forms.BooleanField(label="Remind on the due date", required=False)
    default_reminder_overdue = forms.BooleanField(label="One notice when overdue", required=False)
    default_lapse_reminders = forms.ChoiceField(
        label="Lapse plan: how firmly to remind", choices=LapseReminders.choices,
        help_text="Where a new agreement's lapse plan starts; each client chooses their own.")
    default_lapse_contact = forms.ChoiceField(label="Lapse plan: when a client stops", choices=LapseContact.choices)

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


def practice_initial(practice: Practice):
    return {name: getattr(practice, name) for name in PRACTICE_FIELDS}


class CoachSettingsForm(forms.Form):
    """What a practice admin sets for a coach; the profile form adds the coach's own choices."""

    display_name = forms.CharField(label="Display name", max_length=200)
    specialties = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    accepts_referrals = forms.BooleanField(label="Accepts referrals", required=False)
    caseload_capacity = forms.IntegerField(label="Capacity", min_value=0, max_value=1000,
                                           help_text="How many active engagements this coach can hold.")
    is_practice_admin = forms.BooleanField(label="Practice admin", required=False,
                                           help_text="Can invite and manage coaches and the practice's settings.")

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = practice.focus_areas.filter(is_active=True)
        self.fields["specialties"].to_field_name = "slug"


class ProfileForm(CoachSettingsForm):
    email_preference = forms.ChoiceField(
        label="Email me about what clients did", choices=Coach.EmailPreference.choices,
        widget=forms.RadioSelect,
        help_text="You always see it in the app; this is about email.")
    # The role is the practice admin's to give.
    is_practice_admin = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseload_capacity"].help_text = "How many active engagements you can hold."


def coach_initial(coach):
    return {"display_name": coach.display_name, "specialties": list(coach.specialties.all()),
            "accepts_referrals": coach.accepts_referrals, "caseload_capacity": coach.caseload_capacity,
            "is_practice_admin": coach.is_practice_admin, "email_preference": coach.email_preference}


class InviteForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField()
    is_practice_admin = forms.BooleanField(label="Practice admin", required=False)


class FocusAreaForm(forms.Form):
    name = forms.CharField(label="New focus area", max_length=100)


class HandOverForm(forms.Form):
    to_coach = forms.ModelChoiceField(label="Hand every open engagement to", queryset=None,
                                      to_field_name="uid", empty_label=None)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Kept with each engagement's moves.")

    def __init__(self, *args, coach, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_coach"].queryset = coach.practice.coaches.filter(is_active=True).exclude(pk=coach.pk)


class AssociateForm(forms.Form):
    name = forms.CharField(max_length=200)
    specialties = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    accepts_referrals = forms.BooleanField(label="Accepts referrals", required=False, initial=True)
    is_active = forms.BooleanField(label="Listed in the directory", required=False, initial=True)

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = practice.focus_areas.filter(is_active=True)
        self.fields["specialties"].to_field_name = "slug"


class ExternalReferralForm(forms.Form):
    associate = forms.ModelChoiceField(queryset=None, to_field_name="uid", widget=forms.RadioSelect,
                                       empty_label=None)
    focus_area = forms.ModelChoiceField(label="For", queryset=None, to_field_name="slug")
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the associate should know; it goes in the letter.")
    shares_agreement = forms.BooleanField(label="The client agrees to share the agreement", required=False)
    shares_summaries = forms.BooleanField(label="…the meeting summaries", required=False)
    shares_commitments = forms.BooleanField(label="…the commitments and what became of them", required=False)
    consent_note = forms.CharField(label="How the client gave consent", max_length=300,
                                   help_text="e.g. “agreed in the meeting of 3 May”. Nothing is sent without it.")

    def __init__(self, *args, candidates, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["associate"].queryset = ExternalAssociate.objects.filter(pk__in=[a.pk for a in candidates])
        self.fields["associate"].choices = [
            (a.uid, f"{a.name} — {', '.join(s.name for s in a.specialties.all())}"
                    + ("" if a.accepts_referrals else " (not taking referrals)")) for a in candidates]
        self.fields["focus_area"].queryset = practice.focus_areas.filter(is_active=True)
