"""Writes to clients, engagements, agreements and goals. Each runs in one transaction and
appends to the event log; a failure leaves nothing half-saved."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from followthrough.history import clock
from followthrough.history.services import lock, tracked_create, tracked_update
from followthrough.history.signals import announce_records_changed

from .models import LAPSE_PLAN, REMINDER_TERMS, Agreement, Client, Engagement, EngagementTransition, Goal, PlannedBreak
from .signals import (
    Move,
    engagement_move_consequences,
    engagement_moved,
    planned_break_cancelled,
    planned_break_recorded,
)

AGREEMENT_TERMS = (
    "came_for", "primary_focus", "meeting_cadence", "fee_amount", "fee_currency", "fee_terms",
    "call_to_action", "client_responsibilities", "coach_scope", "review_terms",
    *REMINDER_TERMS, *LAPSE_PLAN,
)
GOAL_FIELDS = ("title", "measure", *Goal.LEVEL_FIELDS)


@transaction.atomic
def client_create(*, coach, by, full_name, email="", phone="", timezone="UTC", started_on=None,
                  email_shared=False, preferred_name=""):
    """A new client starts with an active engagement with the coach who adds them.

    An email already on another client of the practice is most often the same person
    added twice, so it is refused unless `email_shared` says they are two people.
    """
    email = (email or "").strip()
    _check_email_unique(coach.practice, email, email_shared=email_shared)
    client = Client(practice=coach.practice, full_name=full_name.strip(), email=email, phone=phone,
                    timezone=timezone, preferred_name=(preferred_name or "").strip())
    tracked_create(client, by=by, action="client.created")
    engagement_start(client=client, coach=coach, by=by, started_on=started_on)
    return client


def _check_email_unique(practice, email, *, email_shared, exclude=None):
    if not email or email_shared:
        return
    others = Client.objects.filter(practice=practice, email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.order_by("pk").first()
    if other is not None:
        raise ValidationError({"email": f"{other.full_name} already has this email in the practice. If this is "
                                        "the same person, open their file instead; if two people share it, "
                                        "say so and add them again."})


@transaction.atomic
def client_update(*, client, by, email_shared=False, **changes):
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip()
        _check_email_unique(client.practice, changes["email"], email_shared=email_shared, exclude=client)
    return tracked_update(client, by=by, action="client.updated", changes=changes)


@transaction.atomic
def client_link_account(*, client, user, by):
    """Give a client their own login; it sees only this client's records."""
    if client.user_id is not None:
        raise ValidationError({"user": "This client already has an account."})
    if hasattr(user, "coach"):
        raise ValidationError({"user": "A coach's login cannot also be a client's account."})
    return tracked_update(client, by=by, action="client.account_linked", changes={"user": user})


@transaction.atomic
def engagement_start(*, client, coach, by, started_on=None, previous=None):
    if coach.practice_id != client.practice_id:
        raise ValidationError({"coach": "The coach and the client must belong to the same practice."})
    if Engagement.objects.filter(client=client, coach=coach).open().exists():
        raise ValidationError(
            {"coach": "This client already has an open engagement with this coach; "
                      "resume or end it before starting another."}
        )
    engagement = Engagement(
        client=client, coach=coach, started_on=started_on or coach.practice.today(), previous=previous,
    )
    return tracked_create(engagement, by=by, action="engagement.started")


@transaction.atomic
def engagement_move(*, engagement, to_state, by, note="", check_back_on=None, keep_planned_meetings=False,
                    confirmed=False):
    """Move an engagement along its pipeline, writing the move as its own row.

    A pause, a referral out or an ending closes everything still open, in the same
    transaction (the apps that hold it answer `engagement_moved`): planned meetings are
    cancelled unless a pause keeps them on purpose, open commitments are withdrawn, flags
    clear, pending reminders stop, an open intervention closes with the move as its outcome. Ending is for good, so it
    needs `confirmed` (the coach has seen `engagement_move_preview`).
    """
    lock(engagement)
    _check_move(engagement, to_state, check_back_on, keep_planned_meetings)
    if to_state == Engagement.State.ENDED and not confirmed:
        raise ValidationError({"confirmed": "Ending closes the engagement for good: confirm it once you have "
                                            "seen what it closes."})
    today = engagement.coach.practice.today()
    changes = {
        "state": to_state,
        "check_back_on": check_back_on if to_state == Engagement.State.PAUSED else None,
        "ended_on": today if to_state == Engagement.State.ENDED else None,
    }
    if to_state == Engagement.State.ACTIVE:
        changes["active_since"] = clock.now()
    move = Move(engagement=engagement, from_state=engagement.state, to_state=to_state, by=by,
                note=(note or "").strip(), keep_planned_meetings=keep_planned_meetings)
    tracked_update(engagement, by=by, action="engagement.moved", changes=changes)
    EngagementTransition.objects.create(
        engagement=engagement, from_state=move.from_state, to_state=to_state, at=clock.now(),
        by=by, note=move.note, check_back_on=changes["check_back_on"],
    )
    engagement_moved.send(sender=Engagement, move=move)
    return engagement


def _check_move(engagement, to_state, check_back_on, keep_planned_meetings):
    engagement.check_move(to_state, check_back_on=check_back_on)
    if to_state == Engagement.State.PAUSED and check_back_on <= engagement.coach.practice.today():
        raise ValidationError({"check_back_on": "The check-back date must be after today."})
    if keep_planned_meetings and to_state != Engagement.State.PAUSED:
        raise ValidationError({"keep_planned_meetings": "Only a pause can keep its planned meetings."})


def engagement_move_preview(*, engagement, to_state, check_back_on=None, keep_planned_meetings=False):
    """What the move would close, as [Consequence], checked as the move itself would be
    and writing nothing; the page and the API show it before the coach confirms."""
    _check_move(engagement, to_state, check_back_on, keep_planned_meetings)
    move = Move(engagement=engagement, from_state=engagement.state, to_state=to_state, by=None,
                keep_planned_meetings=keep_planned_meetings)
    answers = engagement_move_consequences.send(sender=Engagement, move=move)
    return [consequence for _, found in answers for consequence in found]


def engagement_pause(*, engagement, until, by, note=""):
    return engagement_move(engagement=engagement, to_state=Engagement.State.PAUSED, by=by,
                           note=note, check_back_on=until)


def engagement_end(*, engagement, by, note=""):
    """End an engagement the coach has decided to end (a final review, a re-engagement)."""
    return engagement_move(engagement=engagement, to_state=Engagement.State.ENDED, by=by, note=note, confirmed=True)


@transaction.atomic
def engagement_reengage(*, previous, by, started_on=None):
    """Coming back after a pause or an ending is a new engagement linked to the old one.

    A paused engagement is ended first, so the client never has two open engagements and
    the old record keeps its history exactly as it was.
    """
    if previous.state == Engagement.State.ACTIVE:
        raise ValidationError("This engagement is still active; there is nothing to re-engage.")
    if previous.state != Engagement.State.ENDED:
        engagement_end(engagement=previous, by=by, note="Continued in a new engagement.")
    engagement = engagement_start(client=previous.client, coach=previous.coach, by=by,
                                  started_on=started_on, previous=previous)
    current = previous.agreements.order_by("-version").first()
    if current is not None:
        agreement_create(engagement=engagement, by=by, carry_goals_from=current,
                         **{name: getattr(current, name) for name in AGREEMENT_TERMS})
    return engagement


def _check_goals(goals):
    errors = []
    for index, goal in enumerate(goals, start=1):
        candidate = Goal(**{name: (goal.get(name) or "").strip() for name in GOAL_FIELDS})
        if not candidate.title:
            errors.append(f"Goal {index}: a goal needs a title.")
            continue
        try:
            candidate.clean()
        except ValidationError as exc:
            errors.extend(f"Goal {index}: {m}" for m in exc.messages)
    if errors:
        raise ValidationError({"goals": errors})


@transaction.atomic
def agreement_create(*, engagement, by, goals=(), carry_goals_from=None, renegotiation_reason="",
                     **terms):
    """Write the next version of an engagement's agreement.

    A renegotiation (any version after the first) must say why; the goals of the version
    it replaces are carried over unless new ones are given.
    """
    if engagement.state == Engagement.State.ENDED:
        raise ValidationError("An ended engagement's agreement cannot change.")
    unknown = set(terms) - set(AGREEMENT_TERMS)
    if unknown:
        raise TypeError(f"unknown agreement terms: {sorted(unknown)}")
    focus = terms.get("primary_focus")
    if focus is not None and focus.practice_id != engagement.client.practice_id:
        raise ValidationError({"primary_focus": "Choose a focus area of this practice."})
    _check_goals(goals)
    latest = engagement.agreements.aggregate(v=Max("version"))["v"] or 0
    if latest and not renegotiation_reason.strip():
        raise ValidationError({"renegotiation_reason": "Say why the agreement is being renegotiated."})
    agreement = Agreement(engagement=engagement, version=latest + 1, created_by=by,
                          renegotiation_reason=renegotiation_reason.strip(), **terms)
    tracked_create(agreement, by=by, action="agreement.created")
    source = carry_goals_from
    if source is None and latest:
        source = engagement.agreements.get(version=latest)
    if goals:
        for position, goal in enumerate(goals):
            values = {name: (goal.get(name) or "").strip() for name in GOAL_FIELDS}
            tracked_create(Goal(agreement=agreement, position=position, **values), by=by,
                           action="goal.created")
    elif source is not None:
        for old in source.goals.all():
            values = {name: getattr(old, name) for name in GOAL_FIELDS}
            tracked_create(Goal(agreement=agreement, position=old.position, carried_from=old, **values),
                           by=by, action="goal.created")
    # A new focus changes what counts as drift; the engine judges it again once saved.
    announce_records_changed(engagement.pk)
    return agreement


def _normalised_name(name):
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@transaction.atomic
def agreement_acknowledge(*, agreement, typed_name, by):
    """The client acknowledges one version by typing their name; once, and never undone."""
    lock(agreement)
    if agreement.is_acknowledged:
        raise ValidationError("This version was already acknowledged.")
    newest = agreement.engagement.agreements.aggregate(v=Max("version"))["v"]
    if agreement.version != newest:
        raise ValidationError("Only the newest version of the agreement can be acknowledged.")
    client_name = agreement.engagement.client.full_name
    if _normalised_name(typed_name) != _normalised_name(client_name):
        # One rule, worded by whoever shows it: the portal speaks to the client, a coach's
        # page to the coach (they look for the code); the API returns this wording.
        raise ValidationError({"typed_name": ValidationError(
            "Type the client's name exactly as on file: %(name)s.", code="name_mismatch",
            params={"name": client_name})})
    return tracked_update(
        agreement, by=by, action="agreement.acknowledged",
        changes={"acknowledged_at": clock.now(), "acknowledged_name": typed_name.strip()},
    )


@transaction.atomic
def goal_add(*, agreement, by, **values):
    """Goals can be added to a version until the client acknowledges it; after that, renegotiate."""
    if agreement.is_acknowledged:
        raise ValidationError(
            "This version is acknowledged; renegotiate the agreement to change its goals."
        )
    _check_goals([values])
    position = agreement.goals.count()
    clean = {name: (values.get(name) or "").strip() for name in GOAL_FIELDS}
    return tracked_create(Goal(agreement=agreement, position=position, **clean), by=by,
                          action="goal.created")



@transaction.atomic
def engagement_hand_over(*, engagement, to_coach, by, note=""):
    """Give an engagement to another coach of the practice (before a coach leaves, say).

    Its meetings, commitments, flags and interventions go with it, since they belong to the
    engagement; the move is written as a transition row (same state, a note naming both
    coaches) so the file shows when and why the coach changed.
    """
    lock(engagement)
    from_coach = engagement.coach
    if to_coach.pk == from_coach.pk:
        raise ValidationError({"to_coach": f"{from_coach.display_name} already holds this engagement."})
    if to_coach.practice_id != from_coach.practice_id or not to_coach.is_active:
        raise ValidationError({"to_coach": "Choose an active coach of this practice."})
    if engagement.state == Engagement.State.ENDED:
        raise ValidationError({"engagement": "An ended engagement stays with the coach who held it."})
    tracked_update(engagement, by=by, action="engagement.handed_over", changes={"coach": to_coach})
    said = (note or "").strip()
    EngagementTransition.objects.create(
        engagement=engagement, from_state=engagement.state, to_state=engagement.state, at=clock.now(),
        by=by, note=f"Handed over from {from_coach.display_name} to {to_coach.display_name}."
                    + (f" {said}" if said else ""),
        check_back_on=engagement.check_back_on,
    )
    return engagement


# Planned breaks. Whose day "today" is: the client's, since the break is in their life.


@transaction.atomic
def planned_break_record(*, engagement, starts_on, ends_on, reason, by):
    """Record a break the client or coach agreed ahead (or while it runs).

    What falls due in it is waived with the break as the reason (the commitments app
    answers `planned_break_recorded`), so nothing in it counts either way. A break wholly
    in the past is refused: it would rewrite what was already due and reviewed as due.
    """
    lock(engagement)
    engagement.require_active("a planned break")
    brk = PlannedBreak(engagement=engagement, starts_on=starts_on, ends_on=ends_on,
                       reason=(reason or "").strip(), recorded_by=by)
    brk.clean()  # first, so an empty reason reads as the break's own words, not "cannot be blank"
    brk.full_clean(exclude=["engagement", "recorded_by"])
    today = engagement.client.today()
    if ends_on < today:
        raise ValidationError({"ends_on": "This break is already over; a break is recorded ahead of time or "
                                          "while it runs, so what was already due stays as it was."})
    other = (PlannedBreak.objects.in_force().filter(engagement=engagement, starts_on__lte=ends_on,
                                                    ends_on__gte=starts_on).order_by("starts_on").first())
    if other is not None:
        raise ValidationError({"starts_on": f"This overlaps the planned break {other.words}; change or cancel "
                                            "that one instead."})
    tracked_create(brk, by=by, action="planned_break.recorded")
    planned_break_recorded.send(sender=PlannedBreak, planned_break=brk, by=by)
    announce_records_changed(engagement.pk)
    return brk


@transaction.atomic
def planned_break_cancel(*, planned_break, by):
    """Cancel a break (plans changed): what it waived and no meeting reviewed is open again.
    The break stays on record, marked cancelled."""
    lock(planned_break)
    if not planned_break.in_force:
        raise ValidationError("This break was already cancelled.")
    # Reopening commitments on a paused or ended engagement would leave something open that
    # the move closed.
    planned_break.engagement.require_active("cancelling a planned break")
    if planned_break.ends_on < planned_break.engagement.client.today():
        raise ValidationError("This break is over; it stays on record as it was.")
    tracked_update(planned_break, by=by, action="planned_break.cancelled", changes={"cancelled_at": clock.now()})
    planned_break_cancelled.send(sender=PlannedBreak, planned_break=planned_break, by=by)
    announce_records_changed(planned_break.engagement_id)
    return planned_break
