from django import forms

from followthrough.commitments.plans import MINUTES_MAX, TOOLS_NEEDED_MAX
from followthrough.commitments.services import CLIENT_REPORT_NOTE_MAX
from followthrough.ui.forms import DateInput, DayField


class MarkDoneForm(forms.Form):
    note = forms.CharField(
        label="A note for your coach (optional)", required=False, max_length=CLIENT_REPORT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How it went, or anything you would like to talk about next time.",
    )


class AcknowledgeForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name to acknowledge this agreement", max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


YES_NO = [("yes", "Yes, I have what I need"), ("no", "No, I still need something")]


class PlanAnswerForm(forms.Form):
    """Types are checked here; what makes an answer complete is the service's rule, so
    the fields are optional and a missing answer gets the service's message."""

    planned_at = forms.DateTimeField(
        label="When will you do it?", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes_needed = forms.IntegerField(
        label="About how many minutes will it take?", required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MINUTES_MAX, "inputmode": "numeric"}),
    )
    has_tools = forms.ChoiceField(
        label="Do you have everything you need to do it?", required=False, choices=YES_NO,
        widget=forms.RadioSelect,
    )
    tools_needed = forms.CharField(
        label="What will you use, or what do you still need?", required=False, max_length=TOOLS_NEEDED_MAX,
        help_text="For example: a laptop, the price list, someone to ask.",
    )

    def answers(self):
        data = self.cleaned_data
        return {
            "planned_at": data.get("planned_at"),
            "minutes_needed": data.get("minutes_needed"),
            "has_tools": {"yes": True, "no": False}.get(data.get("has_tools")),
            "tools_needed": data.get("tools_needed") or "",
        }



class PlannedBreakForm(forms.Form):
    """A planned break, as the client (portal) or the coach (client file) records it. The
    rules (not in the past, no overlap, an active engagement) are the service's."""

    starts_on = DayField(label="First day of the break", widget=DateInput,
                         error_messages={"required": "Give the first day of the break."})
    ends_on = DayField(label="Last day of the break", widget=DateInput,
                       error_messages={"required": "Give the last day of the break."})
    reason = forms.CharField(label="What the break is for", max_length=200,
                             help_text="In a word or two, e.g. holiday or surgery.",
                             error_messages={"required": "Say what the break is for, e.g. holiday or surgery."})
