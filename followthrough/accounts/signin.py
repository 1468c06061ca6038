"""Getting into the portal: sign-in links, asking for a new one, choosing a password."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.access import client_of
from followthrough.accounts.backends import ACCOUNT_BACKEND
from followthrough.ui.decorators import client_required

from .forms import LinkRequestForm
from .links import LinkState, portal_link_check, portal_link_consume, portal_link_request, safe_next_path
from .throttle import allow, client_ip

LINK_PAGES = {
    LinkState.INVALID: ("accounts/link_invalid.html", 404),
    LinkState.EXPIRED: ("accounts/link_expired.html", 410),
    LinkState.USED: ("accounts/link_used.html", 410),
}


def _link_problem(request, state, link):
    template, status = LINK_PAGES[state]
    # The expired page offers a new link; it keeps where the old one was going, never whose it was.
    form = LinkRequestForm(initial={"next": link.next_path if link is not None else ""})
    return render(request, template, {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def link(request, token):
    """Opening a link shows a button; only pressing it signs in.

    Mail scanners open links in emails to check them, and a sign-in on the first GET
    would use up the client's single-use link before the client ever sees it.
    """
    state, portal_link = portal_link_check(token)
    if state is not LinkState.VALID:
        return _link_problem(request, state, portal_link)
    if request.method == "GET":
        return render(request, "accounts/link_confirm.html", {})
    user = portal_link_consume(link=portal_link)
    if user is None:
        state, portal_link = portal_link_check(token)
        return _link_problem(request, state if state is not LinkState.VALID else LinkState.USED, portal_link)
    login(request, user, backend=ACCOUNT_BACKEND)
    return redirect(safe_next_path(portal_link.next_path) or "portal_home")


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Ask for a sign-in link. The answer is the same whether or not the address is known."""
    next_path = safe_next_path(request.POST.get("next") or request.GET.get("next"))
    if client_of(request.user) is not None:
        return redirect(next_path or "portal_home")
    form = LinkRequestForm(request.POST or None, initial={"next": next_path})
    status = 200
    if request.method == "POST" and form.is_valid():
        if _link_requests_allowed(request):
            portal_link_request(email=form.cleaned_data["email"], next_path=next_path)
            return render(request, "accounts/sign_in_sent.html", {"email": form.cleaned_data["email"]})
        form.add_error("email", "Too many sign-in links were asked for from your network in the last hour. "
                                "Wait an hour and try again, or ask your coach to send you one.")
        status = 429
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_path},
                  status=status if status != 200 else 400 if form.errors else 200)


def _link_requests_allowed(request):
    # Per address, whatever address was typed: the per-client limit (links.py) stops one
    # inbox being flooded, this stops one caller probing many addresses.
    return allow("portal_link_request", client_ip(request),
                 limit=settings.FT_PORTAL_LINK_REQUESTS_PER_IP_PER_HOUR, per=timedelta(hours=1))


@client_required
@require_http_methods(["GET", "POST"])
def password(request):
    """A password is optional: the client may keep signing in by link."""
    user = request.user
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is saved. Next time you can sign in with your "
                                  f"username, {user.get_username()}, and this password.")
        return redirect("portal_home")
    return render(request, "accounts/password.html", {"form": form, "has_password": user.has_usable_password()},
                  status=400 if form.errors else 200)
