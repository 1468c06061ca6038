"""What the API reads and writes about meetings; datetimes carry their time zone, so a
naive one is refused rather than guessed at."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from followthrough.ui.api import In

from .models import Meeting
from .selectors import next_suggested_at

MeetingStatus = Literal[tuple(Meeting.Status.values)]


class MeetingOut(Schema):
    uid: UUID
    engagement_uid: UUID
    status: MeetingStatus
    starts_at: datetime
    duration_minutes: int
    focus_areas: list[str]
    private_notes: str
    client_summary: str
    paid: bool
    location: str
    video_link: str
    reviewed_at: datetime | None
    created_at: datetime
    next_suggested_at: datetime | None = Field(
        None, description="Once a meeting is held, the next one on the agreement's cadence "
                          "(null when the cadence's wording is not read, or a later meeting exists)")

    @staticmethod
    def resolve_engagement_uid(obj):
        return obj.engagement.uid

    @staticmethod
    def resolve_focus_areas(obj):
        return [area.slug for area in obj.focus_areas.all()]

    @staticmethod
    def resolve_next_suggested_at(obj):
        return next_suggested_at(obj)


class MeetingIn(In):
    starts_at: AwareDatetime
    status: MeetingStatus = "planned"
    duration_minutes: int = 60
    focus_areas: list[str] = Field([], description="Focus area slugs")
    private_notes: str = ""
    client_summary: str = ""
    paid: bool = False
    location: str = Field("", description="Where you meet, e.g. the office address")
    video_link: str = Field("", description="The call's http(s) address, if you meet online")


class MeetingPatch(In):
    """Only the fields sent are changed; null is not a value any of them takes."""

    status: MeetingStatus = None
    starts_at: AwareDatetime = None
    duration_minutes: int = None
    focus_areas: list[str] = Field(None, description="Focus area slugs; replaces the list")
    private_notes: str = None
    client_summary: str = None
    paid: bool = None
    location: str = None
    video_link: str = None
