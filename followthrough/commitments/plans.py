"""The plan of a commitment, and the one rule of what makes a plan complete.

A commitment the client is meant to act on needs the day and time they will do it, the
minutes it takes, and whether they have the tools (and which are missing). The coach's
pages, the protocol's new-goal step and the client's own plan answer all ask this one
rule; only the words differ, since the coach is asked about the client and the client
about themselves.
"""

import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

MINUTES_MAX = 10_000
TOOLS_NEEDED_MAX = 300


@dataclass(frozen=True)
class PlanWords:
    when_missing: str
    when_past: str
    when_after_due: str
    minutes_missing: str
    tools_unanswered: str
    tools_unnamed: str


TO_COACH = PlanWords(
    when_missing="Which day and time will the client do it?",
    when_past="The planned day and time must be in the future.",
    when_after_due="The planned day must be on or before the due date ({due:%-d %B}).",
    minutes_missing="How many minutes will it take?",
    tools_unanswered="Does the client have everything needed to do it?",
    tools_unnamed="Say which tools or materials are missing.",
)
TO_CLIENT = PlanWords(
    when_missing="Choose the day and time you will do it.",
    when_past="Choose a day and time that is still to come.",
    when_after_due="It is due on {due:%-d %B}: choose a day on or before it, or ask your coach for a new date.",
    minutes_missing="Say about how many minutes it will take.",
    tools_unanswered="Say whether you already have what you need.",
    tools_unnamed="Say what you still need, so you and your coach can plan getting it.",
)


def plan_problems(*, planned_at, minutes_needed, has_tools, tools_needed, now, due_on=None, time_zone=None,
                  words=TO_COACH):
    """Every problem with a plan, keyed by field, so a form can show each in place.

    `now` is the moment the plan is judged at; `due_on`, when given, is the last day the
    planned time may fall on, that day read in `time_zone` (the person's who plans).
    """
    errors = {}
    if planned_at is None:
        errors["planned_at"] = words.when_missing
    elif planned_at <= now:
        errors["planned_at"] = words.when_past
    elif due_on is not None and _day(planned_at, time_zone) > due_on:
        errors["planned_at"] = words.when_after_due.format(due=due_on)
    if minutes_needed is None or minutes_needed == "":
        errors["minutes_needed"] = words.minutes_missing
    elif isinstance(minutes_needed, bool) or not isinstance(minutes_needed, int):
        errors["minutes_needed"] = "Enter the minutes as a whole number."
    elif not 1 <= minutes_needed <= MINUTES_MAX:
        errors["minutes_needed"] = f"Enter a number of minutes from 1 to {MINUTES_MAX:,}."
    if not isinstance(has_tools, bool):
        errors["has_tools"] = words.tools_unanswered
    tools = (tools_needed or "").strip()
    if has_tools is False and not tools:
        errors["tools_needed"] = words.tools_unnamed
    elif len(tools) > TOOLS_NEEDED_MAX:
        errors["tools_needed"] = f"Keep this under {TOOLS_NEEDED_MAX} characters."
    return errors


def _day(moment, time_zone):
    return timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone)).date() if time_zone else moment.date()
