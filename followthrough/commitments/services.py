"""Making commitments and reviewing them at a meeting."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from followthrough.clients.models import PlannedBreak
from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.history.signals import announce_records_changed
from followthrough.meetings.models import GoalScore, Meeting

from .models import Commitment

PLAN_FIELDS = ("planned_at", "minutes_needed", "tools_needed", "has_tools")


@transaction.atomic
def commitment_create(*, engagement, by, description, due_on, made_at=None, derived_from=None,
                      derivation="", **plan):
    engagement.require_active("a new commitment")
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    if made_at is not None and made_at.engagement_id != engagement.pk:
        raise ValidationError({"made_at": "The meeting belongs to another engagement."})
    if derived_from is not None and derived_from.engagement_id != engagement.pk:
        raise ValidationError({"derived_from": "A commitment can only come from one of the same engagement."})
    if made_at is not None and due_on < made_at.starts_at.date():
        raise ValidationError({"due_on": "The due date cannot be before the meeting it was made at."})
    check_not_in_break(engagement, due_on)
    commitment = Commitment(
        engagement=engagement, made_at=made_at, description=(description or "").strip(),
        due_on=due_on, derived_from=derived_from, derivation=derivation, **plan,
    )
    return tracked_create(commitment, by=by, action="commitment.created")


def check_not_in_break(engagement, due_on):
    """Refuse a due day inside a planned break in force, offering the day after it."""
    if due_on is None:
        return
    brk = PlannedBreak.objects.covering(due_on).filter(engagement=engagement).order_by("starts_on").first()
    if brk is not None:
        after = brk.ends_on + timedelta(days=1)
        raise ValidationError({"due_on": f"{due_on:%a} {due_on.day} {due_on:%b} falls in the planned break "
                                         f"({brk.words}); choose a day after it, such as "
                                         f"{after:%a} {after.day} {after:%b}."})


@dataclass
class Review:
    commitment: Commitment
    outcome: str
    kept_fraction: Decimal | None = None
    client_reason: str = ""


@dataclass
class MeetingReview:
    """Everything the review screen submits, applied together or not at all."""

    reviews: list[Review] = field(default_factory=list)
    new_commitments: list[dict] = field(default_factory=list)
    goal_scores: dict = field(default_factory=dict)  # goal -> level (or None to leave unscored)


def _review_changes(review, meeting, now):
    outcome = review.outcome
    if outcome not in Commitment.Outcome.values or outcome == Commitment.Outcome.OPEN:
        raise ValidationError({"outcome": "Choose kept, partly kept, missed or waived."})
    fraction = review.kept_fraction if outcome == Commitment.Outcome.PARTLY_KEPT else None
    reason = (review.client_reason or "").strip()
    if outcome == Commitment.Outcome.WAIVED and not reason:
        raise ValidationError({"client_reason": "Say what outside the client's control prevented it."})
    return {"outcome": outcome, "kept_fraction": fraction, "client_reason": reason,
            "reviewed_at": now, "reviewed_in": meeting}


@transaction.atomic
def meeting_review(*, meeting, by, review):
    """Review what was due at a held meeting and set the next commitments, all at once.

    Errors are collected per row and raised together, keyed `review-<uid>-<field>`,
    `new-<n>-<field>` and `goal-<uid>`, so the screen can show each where it belongs.
    """
    lock(meeting)
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError({"status": "Commitments are reviewed at a held meeting; record it as held first."})
    engagement = meeting.engagement
    engagement.require_active("reviewing commitments")
    due = {c.pk: c for c in Commitment.objects.due_for_review_at(meeting).select_for_update()}
    now = clock.now()
    errors, planned = {}, []
    for item in review.reviews:
        commitment = due.get(item.commitment.pk)
        if commitment is None:
            errors[f"review-{item.commitment.uid}-outcome"] = ["This commitment is not due at this meeting."]
            continue
        try:
            changes = _review_changes(item, meeting, now)
            if commitment.outcome == changes["outcome"] and commitment.kept_fraction == changes["kept_fraction"] \
                    and commitment.client_reason == changes["client_reason"]:
                continue
            candidate = Commitment(**{f.attname: getattr(commitment, f.attname)
                                      for f in Commitment._meta.concrete_fields})
            for name, value in changes.items():
                setattr(candidate, name, value)
            candidate.full_clean(validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"review-{commitment.uid}-{name}"] = messages
            continue
        planned.append((commitment, changes))
    for index, values in enumerate(review.new_commitments, start=1):
        try:
            _validate_new(engagement, meeting, values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"new-{index}-{name}"] = messages
    for goal, level in review.goal_scores.items():
        if goal.agreement.engagement_id != engagement.pk:
            errors[f"goal-{goal.uid}"] = ["This goal belongs to another engagement."]
        elif level is not None and level not in (-2, -1, 0, 1, 2):
            errors[f"goal-{goal.uid}"] = ["Choose a level from -2 to +2."]
    if errors:
        raise ValidationError(errors)

    for commitment, changes in planned:
        tracked_update(commitment, by=by, action="commitment.reviewed", changes=changes, validate=False)
    created = [commitment_create(engagement=engagement, by=by, made_at=meeting, **values)
               for values in review.new_commitments]
    for goal, level in review.goal_scores.items():
        if level is None:
            continue
        existing = GoalScore.objects.filter(meeting=meeting, goal=goal).first()
        if existing is None:
            tracked_create(GoalScore(meeting=meeting, goal=goal, level=level), by=by, action="goal_score.recorded")
        elif existing.level != level:
            tracked_update(existing, by=by, action="goal_score.corrected", changes={"level": level})
    tracked_update(meeting, by=by, action="meeting.reviewed", changes={"reviewed_at": now}, validate=False)
    announce_records_changed(engagement.pk)
    return created


def _validate_new(engagement, meeting, values):
    due_on = values.get("due_on")
    candidate = Commitment(engagement=engagement, made_at=meeting,
                           description=(values.get("description") or "").strip(), due_on=due_on,
                           **{k: values.get(k) for k in PLAN_FIELDS if k in values})
    candidate.full_clean(exclude=["engagement", "made_at", "derived_from"], validate_unique=False)
    if due_on is not None and due_on < meeting.starts_at.date():
        raise ValidationError({"due_on": "The due date cannot be before this meeting."})
    check_not_in_break(engagement, due_on)


# The client's own report. Added for the portal; the coach's review screen reads it back
# with `client_report_of` and still sets the outcome itself.

CLIENT_REPORT_NOTE_MAX = 2000


@transaction.atomic
def commitment_client_report(*, commitment, by, note="", via="portal"):
    """The client says an open commitment is done, with an optional note for the coach.

    `via="email_reply"`: the client replied "done" to a reminder; the reply's signed token
    is the proof it is theirs (the caller checked it), so a client without a portal
    account may report too, and `by` is their account if they have one."""
    lock(commitment)
    client = commitment.engagement.client
    if via == "email_reply":
        if by is not None and by.pk != client.user_id:
            raise ValidationError("Only the client who made this commitment can report it done.")
    elif by is None or client.user_id is None or by.pk != client.user_id:
        raise ValidationError("Only the client who made this commitment can report it done.")
    if not commitment.is_open:
        raise ValidationError("This action was already reviewed with your coach.")
    if commitment.client_reported_done_at is not None:
        raise ValidationError("You already told your coach this is done.")
    note = (note or "").strip()
    if len(note) > CLIENT_REPORT_NOTE_MAX:
        raise ValidationError({"client_report_note": f"Keep the note under {CLIENT_REPORT_NOTE_MAX} characters."})
    return tracked_update(
        commitment, by=by, action="commitment.client_reported_done",
        changes={"client_reported_done_at": clock.now(), "client_report_note": note, "client_report_via": via},
    )


@transaction.atomic
def commitment_client_report_undo(*, commitment, by):
    """The client takes back "done" (pressed by mistake, or spoken too soon), until the
    coach reviews the commitment; the report and its undoing both stay in the event log."""
    lock(commitment)
    client = commitment.engagement.client
    if by is None or client.user_id is None or by.pk != client.user_id:
        raise ValidationError("Only the client who made this commitment can take back their report.")
    if not commitment.is_open:
        raise ValidationError("Your coach has already reviewed this with you, so it can no longer be undone.")
    if commitment.client_reported_done_at is None:
        raise ValidationError("You have not marked this as done, so there is nothing to undo.")
    return tracked_update(
        commitment, by=by, action="commitment.client_report_undone",
        changes={"client_reported_done_at": None, "client_report_note": "", "client_report_via": ""},
    )


@dataclass(frozen=True)
class ClientReport:
    reported_at: object
    note: str


def client_report_of(commitment):
    """What the client reported about a commitment, or None: for the review row's
    "client reports done" line. The report stays on record after the review."""
    if commitment.client_reported_done_at is None:
        return None
    return ClientReport(reported_at=commitment.client_reported_done_at, note=commitment.client_report_note)


def reported_done_awaiting_review(engagement):
    """Open commitments the client says are done, for a caseload hint or the review screen."""
    return Commitment.objects.reported_done().filter(engagement=engagement)
