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
    "followthrough_below": "A reviewed meeting below this share of what was due counts as a low meeting (0 to 1).",
    "nonproductive_meetings": "How many low meetings in a row, without goal progress, make a nonproductive phase.",
    "drift_meetings": "How many recent held meetings are looked at for focus drift.",
    "drift_share": "The share of topics outside the agreed focus that counts as drift (0 to 1).",
    "no_show_run": "How many no-shows in a row are flagged.",
}


class ThresholdsForm(forms.Form):
    """One field per threshold; left empty means "use the value above this level"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, kind) in THRESHOLD_FIELDS.items():
            field_class = forms.FloatField if kind == "fraction" else forms.IntegerField
            self.fields[name] = field_class(label=label[:1].upper() + label[1:], required=False,
                                            help_text=HELP[name])

    def values(self):
        return {name: self.cleaned_data.get(name) for name in THRESHOLD_FIELDS}


def _initial(row):
    return {name: getattr(row, name) for name in THRESHOLD_FIELDS} if row is not None else {}


@coach_required
@require_http_methods(["GET", "POST"])
def thresholds(request):
    coach = request.coach
    practice_row = PracticeThresholds.objects.filter(practice_id=coach.practice_id).first()
    own_row = CoachThresholds.objects.filter(coach=coach).first()
    practice_form = ThresholdsForm(prefix="practice", initial=_initial(practice_row))
    own_form = ThresholdsForm(prefix="own", initial=_initial(own_row))
    if request.method == "POST":
        which = request.POST.get("which")
        if which == "practice" and not coach.is_practice_admin:
            raise PermissionDenied("Only a practice admin sets the practice's thresholds.")
        form = ThresholdsForm(request.POST, prefix=which) if which in ("practice", "own") else None
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
    return render(request, "engine/thresholds.html", {
        "practice_form": practice_form, "own_form": own_form, "effective": thresholds_for(coach),
        "fields": THRESHOLD_FIELDS, "can_edit_practice": coach.is_practice_admin,
    })
