"""Planning meetings and recording what happened at them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.meetings import services
from followthrough.meetings.models import Meeting
from followthrough.ui.decorators import coach_required
from followthrough.ui.forms import apply_service_errors, posted
from followthrough.web.forms.meetings import MeetingForm

from .common import file_url


def _after_saving(request, meeting, verb):
    """A held meeting goes straight on to its review; anything else back to the file."""
    engagement = meeting.engagement
    when = timezone.localtime(meeting.starts_at)
    messages.success(request, f"The meeting of {when:%d %b %Y} is {verb}.")
    if meeting.status == Meeting.Status.HELD and meeting.reviewed_at is None:
        return redirect(reverse("meeting_review", args=[meeting.uid]))
    return redirect(file_url(engagement.client, engagement, f"meeting-{meeting.uid}"))


@coach_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, uid):
    engagement = get_visible_or_404(
        Engagement.objects.select_related("client__practice"), request.user, uid)
    agreement = engagement.agreements.order_by("-version").first()
    form = MeetingForm(posted(request), practice=engagement.client.practice,
                       agreed_focus=agreement.primary_focus if agreement else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                engagement=engagement, by=request.user, status=form.cleaned_data["status"],
                focus_areas=list(form.cleaned_data["focus_areas"]), **form.details(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            verb = "planned" if meeting.status == Meeting.Status.PLANNED else "recorded"
            return _after_saving(request, meeting, verb)
    notice = "" if engagement.is_active else (
        f"This engagement is {engagement.get_state_display().lower()}; meetings are recorded "
        "in an active engagement.")
    return render(request, "web/meeting_form.html",
                  {"engagement": engagement, "form": form, "meeting": None, "notice": notice})


@coach_required
@require_http_methods(["GET", "POST"])
def meeting_update(request, uid):
    meeting = get_visible_or_404(
        Meeting.objects.select_related("engagement__client__practice"), request.user, uid)
    engagement = meeting.engagement
    form = MeetingForm(posted(request), practice=engagement.client.practice, meeting=meeting,
                       initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_update(
                meeting=meeting, by=request.user, status=form.cleaned_data["status"],
                focus_areas=list(form.cleaned_data["focus_areas"]), **form.details(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _after_saving(request, meeting, "saved")
    return render(request, "web/meeting_form.html",
                  {"engagement": engagement, "form": form, "meeting": meeting})
