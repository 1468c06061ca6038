"""Reads about meetings: the next meeting the agreement's cadence suggests."""

import zoneinfo

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from followthrough.clients.models import Agreement, Engagement
from followthrough.history import clock

from .cadence import suggest_next_meeting
from .models import Meeting


def with_next_suggestion(meetings):
    """`meetings` with what the suggestion needs, read in the same query: the newest
    agreement's cadence and whether a later meeting is already on record."""
    newest = Agreement.objects.filter(engagement=OuterRef("engagement_id")).order_by("-version")
    later = Meeting.objects.filter(engagement=OuterRef("engagement_id"), starts_at__gt=OuterRef("starts_at")) \
        .filter(~Q(status=Meeting.Status.CANCELLED))
    return meetings.select_related("engagement__client__practice").annotate(
        agreed_cadence=Subquery(newest.values("meeting_cadence")[:1]), has_later_meeting=Exists(later))


def next_suggested_at(meeting):
    """When the next meeting would be on the agreed cadence, or None: only after the latest
    meeting of an active engagement, once it was held, and when the cadence's wording is read.

    `meeting` comes from `with_next_suggestion`; any other is read again with it (one query)."""
    if not hasattr(meeting, "has_later_meeting"):
        meeting = with_next_suggestion(Meeting.objects.filter(pk=meeting.pk)).get()
    if meeting.status != Meeting.Status.HELD or meeting.engagement.state != Engagement.State.ACTIVE \
            or meeting.has_later_meeting or not meeting.agreed_cadence:
        return None
    practice = meeting.engagement.client.practice
    held_at = timezone.localtime(meeting.starts_at, zoneinfo.ZoneInfo(practice.timezone))
    return suggest_next_meeting(cadence_text=meeting.agreed_cadence, held_at=held_at,
                                today=clock.today(practice.timezone))
