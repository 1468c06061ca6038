"""Forms for the protocol pages.

The forms check types and shapes; the rules (what a reinstated commitment needs, which
step may come next) live in the services, and their messages are put on these fields by
`apply_service_errors`. So plan fields are optional here on purpose: an unanswered one
reaches the service as None and comes back with the service's own, specific message.
"""

from datetime import timedelta

from django import forms

from followthrough.commitments.plans import MINUTES_MAX, TOOLS_NEEDED_MAX
from followthrough.practice.models import FocusArea
from followthrough.ui.forms import DateInput, DayField, split_datetime_field

from .models import Intervention, Letter
from .services import FINAL_OUTCOMES, REAFFIRM_RESPONSES, trimmed_minutes_suggestion, trimmed_wording_suggestion

NOTE_HELP = "For your record of this step; the client does not see it."


def note_field():
    return forms.CharField(label="Note", required=False, help_text=NOTE_HELP,
                           widget=forms.Textarea(attrs={"rows": 2}))


class OpenInterventionForm(forms.Form):
    trigger = forms.ChoiceField(label="What prompts it", choices=Intervention.Trigger.choices,
                                initial=Intervention.Trigger.MANUAL, required=False)
    flag = forms.CharField(required=False, widget=forms.HiddenInput)


class AmendFocusForm(forms.Form):
    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.none(), label="New focus",
        empty_label=None, error_messages={"required": "Choose the new focus."},
        help_text="Only your own specialties are offered; for anything else, refer the client.",
    )
    reason = forms.CharField(label="Why the focus changes", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why the focus changes, in the client's terms."})
    note = note_field()

    def __init__(self, *args, coach, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = coach.specialties.filter(is_active=True)
        if agreement is not None:
            queryset = queryset.exclude(pk=agreement.primary_focus_id)
        self.fields["focus_area"].queryset = queryset


class ReferOfferForm(forms.Form):
    to_coach = forms.ChoiceField(label="Associate", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the associate to refer the client to."})
    focus_area = forms.ModelChoiceField(queryset=FocusArea.objects.none(), to_field_name="slug",
                                        widget=forms.HiddenInput,
                                        error_messages={"required": "Choose the focus area to refer the client for."})
    message = forms.CharField(label="What the associate should know", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    note = note_field()

    def __init__(self, *args, candidates, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.uid): c for c in candidates}
        self.fields["to_coach"].choices = [(uid, c.display_name) for uid, c in self.candidates.items()]
        self.fields["focus_area"].queryset = practice.focus_areas.all()

    def clean_to_coach(self):
        return self.candidates[self.cleaned_data["to_coach"]]


class ConsentForm(forms.Form):
    shares_agreement = forms.BooleanField(label="The agreement (goals, focus, terms)", required=False)
    shares_summaries = forms.BooleanField(label="Meeting summaries the client can see", required=False)
    shares_commitments = forms.BooleanField(label="The record of commitments and outcomes", required=False)
    consent_note = forms.CharField(label="How the client agreed", max_length=300, required=False,
                                   help_text="e.g. Agreed in our meeting of 3 May.")


class ReferralNoteForm(forms.Form):
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReaffirmForm(forms.Form):
    response = forms.ChoiceField(label="The client's response", widget=forms.RadioSelect,
                                 choices=list(REAFFIRM_RESPONSES.items()),
                                 error_messages={"required": "Choose: recommits, wants to renegotiate, or declines."})
    work_request = forms.CharField(
        label="Did the client ask you to do some of the work?", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Write down what was asked; it is recorded as declined, as the agreement's scope says.",
    )
    note = note_field()


class FileReviewChooseForm(forms.Form):
    meetings = forms.IntegerField(label="How many recent meetings", min_value=1, max_value=52, initial=3,
                                  error_messages={"min_value": "Review at least 1 meeting.",
                                                  "max_value": "Review at most 52 meetings.",
                                                  "required": "Choose how many recent meetings to review."})


class ReviewFileForm(forms.Form):
    meetings_count = forms.IntegerField(min_value=1, max_value=52, widget=forms.HiddenInput)
    shown = forms.BooleanField(
        label="I have gone through this report with the client",
        error_messages={"required": "Go through the report with the client before recording this step."},
    )
    client_reaction = forms.CharField(label="The client's reaction, in their words", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    share_with_client = forms.BooleanField(label="Share it in the client's portal", required=False)
    note = note_field()


class HasToolsField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", "Yes, they have everything"), ("no", "No, something is missing")],
            coerce=lambda value: value == "yes", empty_value=None, required=False,
            widget=forms.RadioSelect, **kwargs)


class NewGoalForm(forms.Form):
    mode = forms.ChoiceField(
        label="New goal", widget=forms.RadioSelect, required=False,
        choices=[("reinstate", "Reinstate the missed commitment with a new date"),
                 ("trim", "Set a smaller commitment, due before the next meeting")],
    )
    source = forms.ChoiceField(label="Starting from", required=False)
    description = forms.CharField(label="The smaller action (when trimming)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    due_on = DayField(label="New due date", required=False, widget=DateInput)
    planned_at = split_datetime_field("Which day and time the client will do it", required=False)
    minutes_needed = forms.IntegerField(label="How many minutes it will take", min_value=1, max_value=MINUTES_MAX,
                                        required=False)
    has_tools = HasToolsField(label="Does the client have the tools and materials?")
    tools_needed = forms.CharField(label="What is missing", required=False, max_length=TOOLS_NEEDED_MAX,
                                   help_text="A missing tool becomes its own small commitment, due first.")
    renegotiate = forms.BooleanField(label="Also renegotiate the agreement to a lower bar", required=False)
    call_to_action = forms.CharField(label="New call to action", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    meeting_cadence = forms.CharField(label="Meeting cadence", required=False, max_length=200)
    renegotiation_reason = forms.CharField(label="Why the agreement changes", required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    note = note_field()

    def __init__(self, *args, missed, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.missed = {str(c.uid): c for c in missed}
        self.fields["source"].choices = [("", "Choose a missed commitment")] + [
            (uid, _missed_label(c)) for uid, c in self.missed.items()]
        if agreement is not None and not self.is_bound:
            self.initial.setdefault("call_to_action", agreement.call_to_action)
            self.initial.setdefault("meeting_cadence", agreement.meeting_cadence)

    def clean_source(self):
        return self.missed.get(self.cleaned_data["source"])

    def clean(self):
        data = super().clean()
        if data.get("renegotiate"):
            if not (data.get("call_to_action") or "").strip():
                self.add_error("call_to_action", "Write the new, lower call to action.")
            if not (data.get("renegotiation_reason") or "").strip():
                self.add_error("renegotiation_reason", "Say why the agreement is being renegotiated.")
        return data


def _missed_label(commitment):
    minutes = f", {commitment.minutes_needed} min" if commitment.minutes_needed else ""
    return f"{commitment.description[:70]} (due {commitment.due_on:%d %b}{minutes}, " \
           f"{commitment.get_outcome_display().lower()})"


def new_goal_initial(source, mode, *, today, next_meeting=None):
    """Pre-fill the form for one missed commitment: a trimmed one starts at the suggested
    smaller size and is due the day before the next meeting (`today` is the practice's)."""
    due = today + timedelta(days=6)
    if next_meeting is not None and next_meeting.starts_at.date() > today + timedelta(days=1):
        due = next_meeting.starts_at.date() - timedelta(days=1)
    initial = {"mode": mode, "source": str(source.uid), "due_on": due,
               "tools_needed": source.tools_needed}
    if mode == "trim":
        initial["minutes_needed"] = trimmed_minutes_suggestion(source.minutes_needed)
        initial["description"] = trimmed_wording_suggestion(source.description, source.minutes_needed)
    else:
        initial["minutes_needed"] = source.minutes_needed
    return initial


class FinalReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What you decided together", widget=forms.RadioSelect,
        choices=list(zip(FINAL_OUTCOMES, ["Back on track: carry on as agreed",
                                          "Pause for now, with a date to check back",
                                          "End the coaching, with the door left open",
                                          "Refer the client to an associate"], strict=True)),
        error_messages={"required": "Choose: back on track, pause, end, or refer."},
    )
    check_back_on = DayField(label="Check back on (for a pause)", required=False, widget=DateInput)
    draft_letter = forms.BooleanField(label="Draft the matching letter", required=False, initial=True)
    note = note_field()


class LetterDraftForm(forms.Form):
    kind = forms.ChoiceField(choices=Letter.Kind.choices, widget=forms.HiddenInput)


class LetterForm(forms.Form):
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), required=False)
