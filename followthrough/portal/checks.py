"""The meeting check as the client answers it: on the portal after a held meeting, or on
the signed page `/check/<token>/` the invitation email links to (no sign-in).

Both pages record through `meetings.services.meeting_check_record` only, so the rules and
their messages are the API's; an error lands on its question."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.history import clock
from followthrough.meetings.checks import CHECK_LINK_DAYS, check_link_state
from followthrough.meetings.models import CHECK_HIGHEST, CHECK_LOWEST, CHECK_QUESTIONS, Meeting, MeetingCheck
from followthrough.meetings.services import meeting_check_record
from followthrough.ui.decorators import client_required
from followthrough.ui.forms import apply_service_errors

SCALE = [(str(n), str(n)) for n in range(CHECK_LOWEST, CHECK_HIGHEST + 1)]
CHECK_WINDOW = timedelta(days=CHECK_LINK_DAYS)
THANKS = "Thank you. Your coach sees your answers beside how the work is going."


class ScaleField(forms.ChoiceField):
    """A row of 0-10 choices whose value the service judges, so its message is the API's."""

    def valid_value(self, value):
        return True


def scale(name):
    return ScaleField(label=CHECK_QUESTIONS[name], choices=SCALE, required=False,
                      widget=forms.RadioSelect(attrs={"class": "check-choice"}))


class MeetingCheckForm(forms.Form):
    """The four questions as rows of 0-10 choices. Optional here: a missing answer gets
    the service's message on its question."""

    on_what_matters = scale("on_what_matters")
    plan_fits_week = scale("plan_fits_week")
    felt_heard = scale("felt_heard")
    sure_to_do_it = scale("sure_to_do_it")

    def answers(self):
        return {name: self.cleaned_data.get(name) or None for name in CHECK_QUESTIONS}


def chosen_in_query(query):
    """The answers a one-tap link chose (`?felt_heard=7`); anything else is ignored."""
    return {name: query[name] for name in CHECK_QUESTIONS
            if query.get(name, "").isdigit() and CHECK_LOWEST <= int(query[name]) <= CHECK_HIGHEST}


def still_checkable(meeting):
    """A check is asked for while its email link would still work: an answer about a
    meeting long past says little about how the work is going now."""
    return meeting.status == Meeting.Status.HELD and meeting.starts_at >= clock.now() - CHECK_WINDOW


def awaiting_check(user):
    """The client's newest held meeting of the last 30 days whose check is not answered
    yet, or None (1 query)."""
    return (Meeting.objects.defer("private_notes").visible_to(user)
            .filter(status=Meeting.Status.HELD, meeting_check__isnull=True,
                    starts_at__gte=clock.now() - CHECK_WINDOW)
            .select_related("engagement__coach").order_by("-starts_at", "-pk").first())


def _record(form, meeting, via, by):
    """Record the form's answers; True when saved, else the service's errors are on the form."""
    try:
        meeting_check_record(meeting=meeting, answers=form.answers(), via=via, by=by)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    return True


@client_required
@require_POST
def portal_check(request, uid):
    meeting = get_visible_or_404(Meeting.objects.defer("private_notes").select_related("engagement__coach"),
                                 request.user, uid)
    form = MeetingCheckForm(request.POST)
    if form.is_valid() and _record(form, meeting, MeetingCheck.Via.PORTAL, request.user):
        messages.success(request, THANKS)
        return redirect("portal_meeting", uid=meeting.uid)
    return render(request, "portal/check_portal.html", {"meeting": meeting, "check_form": form}, status=400)


GONE = {
    "forged": (404, "This link does not work",
               "The link may have been cut short when it was copied. Open it again from the email, "
               "or answer in your portal."),
    "expired": (410, "This link has expired",
                "Links to a meeting check work for 30 days. If you still want to answer, use your portal "
                "or ask your coach."),
}


@require_http_methods(["GET", "POST"])
def signed_check(request, token):
    """The check for the meeting the signed link names, answered without signing in."""
    state, meeting = check_link_state(token)
    if meeting is None:
        status, title, text = GONE[state]
        return render(request, "portal/check_gone.html", {"title": title, "text": text}, status=status)
    client = meeting.engagement.client
    timezone.activate(client.timezone)
    context = {"meeting": meeting, "coach": meeting.engagement.coach}
    if MeetingCheck.objects.filter(meeting=meeting).exists():
        return render(request, "portal/check_signed.html", {**context, "answered": True})
    if request.method == "POST":
        form = MeetingCheckForm(request.POST)
        if form.is_valid() and _record(form, meeting, MeetingCheck.Via.EMAIL_LINK, client.user):
            return render(request, "portal/check_signed.html", {**context, "thanked": True})
        return render(request, "portal/check_signed.html", {**context, "check_form": form}, status=400)
    form = MeetingCheckForm(initial=chosen_in_query(request.GET))
    return render(request, "portal/check_signed.html", {**context, "check_form": form})
