"""The practice admin's erasure pages: who is past the retention period, and erasing one
client after a confirmation that names what goes."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.access import acting_coach
from followthrough.clients.models import Client
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted

from .erasure import REASON_MAX, RETENTION_REASON, client_erase, due_for_erasure, erased_uids, what_is_erased


class ErasureForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history with your name. Say why (the client's request and its date, or "
                  "the retention period is over); do not write the client's name.")
    confirmed = forms.BooleanField(
        required=True, label="I understand this cannot be undone",
        error_messages={"required": "Tick the box to confirm: an erasure cannot be undone."})


def _admin(request):
    coach = acting_coach(request)
    if not coach.is_practice_admin:
        raise Http404("No such page")
    return coach


FOUND_MAX = 20


@coach_required
def erasure_list(request):
    """The clients past the retention period, and a search for the client who asked."""
    admin = _admin(request)
    due = due_for_erasure(admin.practice)
    query = " ".join(request.GET.get("q", "").split())[:100]
    found = []
    if query:
        found = list(Client.objects.filter(practice=admin.practice)
                     .filter(Q(full_name__icontains=query) | Q(email__iexact=query)).order_by("full_name")[:FOUND_MAX])
        erased = erased_uids([c.uid for c in found])
        found = [c for c in found if str(c.uid) not in erased]
    return render(request, "transfer/erasure_list.html", {
        "due": due, "retention_years": settings.RECORD_RETENTION_YEARS, "query": query, "found": found,
    })


@coach_required
@require_http_methods(["GET", "POST"])
def client_erase_page(request, uid):
    admin = _admin(request)
    client = Client.objects.filter(practice=admin.practice, uid=uid).first()
    if client is None or str(client.uid) in erased_uids([client.uid]):
        raise Http404("No such client")
    initial = {"reason": RETENTION_REASON} if request.GET.get("retention") else {}
    form = ErasureForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            client_erase(client=client, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The client is erased: their personal data is gone and their key destroyed.")
            return redirect("transfer_erasure_list")
    status = 422 if form.errors else 200
    return render(request, "transfer/client_erase.html",
                  {"client": client, "form": form, "erased": what_is_erased(client)}, status=status)
