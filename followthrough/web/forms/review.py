"""The review screen: one form per due commitment, one per new commitment, and the goal scores.

Prefixes follow the keys `meeting_review` raises (`review-<uid>`, `new-<n>`, `goal-<uid>`),
so a service error lands on the field that caused it without any translation table.
"""

from django import forms

from followthrough.clients.models import GAS_LEVELS
from followthrough.commitments.models import Commitment
from followthrough.commitments.plans import MINUTES_MAX, TOOLS_NEEDED_MAX
from followthrough.ui.forms import DateInput, DayField, FractionField, split_datetime_field

Outcome = Commitment.Outcome
MAX_NEW_ROWS = 30


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What became of it", widget=forms.RadioSelect,
        choices=[(Outcome.KEPT, "Kept"), (Outcome.PARTLY_KEPT, "Partly"),
                 (Outcome.MISSED, "Missed"), (Outcome.WAIVED, "Waived")],
        error_messages={"required": "Choose kept, partly kept, missed or waived."},
    )
    kept_fraction = FractionField(label="Share done (if partly)", required=False)
    client_reason = forms.CharField(
        label="The client's words on why", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when waived: what outside their control prevented it.",
    )

    def __init__(self, *args, commitment, **kwargs):
        self.commitment = commitment
        kwargs.setdefault("prefix", f"review-{commitment.uid}")
        if not commitment.is_open:
            kwargs.setdefault("initial", {
                "outcome": commitment.outcome, "kept_fraction": commitment.kept_fraction,
                "client_reason": commitment.client_reason,
            })
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Outcome.PARTLY_KEPT and data.get("kept_fraction") is None \
                and "kept_fraction" not in self.errors:
            self.add_error("kept_fraction", "Say how much was done, for example 0.5 or 50%.")
        if outcome == Outcome.WAIVED and not (data.get("client_reason") or "").strip():
            self.add_error("client_reason", "Say what outside the client's control prevented it.")
        return data


class NewCommitmentForm(forms.Form):
    # Every row is optional until something is typed into it.
    use_required_attribute = False

    description = forms.CharField(label="What the client will do",
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  error_messages={"required": "Say what the client will do."})
    due_on = DayField(label="Due by", widget=DateInput,
                             error_messages={"required": "Give the date it is due by."})
    planned_at = split_datetime_field("Planned day and time", required=False,
                                      help_text="When the client says they will do it.")
    minutes_needed = forms.IntegerField(label="Minutes needed", required=False, min_value=1,
                                        max_value=MINUTES_MAX)
    tools_needed = forms.CharField(label="Tools needed", max_length=TOOLS_NEEDED_MAX, required=False)
    has_tools = forms.NullBooleanField(label="Client has the tools?", required=False,
                                       widget=forms.NullBooleanSelect)

    # No "reinstates/trims" choice here on purpose: deriving from a missed commitment is the
    # protocol's new-goal step, which refuses it until the plan is answered.

    def __init__(self, *args, index, meeting, **kwargs):
        self.index = index
        self.meeting = meeting
        kwargs.setdefault("prefix", f"new-{index}")
        super().__init__(*args, **kwargs)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < self.meeting.starts_at.date():
            raise forms.ValidationError("The due date cannot be before this meeting.")
        return due_on

    def values(self):
        """The keyword arguments `meeting_review` takes for this new commitment."""
        return {name: self.cleaned_data[name] for name in (
            "description", "due_on", "planned_at", "minutes_needed", "tools_needed", "has_tools")}


class GoalScoresForm(forms.Form):
    """One optional GAS level per goal of the engagement's current agreement."""

    def __init__(self, *args, goals, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {}
        for goal in goals:
            name = f"goal-{goal.uid}"
            described = dict(goal.levels())
            choices = [("", "Not scored")]
            for level in GAS_LEVELS:
                label = f"{level:+d}" if level else "0"
                if level in described:
                    label += f" — {described[level]}"
                choices.append((level, label))
            self.fields[name] = forms.TypedChoiceField(
                label=goal.title, choices=choices,
                coerce=int, empty_value=None, required=False,
                initial=scores.get(goal.pk),
            )
            self.goals[name] = goal

    def scores(self):
        return {goal: self.cleaned_data.get(name) for name, goal in self.goals.items()}
