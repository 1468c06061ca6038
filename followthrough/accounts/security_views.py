"""Account security: a coach's second factor and sessions; a practice admin's rules and
the log of who viewed which client's records."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import client_of, coach_of
from followthrough.clients.models import Client
from followthrough.history.access_log import views_in_practice
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors

from . import sessions
from . import two_factor as tf
from .login_views import CodeForm, _next
from .models import PracticeSecurity
from .selectors import practice_coaches_security

ACCESS_LOG_PAGE = 100


def account_required(view):
    """Coaches and staff (the admin site's accounts); clients have no second factor here."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if coach_of(request.user) is None and not request.user.is_staff:
            raise Http404("No such page")
        if tf.session_state(request) == tf.PENDING:
            return redirect("login_verify")
        return view(request, *args, **kwargs)

    return wrapper


def practice_admin_required(view):
    @coach_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.coach.is_practice_admin:
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


def _codes_page(request, codes):
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})


# never_cache: the responses carry a TOTP key or recovery codes.
@never_cache
@account_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if tf.has_second_factor(user):
        if tf.session_state(request) == tf.SETUP:
            # Set up meanwhile in another session: this one proves it with a code like any sign-in.
            tf.mark(request, tf.PENDING)
            return redirect("login_verify")
        return render(request, "accounts/two_factor.html", {
            "on": True, "codes_left": tf.recovery_codes_left(user), "off_form": CodeForm(),
            "required": _required(user),
        })
    device = tf.totp_pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = tf.totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            sessions.rotate(request, user)
            tf.mark(request, tf.VERIFIED)
            messages.success(request, "Your second factor is on. Keep these recovery codes somewhere safe.")
            return _codes_page(request, codes)
    return render(request, "accounts/two_factor.html", {
        "on": False, "form": form, "qr": tf.qr_svg(device),
        "secret": tf.secret_text(device), "required": _required(user), "next": _next(request),
        "setup_owed": tf.session_state(request) == tf.SETUP,
    }, status=400 if form.errors else 200)


def _required(user):
    coach = coach_of(user)
    return coach is not None and tf.practice_requires(coach.practice)


@never_cache
@account_required
@require_POST
def recovery_codes(request):
    if tf.session_state(request) != tf.VERIFIED:
        messages.error(request, "Sign in with your second factor first to make new recovery codes.")
        return redirect("two_factor")
    return _codes_page(request, tf.recovery_codes_renew(user=request.user))


@account_required
@require_POST
def two_factor_off(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            tf.two_factor_off(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            tf.mark(request, tf.state_for(request.user))
            messages.success(request, "Your second factor is off; signing in asks for your password only.")
            return redirect("two_factor")
    return render(request, "accounts/two_factor.html", {
        "on": True, "codes_left": tf.recovery_codes_left(request.user), "off_form": form,
        "required": _required(request.user)}, status=400)


@require_POST
def log_out_everywhere(request):
    if not request.user.is_authenticated:
        return redirect("login")
    was_client = client_of(request.user) is not None and coach_of(request.user) is None
    sessions.log_out_everywhere(request)
    messages.success(request, "You are signed out on every device, this one included.")
    return redirect("portal_sign_in" if was_client else "login")


@practice_admin_required
@require_http_methods(["GET", "POST"])
def practice_security(request):
    practice = request.coach.practice
    if request.method == "POST":
        required = request.POST.get("require_two_factor") == "on"
        tf.practice_require_two_factor(practice=practice, required=required, by=request.user)
        tf.mark(request, tf.state_for(request.user)
                               if tf.session_state(request) != tf.VERIFIED
                               else tf.VERIFIED)
        messages.success(request, "Every coach of the practice now signs in with a second factor." if required
                         else "A second factor is now each coach's own choice.")
        return redirect("practice_security")
    rules = PracticeSecurity.objects.filter(practice=practice).first()
    return render(request, "accounts/practice_security.html", {
        "required": bool(rules and rules.require_two_factor), "coaches": practice_coaches_security(practice),
    })


@practice_admin_required
def access_log(request):
    practice = request.coach.practice
    client_uid = request.GET.get("client", "").strip()
    records = views_in_practice(practice.pk, client_uid=client_uid or None)
    page = Paginator(records, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = dict(Client.objects.filter(practice=practice, uid__in={r.client_uid for r in rows})
                 .values_list("uid", "full_name"))
    names = {str(uid): name for uid, name in names.items()}
    for row in rows:
        row.client_name = names.get(row.client_uid, "a client no longer on file")
    return render(request, "accounts/access_log.html", {
        "page": page, "rows": rows, "client_uid": client_uid,
        "client_name": names.get(client_uid) if client_uid else None,
    })
