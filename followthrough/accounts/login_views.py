"""Signing in as a coach (or as staff, for the admin site): password, then the second factor."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from . import two_factor
from .sessions import rotate
from .throttle import count_failed_code, is_locked_out, locked_out


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, strip=True,
        help_text="The six digits your authenticator app shows for Followthrough, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "Type the code your authenticator app shows."},
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _with_next(name, target):
    url = reverse(name)
    return f"{url}?{urlencode({'next': target})}" if target else url


class LoginView(auth_views.LoginView):
    """Django's login (it gives the session a new key), then on to the second factor when
    the account has one or its practice requires one."""

    def get_success_url(self):
        target = self.get_redirect_url()
        state = two_factor.session_state(self.request)
        if state == two_factor.PENDING:
            return _with_next("login_verify", target)
        if state == two_factor.SETUP:
            return _with_next("two_factor", target)
        return target or resolve_url("caseload")


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step: a code from the app, or a recovery code."""
    if not request.user.is_authenticated or two_factor.session_state(request) != two_factor.PENDING:
        return redirect(_next(request) or "login")
    user = request.user
    if is_locked_out(request, user.get_username()):
        logout(request)
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.code_matches(user, form.cleaned_data["code"])
        if device is not None:
            rotate(request, user)
            two_factor.mark(request, two_factor.VERIFIED)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(request, f"You signed in with a recovery code; {left} are left. "
                                          "Make new ones under Account security if you are running low.")
            return redirect(_next(request) or "caseload")
        count_failed_code(request, user.get_username())
        if is_locked_out(request, user.get_username()):
            logout(request)
            return locked_out(request)
        form.add_error("code", "Too many wrong codes just now: wait a few seconds, then type the code your app "
                               "shows." if two_factor.waiting_after_wrong_codes(user) else
                       "That code is not right. Codes change every 30 seconds: type the one your "
                       "app shows now, or one of your recovery codes.")
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


def admin_login(request, extra_context=None):
    """The admin site has no sign-in of its own: it is the app's, second factor included."""
    target = _next(request) or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(_with_next("login", target))
    state = two_factor.session_state(request)
    if state == two_factor.PENDING:
        return redirect(_with_next("login_verify", target))
    if request.user.is_staff and state != two_factor.VERIFIED:
        messages.info(request, "The admin site asks for a second factor: set up an authenticator app first.")
        return redirect(_with_next("two_factor", target))
    return redirect(_with_next("login", target))
