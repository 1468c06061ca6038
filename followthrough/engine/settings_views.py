"""The thresholds page: the practice's values (set by a practice admin) and each coach's own
overrides. Every change goes through the engine's services, validated and logged; the next
`followthrough scan` pass re-reads every engagement with the new values."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors

from .metrics import thresholds_for
from .models import THRESHOLD_FIELDS, CoachThresholds, Defaults, PracticeThresholds
from .services import coach_thresholds_set, practice_thresholds_set

HELP = {
    "followthrough_below": "A reviewed meeting below this share of what was due counts as a low meeting "
                           "(a percentage, 0 to 100).",
    "nonproductive_meetings": "How many low meetings in a row, without goal progress, make a nonproductive phase.",
    "drift_meetings": "How many recent held meetings are looked at for focus drift.",
    "drift_share": "The share of topics outside the agreed focus that counts as drift (a percentage, 0 to 100).",
    "no_show_run": "How many no-shows in a row are flagged.",
    "alliance_drop_points": "How far a meeting check's score (0 to 10) may fall below the client's own earlier "
                            "checks before it is flagged as an alliance drop (more than 0, at most 10 points).",
    "alliance_falls_in_row": "How many meeting checks in a row, each at least half the alliance-drop fall "
                             "lower than the one before (1 point with a fall of 2), are flagged as an "
                             "alliance drop.",
}


PERCENT_ERROR = "Enter a percentage from 0 to 100, such as 50."
WHOLE_ERROR = "Enter a whole number of meetings, such as 3."
CHECKS_ERROR = "Enter a whole number of meeting checks, such as 2."
POINTS_ERROR = "Enter a number of points above 0 and up to 10, such as 2 or 1.5."


def as_percent(fraction):
    """A stored share as the page shows it: 0.5 -> 50, 2/3 -> 66.67."""
    return None if fraction is None else round(float(fraction) * 100, 2)


class ThresholdsForm(forms.Form):
    """One field per threshold; left empty means "use the value above this level".

    Shares are entered in percent, as every page shows them, and stored as fractions (the
    API keeps fractions). A percentage left as shown keeps the stored value exactly, so
    re-saving the form never turns 2/3 into 0.6667."""

    def __init__(self, *args, stored=None, **kwargs):
        self.stored = stored or {}
        kwargs.setdefault("initial", {name: as_percent(value) if THRESHOLD_FIELDS[name][1] == "fraction" else value
                                      for name, value in self.stored.items()})
        super().__init__(*args, **kwargs)
        for name, (label, kind) in THRESHOLD_FIELDS.items():
            label = label[:1].upper() + label[1:]
            if kind == "fraction":
                self.fields[name] = forms.FloatField(
                    label=f"{label} (%)", required=False, help_text=HELP[name], min_value=0, max_value=100,
                    error_messages={"invalid": PERCENT_ERROR, "min_value": PERCENT_ERROR,
                                    "max_value": PERCENT_ERROR})
            elif kind == "points":
                self.fields[name] = forms.FloatField(
                    label=f"{label}", required=False, help_text=HELP[name],
                    error_messages={"invalid": POINTS_ERROR})
            else:
                self.fields[name] = forms.IntegerField(
                    label=label, required=False, help_text=HELP[name],
                    error_messages={"invalid": CHECKS_ERROR if kind == "checks" else WHOLE_ERROR})

    def values(self):
        values = {}
        for name, (_label, kind) in THRESHOLD_FIELDS.items():
            value = self.cleaned_data.get(name)
            if kind == "fraction" and value is not None:
                stored = self.stored.get(name)
                value = stored if stored is not None and as_percent(stored) == round(value, 2) else value / 100
            values[name] = value
        return values


def _initial(row):
    return {name: getattr(row, name) for name in THRESHOLD_FIELDS} if row is not None else {}


@coach_required
@require_http_methods(["GET", "POST"])
def thresholds(request):
    coach = request.coach
    practice_row = PracticeThresholds.objects.filter(practice_id=coach.practice_id).first()
    own_row = CoachThresholds.objects.filter(coach=coach).first()
    stored = {"practice": _initial(practice_row), "own": _initial(own_row)}
    practice_form = ThresholdsForm(prefix="practice", stored=stored["practice"])
    own_form = ThresholdsForm(prefix="own", stored=stored["own"])
    if request.method == "POST":
        which = request.POST.get("which")
        if which == "practice" and not coach.is_practice_admin:
            raise PermissionDenied("Only a practice admin sets the practice's thresholds.")
        form = ThresholdsForm(request.POST, prefix=which, stored=stored[which]) if which in stored else None
        if form is not None and form.is_valid():
            values = form.values()
            try:
                if which == "practice":
                    defaults = {name: getattr(Defaults, name) for name in THRESHOLD_FIELDS}
                    practice_thresholds_set(practice=coach.practice, by=request.user,
                                            **{k: v if v is not None else defaults[k] for k, v in values.items()})
                else:
                    coach_thresholds_set(coach=coach, by=request.user, **values)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Saved. The next scan applies the new thresholds to every client.")
                return redirect("thresholds")
        if which == "practice":
            practice_form = form
        elif which == "own":
            own_form = form
    effective = thresholds_for(coach)
    return render(request, "engine/thresholds.html", {
        "practice_form": practice_form, "own_form": own_form, "effective": effective,
        "effective_percent": {"followthrough_below": as_percent(effective.followthrough_below),
                              "drift_share": as_percent(effective.drift_share)},
        "min_fall": effective.alliance_drop_points / 2,
        "fields": THRESHOLD_FIELDS, "can_edit_practice": coach.is_practice_admin,
    })
