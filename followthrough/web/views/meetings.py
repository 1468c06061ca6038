"""Planning meetings and recording what happened at them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Engagement
from followthrough.meetings import services
from followthrough.meetings.models import Meeting
from followthrough.meetings.selectors import next_suggested_at, with_next_suggestion
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


def next_meeting_offer(meeting):
    """What the page offers after a held meeting: the next one the agreement's cadence
    suggests, or None. `meeting` comes from `with_next_suggestion`."""
    at = next_suggested_at(meeting)
    return {"at": at, "after": meeting} if at else None


def next_meeting_offer_for(meeting):
    """The same for a meeting read without the annotations (one query more)."""
    return next_meeting_offer(with_next_suggestion(Meeting.objects.filter(pk=meeting.pk)).get())


def _planned_after(request, engagement):
    """Initial values for planning the meeting the cadence suggests after `?after=<meeting>`."""
    after = request.GET.get("after")
    if request.method != "GET" or not after:
        return {}
    previous = get_visible_or_404(with_next_suggestion(Meeting.objects.filter(engagement=engagement)),
                                  request.user, after)
    suggested = next_suggested_at(previous)
    if suggested is None:
        return {}
    return {"starts_at": suggested, "duration_minutes": previous.duration_minutes,
            "location": previous.location, "video_link": previous.video_link}


@coach_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, uid):
    engagement = get_visible_or_404(
        Engagement.objects.select_related("client__practice"), request.user, uid)
    agreement = engagement.agreements.order_by("-version").first()
    form = MeetingForm(posted(request), practice=engagement.client.practice,
                       agreed_focus=agreement.primary_focus if agreement else None,
                       initial=_planned_after(request, engagement))
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
    meeting = get_visible_or_404(with_next_suggestion(Meeting.objects.all()), request.user, uid)
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
                  {"engagement": engagement, "form": form, "meeting": meeting,
                   "next_meeting": next_meeting_offer(meeting)})


@coach_required
@require_POST
def meeting_plan_next(request, uid):
    """One click: plan the meeting the cadence suggests, at the same length and place."""
    meeting = get_visible_or_404(with_next_suggestion(Meeting.objects.all()), request.user, uid)
    engagement = meeting.engagement
    suggested = next_suggested_at(meeting)
    if suggested is None:
        messages.error(request, "There is no next meeting to suggest: it may be planned already, "
                                "or the agreed cadence is not one the app can read.")
        return redirect(file_url(engagement.client, engagement, f"meeting-{meeting.uid}"))
    try:
        planned = services.meeting_create(
            engagement=engagement, by=request.user, starts_at=suggested,
            duration_minutes=meeting.duration_minutes, location=meeting.location, video_link=meeting.video_link)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("meeting_update", args=[meeting.uid]))
    return _after_saving(request, planned, "planned")
