"""What the API reads and writes about meetings; datetimes carry their time zone, so a
naive one is refused rather than guessed at."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from followthrough.ui.api import In

from .models import CHECK_QUESTIONS, Meeting, MeetingCheck
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


class MeetingCheckOut(Schema):
    """A meeting check as the coach reads it: the four answers (0-10) and their mean."""

    meeting_uid: UUID
    meeting_starts_at: datetime
    on_what_matters: int
    plan_fits_week: int
    felt_heard: int
    sure_to_do_it: int
    score: float
    answered_at: datetime
    answered_via: Literal[tuple(MeetingCheck.Via.values)]

    @staticmethod
    def resolve_meeting_uid(obj):
        return obj.meeting.uid

    @staticmethod
    def resolve_meeting_starts_at(obj):
        return obj.meeting.starts_at


def _answer():
    # Any JSON value: the service judges it, so a wrong answer gets the pages' message.
    return Field(None, json_schema_extra={"type": "integer", "minimum": 0, "maximum": 10})


class MeetingCheckIn(In):
    on_what_matters: Any = _answer()
    plan_fits_week: Any = _answer()
    felt_heard: Any = _answer()
    sure_to_do_it: Any = _answer()


class QuestionOut(Schema):
    name: str
    wording: str


class SignedCheckOut(Schema):
    """What the signed link shows: the meeting's day and coach, the questions, whether it
    is answered. Nothing else about the client."""

    meeting_starts_at: datetime
    coach: str
    questions: list[QuestionOut]
    answered: bool
    note: str = ("These are Followthrough's own questions, each answered from 0 (not at all) to 10 "
                 "(fully); not a validated questionnaire.")


QUESTIONS = [{"name": name, "wording": wording} for name, wording in CHECK_QUESTIONS.items()]
