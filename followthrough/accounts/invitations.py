"""The page behind a coach's invitation link: choose a username and password, then sign in."""

from django import forms
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from followthrough.accounts.backends import ACCOUNT_BACKEND
from followthrough.practice.invitations import invitation_accept, invitation_from_token
from followthrough.ui.forms import apply_service_errors, posted


class AcceptForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="What you will sign in with.")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label="Password again",
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The two passwords differ.")
        return data


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_page(request, token):
    invitation = invitation_from_token(token)
    if invitation is None:
        return render(request, "accounts/invitation.html", {"invalid": True}, status=404)
    form = AcceptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            coach = invitation_accept(invitation=invitation, username=form.cleaned_data["username"],
                                      password=form.cleaned_data["password"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            login(request, coach.user, backend=ACCOUNT_BACKEND)
            return redirect("coach_profile")
    return render(request, "accounts/invitation.html", {"invitation": invitation, "form": form})
