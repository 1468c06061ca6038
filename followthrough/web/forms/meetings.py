"""Planning a meeting and recording what happened at it."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from followthrough.meetings.models import Meeting
from followthrough.ui.forms import split_datetime_field


class MeetingForm(forms.Form):
    status = forms.ChoiceField(widget=forms.RadioSelect)
    starts_at = split_datetime_field("Date and time")
    duration_minutes = forms.IntegerField(label="Length (minutes)", initial=60, min_value=5,
                                          max_value=480)
    focus_areas = forms.ModelMultipleChoiceField(
        label="Focus areas discussed", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=None,
    )
    location = forms.CharField(required=False, max_length=200,
                               help_text="Where you meet, e.g. the office address. The client sees it.")
    video_link = forms.CharField(label="Video link", required=False,
                                 help_text="The call's address (https://…), if you meet online. The client sees it.")
    private_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text="Only you see these.")
    client_summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text="The client may see this summary.")
    paid = forms.BooleanField(required=False)

    NEW_STATUSES = (Meeting.Status.PLANNED, Meeting.Status.HELD, Meeting.Status.NO_SHOW)
    LABELS = {
        Meeting.Status.PLANNED: "Planned (not yet held)",
        Meeting.Status.HELD: "Held",
        Meeting.Status.NO_SHOW: "No-show",
        Meeting.Status.CANCELLED: "Cancelled",
    }

    def __init__(self, *args, practice, meeting=None, agreed_focus=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = practice.focus_areas.filter(is_active=True)
        self.fields["focus_areas"].help_text = "A held meeting needs at least one: drift is noticed from them."
        if meeting is None:
            # Most meetings are about what the client came for: start from the agreed focus.
            self.fields["focus_areas"].initial = [agreed_focus] if agreed_focus is not None else []
            statuses = self.NEW_STATUSES
            self.fields["status"].initial = Meeting.Status.PLANNED
            next_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            self.fields["starts_at"].initial = next_hour + timedelta(hours=1)
        else:
            statuses = (meeting.status, *Meeting.MOVES[Meeting.Status(meeting.status)])
        self.fields["status"].label = "Status" if meeting is None else "What happened"
        self.fields["status"].choices = [(s, self.LABELS[Meeting.Status(s)]) for s in statuses]

    @classmethod
    def initial_for(cls, meeting):
        return {
            "status": meeting.status, "starts_at": meeting.starts_at,
            "duration_minutes": meeting.duration_minutes,
            "focus_areas": list(meeting.focus_areas.all()), "private_notes": meeting.private_notes,
            "client_summary": meeting.client_summary, "paid": meeting.paid,
            "location": meeting.location, "video_link": meeting.video_link,
        }

    def details(self):
        data = self.cleaned_data
        return {name: data[name] for name in (
            "starts_at", "duration_minutes", "location", "video_link", "private_notes", "client_summary", "paid",
        )}
