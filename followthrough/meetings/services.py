import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.history.signals import announce_records_changed

from .models import CHECK_HIGHEST, CHECK_LOWEST, CHECK_QUESTIONS, Meeting, MeetingCheck

DETAIL_FIELDS = ("starts_at", "duration_minutes", "private_notes", "client_summary", "paid",
                 "location", "video_link")
PLACE_FIELDS = ("location", "video_link")


def _check_place(details):
    """Where the meeting is: trimmed, and a video link the client's browser can open."""
    for name in PLACE_FIELDS:
        if name in details:
            details[name] = (details[name] or "").strip()
    errors = {}
    link = details.get("video_link", "")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["video_link"] = ("Give the call's full web address, starting with https:// "
                                    "(for example https://meet.example.org/ana-bob).")
        if len(link) > Meeting._meta.get_field("video_link").max_length:
            errors["video_link"] = "This address is too long; use the call's short link."
    if len(details.get("location", "")) > Meeting._meta.get_field("location").max_length:
        errors["location"] = "Keep the place to 200 characters; put directions in the summary."
    if errors:
        raise ValidationError(errors)


def _check_focus_areas(engagement, focus_areas):
    if any(area.practice_id != engagement.client.practice_id for area in focus_areas):
        raise ValidationError({"focus_areas": "Choose focus areas of this practice."})


def _check_record(engagement, *, status, starts_at, focus_areas):
    """What a meeting record must be to be true: one that took place is not in the future,
    none is before its engagement began, and a held one says what it was about (focus
    drift is noticed from these tags)."""
    errors = {}
    took_place = status in (Meeting.Status.HELD, Meeting.Status.NO_SHOW)
    if took_place and starts_at > clock.now():
        errors["starts_at"] = "A held or missed meeting has already happened: its start cannot be in the future."
    elif timezone.localtime(starts_at, zoneinfo.ZoneInfo(engagement.coach.practice.timezone)).date() \
            < engagement.started_on:
        errors["starts_at"] = (f"The engagement began on {engagement.started_on:%-d %b %Y}; "
                               "a meeting cannot be before it.")
    if status == Meeting.Status.HELD and not focus_areas:
        errors["focus_areas"] = "Tick the focus areas the meeting was about."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(*, engagement, by, starts_at, status=Meeting.Status.PLANNED, focus_areas=(),
                   **details):
    """Plan a meeting, or record one that already took place (held or no-show)."""
    engagement.require_active("recording a meeting")
    if status == Meeting.Status.CANCELLED:
        raise ValidationError({"status": "Plan the meeting first; a meeting is cancelled from its page."})
    _check_focus_areas(engagement, focus_areas)
    _check_place(details)
    if starts_at is not None:
        _check_record(engagement, status=status, starts_at=starts_at, focus_areas=focus_areas)
    meeting = Meeting(engagement=engagement, status=status, starts_at=starts_at, **details)
    tracked_create(meeting, by=by, action="meeting.created", m2m={"focus_areas": list(focus_areas)})
    if status != Meeting.Status.PLANNED:
        announce_records_changed(engagement.pk)
    return meeting


@transaction.atomic
def meeting_update(*, meeting, by, status=None, focus_areas=None, **details):
    """Record what happened at a meeting, or correct its details; each change is logged."""
    lock(meeting)
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    changes = dict(details)
    _check_place(changes)
    if status is not None and status != meeting.status:
        meeting.check_move(status)
        changes["status"] = status
    if focus_areas is not None:
        _check_focus_areas(meeting.engagement, focus_areas)
    if {"status", "starts_at"} & set(changes) or focus_areas is not None:
        _check_record(meeting.engagement, status=changes.get("status", meeting.status),
                      starts_at=changes.get("starts_at") or meeting.starts_at,
                      focus_areas=focus_areas if focus_areas is not None else list(meeting.focus_areas.all()))
    m2m = {"focus_areas": list(focus_areas)} if focus_areas is not None else None
    updated = tracked_update(meeting, by=by, action="meeting.updated", changes=changes, m2m=m2m)
    if "status" in changes or focus_areas is not None:
        announce_records_changed(meeting.engagement_id)
    return updated


def _check_answers(answers):
    """Each of the four answers a whole number from 0 to 10, keyed by question; nothing else."""
    errors = {}
    for name in CHECK_QUESTIONS:
        value = answers.get(name)
        if value is None or value == "":
            errors[name] = "Choose a number from 0 to 10."
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if isinstance(value, bool) or number is None or str(number) != str(value).strip() \
                or not CHECK_LOWEST <= number <= CHECK_HIGHEST:
            errors[name] = f"Choose a whole number from 0 to 10; got {value!r}."
        else:
            answers[name] = number
    unknown = set(answers) - set(CHECK_QUESTIONS)
    if unknown:
        errors["__all__"] = f"Unknown question(s): {', '.join(sorted(unknown))}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_check_record(*, meeting, answers, via=MeetingCheck.Via.PORTAL, by=None):
    """Record the client's meeting check: once per held meeting, all four answers 0-10."""
    lock(meeting)
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError("A meeting check is for a meeting that was held.")
    if MeetingCheck.objects.filter(meeting=meeting).exists():
        raise ValidationError("This meeting's check is already answered; thank you.")
    answers = dict(answers)
    _check_answers(answers)
    check = MeetingCheck(meeting=meeting, answered_at=clock.now(), answered_via=via, **answers)
    tracked_create(check, by=by, action="meeting_check.answered")
    announce_records_changed(meeting.engagement_id)
    return check
