"""Forms for clients, engagements and agreements."""

from django import forms

from followthrough.clients.models import Agreement, Client, Engagement, Goal
from followthrough.clients.services import AGREEMENT_TERMS, GOAL_FIELDS
from followthrough.ui.forms import DateInput, DayField, timezone_choices


class ClientForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    preferred_name = forms.CharField(label="Preferred name", max_length=100, required=False,
                                     help_text=Client._meta.get_field("preferred_name").help_text)
    email = forms.EmailField(required=False)
    email_shared = forms.BooleanField(
        label="Two people share this email address", required=False,
        help_text="Tick only when another client of the practice is a different person with the same email.")
    phone = forms.CharField(max_length=40, required=False)
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices,
                                 help_text="Where the client lives; used for their reminders.")
    started_on = DayField(label="Engagement starts on", required=False, widget=DateInput,
                                 help_text="Leave empty for today.")


class EngagementMoveForm(forms.Form):
    # Every state is accepted here so an impossible move reaches the engagement's own
    # check, whose message says which moves are possible; only allowed ones are offered.
    state = forms.ChoiceField(label="Move to", choices=Engagement.State.choices,
                              widget=forms.RadioSelect)
    check_back_on = DayField(label="Check back on", required=False, widget=DateInput,
                                    help_text="Needed for a pause: when you will check in again.")
    keep_planned_meetings = forms.BooleanField(
        label="Keep the planned meetings", required=False,
        help_text="A pause only: leave the meetings already planned in the calendar.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Why, in a sentence; kept with the engagement's moves.")
    # Set by the confirmation step, once the coach has seen what the move closes.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    LABELS = {
        Engagement.State.ACTIVE: "Resume (active)",
        Engagement.State.PAUSED: "Pause until a check-back date",
        Engagement.State.REFERRED_OUT: "Referred out to an associate",
        Engagement.State.ENDED: "End indefinitely",
    }

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].widget.choices = [
            (state, self.LABELS[state]) for state in engagement.allowed_moves()
        ]


class ReengageForm(forms.Form):
    started_on = DayField(label="New engagement starts on", required=False,
                                 widget=DateInput, help_text="Leave empty for today.")


class AgreementForm(forms.ModelForm):
    """The terms of one agreement version. Never saved as a model form: the service writes it."""

    class Meta:
        model = Agreement
        fields = [*AGREEMENT_TERMS, "renegotiation_reason"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                "came_for", "call_to_action", "client_responsibilities", "coach_scope", "review_terms",
                "renegotiation_reason",
            )},
            "lapse_reminders": forms.RadioSelect, "lapse_contact": forms.RadioSelect,
            "lapse_referral_wish": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "came_for": "What the client came for",
            "call_to_action": "Call to action",
            "renegotiation_reason": "Why the agreement is being renegotiated",
            "lapse_reminders": "If I stop following through, remind me",
            "lapse_contact": "If I stop following through",
            "lapse_referral_wish": "If my focus moves, I'd like to be referred to",
        }
        help_texts = {
            "lapse_reminders": "The client's choice: how firmly reminders and letters speak if actions slip.",
            "lapse_contact": "The client's choice: wait for the next meeting, or hear from the coach in between.",
            "lapse_referral_wish": "Whom or what kind of help the client would want, in their words; "
                                   "leave empty if they have no wish.",
        }

    def __init__(self, *args, practice, renegotiating, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_focus"].queryset = practice.focus_areas.filter(is_active=True)
        if renegotiating:
            self.fields["renegotiation_reason"].required = True
            self.fields["renegotiation_reason"].error_messages["required"] = (
                "Say why the agreement is being renegotiated."
            )
        else:
            del self.fields["renegotiation_reason"]

    def terms(self):
        return {name: self.cleaned_data[name] for name in AGREEMENT_TERMS}


class GoalForm(forms.Form):
    title = forms.CharField(max_length=300, required=False)
    measure = forms.CharField(max_length=300, required=False,
                              help_text="How progress is seen or counted.")
    level_minus_2 = forms.CharField(label="-2 much less than expected", max_length=300,
                                    required=False)
    level_minus_1 = forms.CharField(label="-1 somewhat less", max_length=300, required=False)
    level_0 = forms.CharField(label="0 expected outcome", max_length=300, required=False)
    level_plus_1 = forms.CharField(label="+1 somewhat more", max_length=300, required=False)
    level_plus_2 = forms.CharField(label="+2 much more than expected", max_length=300,
                                   required=False)

    def clean(self):
        data = super().clean()
        values = {name: (data.get(name) or "").strip() for name in GOAL_FIELDS}
        if any(values.values()) and not values["title"]:
            self.add_error("title", "A goal needs a title.")
        if any(values[name] for name in Goal.LEVEL_FIELDS) and not values["level_0"]:
            self.add_error("level_0", "Attainment levels need the expected outcome (level 0) described.")
        return data

    def goal(self):
        """The goal this row describes, or None for an empty row."""
        values = {name: (self.cleaned_data.get(name) or "").strip() for name in GOAL_FIELDS}
        return values if values["title"] else None


GoalFormSet = forms.formset_factory(GoalForm, extra=2, max_num=20, absolute_max=20)


def goal_initial(agreement):
    return [{name: getattr(goal, name) for name in GOAL_FIELDS} for goal in agreement.goals.all()]


class AcknowledgeForm(forms.Form):
    typed_name = forms.CharField(
        label="The client types their full name", max_length=200,
        help_text="Exactly as on file; this records that the client read and accepted this version.",
    )
