"""Running the protocol: opening an intervention, recording each step, closing it.

Every step goes through `_record_step`, which refuses a move the pipeline does not allow and
writes the step as its own row, so the intervention's record is complete and in order.
"""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from followthrough.clients.services import AGREEMENT_TERMS, agreement_create, engagement_end, engagement_pause
from followthrough.commitments.models import Commitment
from followthrough.commitments.plans import plan_problems
from followthrough.commitments.services import commitment_create
from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.meetings.models import Meeting

from .models import FileReview, Intervention, InterventionStep, Step

REAFFIRM_RESPONSES = {
    "recommits": "Recommits to the agreement",
    "renegotiate": "Wants to renegotiate the agreement",
    "declines": "Declines to go on as agreed",
}
FINAL_OUTCOMES = ("back_on_track", "pause", "end", "refer")
TRIM_FLOOR_MINUTES = 10


@transaction.atomic
def intervention_open(*, engagement, by, trigger=Intervention.Trigger.MANUAL, flag=None):
    lock(engagement)
    engagement.require_active("opening an intervention")
    if engagement.interventions.open().exists():
        raise ValidationError("This engagement already has an open intervention; continue that one.")
    intervention = Intervention(
        engagement=engagement, trigger=trigger, opened_by=by, opened_at=clock.now(),
        flag_uid=str(flag.uid) if flag is not None else "",
        trigger_evidence=dict(flag.evidence) if flag is not None else {},
    )
    try:
        with transaction.atomic():
            return tracked_create(intervention, by=by, action="intervention.opened")
    except IntegrityError:
        raise ValidationError("This engagement already has an open intervention; continue that one.") from None


def _record_step(intervention, step, *, by, note="", details=None):
    lock(intervention)
    intervention.check_step(step)
    row = tracked_create(
        InterventionStep(intervention=intervention, step=step, at=clock.now(), by=by,
                         note=(note or "").strip(), details=details or {}),
        by=by, action=f"intervention.step.{step}",
    )
    tracked_update(intervention, by=by, action="intervention.moved", changes={"last_step": step})
    return row


def intervention_close(*, intervention, by, outcome):
    return tracked_update(intervention, by=by, action="intervention.closed",
                          changes={"closed_at": clock.now(), "outcome": outcome})


def current_agreement(engagement):
    return engagement.agreements.select_related("primary_focus").order_by("-version").first()


# Step 1 (the referral itself lives in referrals.py): amend the agreement to the new focus.
@transaction.atomic
def step_amend_focus(*, intervention, by, focus_area, reason, note=""):
    engagement = intervention.engagement
    if not engagement.coach.specialties.filter(pk=focus_area.pk).exists():
        raise ValidationError({"focus_area": f"You do not list {focus_area.name} among your specialties; "
                                             "refer the client to an associate instead."})
    agreement = current_agreement(engagement)
    if agreement is None:
        raise ValidationError("This engagement has no agreement to amend yet.")
    if agreement.primary_focus_id == focus_area.pk:
        raise ValidationError({"focus_area": "The agreement already has this focus."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the focus changes, in the client's terms."})
    step = _record_step(intervention, Step.REFER, by=by, note=note,
                        details={"choice": "amend", "focus_area": focus_area.slug})
    terms = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
    terms["primary_focus"] = focus_area
    new_version = agreement_create(engagement=engagement, by=by, renegotiation_reason=reason, **terms)
    # A new dict, not an edit in place: tracked_update snapshots `before` from the instance,
    # so mutating step.details first would make before == after and log no event.
    tracked_update(step, by=by, action="intervention.step.updated",
                   changes={"details": {**step.details, "agreement_version": new_version.version}})
    intervention_close(intervention=intervention, by=by, outcome=Intervention.Outcome.AMENDED)
    return new_version


@transaction.atomic
def step_reaffirm(*, intervention, by, response, work_request="", note=""):
    """Record the client's response to the recap; a request that the coach do the client's
    work is written down and declined, as the agreement's scope says."""
    if response not in REAFFIRM_RESPONSES:
        raise ValidationError({"response": "Choose: recommits, wants to renegotiate, or declines."})
    details = {"response": response}
    if (work_request or "").strip():
        details["work_request"] = work_request.strip()
        details["work_request_declined"] = True
    return _record_step(intervention, Step.REAFFIRM, by=by, note=note, details=details)


def file_review_meetings(engagement, count):
    """The last `count` meetings that took place or were missed, newest first."""
    return list(
        Meeting.objects.filter(engagement=engagement, status__in=[Meeting.Status.HELD, Meeting.Status.NO_SHOW])
        .order_by("-starts_at")[:count]
    )


@transaction.atomic
def step_review_file(*, intervention, by, meetings_count, client_reaction="", share_with_client=False, note=""):
    if not isinstance(meetings_count, int) or not 1 <= meetings_count <= 52:
        raise ValidationError({"meetings_count": "Choose how many recent meetings to review: 1 to 52."})
    meetings = file_review_meetings(intervention.engagement, meetings_count)
    if not meetings:
        raise ValidationError({"meetings_count": "There are no held or missed meetings to review yet."})
    step = _record_step(intervention, Step.REVIEW_FILE, by=by, note=note,
                        details={"meetings_count": meetings_count, "reaction": (client_reaction or "").strip()})
    now = clock.now()
    return tracked_create(
        FileReview(intervention=intervention, engagement=intervention.engagement, meetings_count=meetings_count,
                   meeting_uids=[str(m.uid) for m in meetings], shown_at=now,
                   client_reaction=(client_reaction or "").strip(), shared_at=now if share_with_client else None),
        by=by, action="file_review.created",
    ), step


@transaction.atomic
def file_review_share(*, file_review, by):
    if file_review.shared_at is not None:
        return file_review
    return tracked_update(file_review, by=by, action="file_review.shared", changes={"shared_at": clock.now()})


def trimmed_minutes_suggestion(minutes):
    """Half of what was missed, never below a floor that still makes it a real action."""
    if not minutes:
        return TRIM_FLOOR_MINUTES
    return max(TRIM_FLOOR_MINUTES, minutes // 2) if minutes > TRIM_FLOOR_MINUTES else max(1, minutes // 2)


_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve"]
_COUNT = re.compile(r"\b(\d+|" + "|".join(_NUMBER_WORDS[2:]) + r")\b", re.I)


def trimmed_wording_suggestion(description, minutes=None):
    """A smaller wording of a missed commitment, for the coach to edit with the client:
    a count is cut to about half ("Email five planners" -> "Email two of the five
    planners"); anything else becomes its first stretch of time."""
    match = _COUNT.search(description)
    if match:
        word = match.group(1)
        number = int(word) if word.isdigit() else _NUMBER_WORDS.index(word.lower())
        half = max(1, number // 2)
        smaller = str(half) if word.isdigit() else _NUMBER_WORDS[half]
        return f"{description[:match.start()]}{smaller} of the {word}{description[match.end():]}"
    return f"The first {trimmed_minutes_suggestion(minutes)} minutes of: {description}"


def _missed(intervention, source):
    if source is None or source.engagement_id != intervention.engagement_id:
        raise ValidationError({"source": "Choose a missed commitment of this engagement."})
    if source.outcome not in (Commitment.Outcome.MISSED, Commitment.Outcome.PARTLY_KEPT):
        raise ValidationError({"source": "Only a missed or partly kept commitment can be reinstated or trimmed."})
    return source


@transaction.atomic
def step_new_goal(*, intervention, by, mode, source, due_on, planned_at=None, minutes_needed=None,
                  has_tools=None, tools_needed="", description="", renegotiation=None, note=""):
    """Reinstate a missed commitment with a concrete plan, or set a smaller one.

    Reinstating is refused until the day and time, the minutes and the tools are answered;
    a missing tool becomes its own small preparation commitment, due first. A trimmed
    commitment must be measurably smaller than what was missed and due before the next
    meeting. `renegotiation` (terms + reason) optionally writes a new agreement version.
    """
    source = _missed(intervention, source)
    engagement = intervention.engagement
    practice = engagement.coach.practice
    errors = plan_problems(planned_at=planned_at, minutes_needed=minutes_needed, has_tools=has_tools,
                           tools_needed=tools_needed, now=clock.now(), due_on=due_on, time_zone=practice.timezone)
    if due_on is None:
        errors["due_on"] = "Give the new due date."
    elif due_on < practice.today():
        errors["due_on"] = "The new due date cannot be in the past."
    if mode == "trim":
        limit = source.minutes_needed
        if not (description or "").strip():
            errors["description"] = "Describe the smaller action."
        if limit and minutes_needed and minutes_needed >= limit:
            errors["minutes_needed"] = (f"A trimmed commitment must take less than the {limit} minutes of the "
                                        f"missed one; try {trimmed_minutes_suggestion(limit)}.")
        next_meeting = (Meeting.objects.filter(engagement=engagement, status=Meeting.Status.PLANNED,
                                               starts_at__gt=clock.now()).order_by("starts_at").first())
        if next_meeting is not None and due_on and due_on > next_meeting.starts_at.date():
            errors["due_on"] = f"Due before the next meeting on {next_meeting.starts_at:%d %b %Y}."
    elif mode != "reinstate":
        errors["mode"] = "Choose to reinstate the missed commitment or set a trimmed one."
    if errors:
        raise ValidationError(errors)

    step = _record_step(intervention, Step.NEW_GOAL, by=by, note=note,
                        details={"mode": mode, "source": str(source.uid)})
    created = []
    if has_tools is False:
        prepare_by = max(practice.today(), planned_at.date() - timedelta(days=1))
        created.append(commitment_create(
            engagement=engagement, by=by, description=f"Get ready: {tools_needed.strip()}",
            due_on=min(prepare_by, due_on), derived_from=source,
            derivation=Commitment.Derivation.PREPARATION, minutes_needed=TRIM_FLOOR_MINUTES,
            tools_needed="", has_tools=True,
        ))
    created.append(commitment_create(
        engagement=engagement, by=by,
        description=source.description if mode == "reinstate" else description.strip(),
        due_on=due_on, derived_from=source,
        derivation=Commitment.Derivation.REINSTATED if mode == "reinstate" else Commitment.Derivation.TRIMMED,
        planned_at=planned_at, minutes_needed=minutes_needed, has_tools=has_tools,
        tools_needed=(tools_needed or "").strip(),
    ))
    if renegotiation:
        terms = dict(renegotiation)
        reason = terms.pop("renegotiation_reason", "")
        agreement_create(engagement=engagement, by=by, renegotiation_reason=reason, **terms)
    tracked_update(step, by=by, action="intervention.step.updated",
                   changes={"details": {**step.details, "commitments": [str(c.uid) for c in created]}})
    return created


@transaction.atomic
def step_final_review(*, intervention, by, outcome, check_back_on=None, note=""):
    """Close the intervention with the outcome agreed at the final review.

    `refer` records the decision; the referral itself is offered through referrals.py and
    the engagement waits as referred out once the associate accepts.
    """
    if outcome not in FINAL_OUTCOMES:
        raise ValidationError({"outcome": "Choose: back on track, pause, end, or refer."})
    if outcome == "pause" and check_back_on is None:
        raise ValidationError({"check_back_on": "A pause needs a check-back date."})
    _record_step(intervention, Step.FINAL_REVIEW, by=by, note=note,
                 details={"outcome": outcome, "check_back_on": check_back_on.isoformat() if check_back_on else None})
    engagement = intervention.engagement
    if outcome == "pause":
        # The move closes the intervention as paused (or ended), with everything else open.
        engagement_pause(engagement=engagement, until=check_back_on, by=by, note="Final review: pause")
    elif outcome == "end":
        engagement_end(engagement=engagement, by=by, note="Final review: end")
    else:
        closed_as = Intervention.Outcome.REFERRED if outcome == "refer" else Intervention.Outcome.BACK_ON_TRACK
        intervention_close(intervention=intervention, by=by, outcome=closed_as)
    intervention.refresh_from_db()
    return intervention


@transaction.atomic
def intervention_close_if_recovered(*, engagement, figures, threshold, meetings_needed, by=None):
    """Close the open intervention as recovered once the last `meetings_needed` held meetings
    since it opened each reached the threshold. `figures` is [(meeting_starts_at, figure)] for
    held meetings with a figure, oldest first (no figure: nothing was due, so it is skipped)."""
    intervention = engagement.interventions.open().first()
    if intervention is None or meetings_needed < 1:
        return None
    since = [value for at, value in figures if at >= intervention.opened_at and value is not None]
    if len(since) < meetings_needed or any(value < threshold for value in since[-meetings_needed:]):
        return None
    return intervention_close(intervention=intervention, by=by, outcome=Intervention.Outcome.RECOVERED)

