"""The coach's own profile: how they appear, what they take on, and what email they get."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.practice.services import coach_settings_update
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted
from followthrough.web.forms.practice import ProfileForm, coach_initial


@coach_required
@require_http_methods(["GET", "POST"])
def coach_profile(request):
    coach = request.coach
    form = ProfileForm(posted(request), initial=coach_initial(coach), practice=coach.practice)
    if request.method == "POST" and form.is_valid():
        try:
            coach_settings_update(coach=coach, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("coach_profile")
    return render(request, "web/profile.html", {"form": form})
