"""The two things a coach does from their own pages through the portal: send a client a
sign-in link, and ask a client to plan a commitment. Buttons on the coach pages post here."""

import logging
import smtplib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from followthrough.access import get_visible_or_404
from followthrough.accounts.links import portal_link_send, safe_next_path
from followthrough.clients.models import Client
from followthrough.commitments.models import Commitment
from followthrough.ui.decorators import coach_required

from .services import plan_request_create

log = logging.getLogger(__name__)


def _back(request, client):
    path = safe_next_path(request.POST.get("next"))
    if path:
        return path
    try:
        return reverse("client_file", args=[client.uid])
    except NoReverseMatch:
        return "/"


def _answer(request, client, level, text):
    """htmx buttons get the message as a fragment in place; plain forms go back with it."""
    if request.headers.get("HX-Request"):
        return HttpResponse(format_html('<p class="message {}" role="status">{}</p>', level, text),
                            status=200 if level == "success" else 400)
    getattr(messages, level)(request, text)
    return redirect(_back(request, client))


def _send(client, by, next_path="", plan_for=None):
    """(link, problem): sending may fail for reasons the coach should read, not a 500."""
    try:
        return portal_link_send(client=client, by=by, next_path=next_path, plan_for=plan_for), ""
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    except (smtplib.SMTPException, OSError):
        log.exception("sending a portal link to client %s failed", client.uid)
        return None, "The email could not be sent just now; please try again later."


@coach_required
@require_POST
def send_link(request, uid):
    client = get_visible_or_404(Client, request.user, uid)
    link, problem = _send(client, request.user)
    if link is None:
        return _answer(request, client, "error", problem)
    return _answer(request, client, "success", f"A sign-in link is on its way to {link.sent_to}.")


@coach_required
@require_POST
def ask_plan(request, uid):
    commitment = get_visible_or_404(
        Commitment.objects.select_related("engagement__client"), request.user, uid,
    )
    client = commitment.engagement.client
    try:
        plan_request = plan_request_create(commitment=commitment, by=request.user)
    except ValidationError as exc:
        return _answer(request, client, "error", " ".join(exc.messages))
    asked = f"{client.full_name} is asked to plan this in their portal"
    if not client.email:
        return _answer(request, client, "success", f"{asked}; they have no email address on file, "
                                                   "so tell them to look there.")
    link, problem = _send(client, request.user, reverse("portal_plan_answer", args=[plan_request.uid]),
                          plan_for=commitment)
    if link is None:
        return _answer(request, client, "warning", f"{asked}, but the email did not go out: {problem}")
    return _answer(request, client, "success", f"{asked}; a link to answer went to {link.sent_to}.")
