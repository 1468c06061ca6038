"""Reads about commitments that pages and the API share."""

import zoneinfo

from django.utils import timezone

from followthrough.history import clock
from followthrough.meetings.models import Meeting

from .fresh_start import fresh_starts


def next_planned_meeting(engagement):
    return (Meeting.objects.filter(engagement=engagement, status=Meeting.Status.PLANNED,
                                   starts_at__gt=clock.now()).order_by("starts_at").first())


def fresh_starts_for(engagement, *, next_meeting=None):
    """The fresh starts a coach may offer this client, from the practice's day, with the
    next planned meeting's day (in the practice's time zone) among them."""
    practice = engagement.coach.practice
    day = None
    if next_meeting is not None:
        day = timezone.localtime(next_meeting.starts_at, zoneinfo.ZoneInfo(practice.timezone)).date()
    return fresh_starts(practice.today(), next_meeting=day)
