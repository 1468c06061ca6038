"""Plan requests: the coach asks, the client answers in the portal."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from followthrough.access import coach_of
from followthrough.commitments.plans import TO_CLIENT, plan_problems
from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update

from .models import PlanRequest


@transaction.atomic
def plan_request_create(*, commitment, by):
    """The coach asks the client to plan an open commitment; asking twice keeps one request."""
    lock(commitment)
    coach = coach_of(by)
    if coach is None or coach.pk != commitment.engagement.coach_id:
        raise ValidationError("Only the coach holding this engagement can ask the client to plan.")
    if not commitment.is_open:
        raise ValidationError("This commitment was already reviewed; there is nothing left to plan.")
    commitment.engagement.require_active("asking the client for a plan")
    existing = commitment.plan_requests.unanswered().first()
    if existing is not None:
        return existing
    request = PlanRequest(commitment=commitment, requested_by=by, requested_at=clock.now())
    return tracked_create(request, by=by, action="plan_request.created")


@transaction.atomic
def plan_request_answer(*, plan_request, by, planned_at, minutes_needed, has_tools, tools_needed=""):
    """The client answers: the day and time, the minutes it needs, and the tools.

    The answers become the commitment's plan. A plan time without a zone is read in the
    client's own time zone. Nothing is saved unless every answer is right.
    """
    lock(plan_request)
    commitment = lock(plan_request.commitment)
    client = commitment.engagement.client
    if by is None or client.user_id is None or by.pk != client.user_id:
        raise ValidationError("Only the client this plan is for can answer it.")
    if plan_request.is_answered:
        raise ValidationError("You already answered this. If your plan has changed, tell your coach.")
    if not commitment.is_open:
        raise ValidationError("This action was already reviewed with your coach, so it needs no plan now.")
    if planned_at is not None and timezone.is_naive(planned_at):
        planned_at = timezone.make_aware(planned_at, zoneinfo.ZoneInfo(client.timezone))
    errors = plan_problems(planned_at=planned_at, minutes_needed=minutes_needed, has_tools=has_tools,
                           tools_needed=tools_needed, now=clock.now(), due_on=commitment.due_on,
                           time_zone=client.timezone, words=TO_CLIENT)
    if errors:
        raise ValidationError(errors)
    plan = {"planned_at": planned_at, "minutes_needed": minutes_needed, "has_tools": has_tools,
            "tools_needed": (tools_needed or "").strip()}
    tracked_update(commitment, by=by, action="commitment.plan_answered", changes=plan)
    tracked_update(plan_request, by=by, action="plan_request.answered",
                   changes={**plan, "answered_at": clock.now(), "answered_by": by})
    return plan_request
