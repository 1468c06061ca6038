"""The protocol in the demo: interventions, a referral and letters, as the stories lived them.

seed.py's builder hands over after every scripted meeting (`after_meeting`, a generator that
yields the moment of its next step, like the builder's own steps, so the clock reads true).
First the engine looks at the engagement as it would have after that meeting, so flags are
raised and cleared on the days they were; the engine's recovery hook then closes a
recovering client's intervention on its own. A story's `protocol` says what it shows:

  recover  at the `+reinstate` meeting the nonproductive flag is open: the coach opens an
           intervention, reaffirms, reviews the file, and the reinstated commitment with its
           plan is the new goal (with the agreement renegotiated to a lower bar when the
           beat says `+renegotiate`); two kept meetings later it closes as recovered.
  pause    the same opening at the `+trim` meeting, a trimmed new goal, and at the last
           meeting the final review pauses the engagement; the pause letter is sent.
  refer    at the last meeting the focus-drift flag is open: the coach refers the client to
           the best-ranked associate for the new focus, records consent; the associate
           accepts (the original engagement waits as referred out), meets the client, and
           completes (the original coach is notified).

Clients without a `protocol` keep whatever flag the engine raised (Daniel Price, Grace
Whitfield) so that a coach trying the demo can run the protocol on them.
"""

from datetime import timedelta

from followthrough.clients.services import agreement_acknowledge, agreement_create
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh
from followthrough.history import clock
from followthrough.meetings.services import meeting_create
from followthrough.protocol.letters import letter_draft, letter_send
from followthrough.protocol.models import Intervention, Letter
from followthrough.protocol.recovery import recovery_check
from followthrough.protocol.referrals import (
    referral_accept,
    referral_candidates,
    referral_complete,
    referral_offer,
    referral_record_consent,
)
from followthrough.protocol.services import (
    current_agreement,
    intervention_open,
    step_final_review,
    step_new_goal,
    step_reaffirm,
    step_review_file,
    trimmed_minutes_suggestion,
)

from .plans import FOCUS_PLANS

CHECK_BACK_DAYS = 42  # a paused client's check-back date, counted from today
REFER_TO = "relationships"


def after_meeting(builder, beat, following):
    """Run by the builder right after a scripted meeting; yields the times of later steps."""
    engagement_refresh(engagement=builder.engagement)
    protocol = builder.story.protocol
    if protocol in ("recover", "pause") and beat.extras & {"reinstate", "trim"}:
        yield from _open_and_set_new_goal(builder, beat, following)
    elif protocol == "recover" and following is None:
        # The engine's hook has closed it already when the last two meetings were kept.
        recovery_check(builder.engagement, by=builder.by)
        _require(not builder.engagement.interventions.open().exists(), builder, "did not recover")
    elif protocol == "pause" and following is None:
        yield from _final_review_pause(builder, beat)
    elif protocol == "refer" and following is None:
        yield from _refer(builder, beat)


def _require(condition, builder, what):
    if not condition:
        raise RuntimeError(f"demo: {builder.story.name}'s protocol story {what}")


def _open_flag(builder, kind):
    flag = Flag.objects.open().filter(engagement=builder.engagement, kind=kind).first()
    _require(flag is not None, builder, f"expected an open {kind} flag")
    return flag


def _open(builder, kind, trigger):
    builder.intervention = intervention_open(engagement=builder.engagement, by=builder.by, trigger=trigger,
                                             flag=_open_flag(builder, kind))
    return builder.intervention


def _open_and_set_new_goal(builder, beat, following):
    story, by = builder.story, builder.by
    reinstate = "reinstate" in beat.extras
    yield beat.starts_at + timedelta(hours=1, minutes=5)
    intervention = _open(builder, Flag.Kind.NONPRODUCTIVE, Intervention.Trigger.NONPRODUCTIVE)
    yield beat.starts_at + timedelta(hours=1, minutes=10)
    if reinstate:
        step_reaffirm(intervention=intervention, by=by, response="renegotiate",
                      work_request="Asked whether I could write the sales emails for him this month.",
                      note="Went through why he came and what each of us does; he wants a lower bar.")
    else:
        step_reaffirm(intervention=intervention, by=by, response="recommits",
                      note="Went back to what she came for; she still wants to decide about Leeds.")
    yield beat.starts_at + timedelta(hours=1, minutes=20)
    step_review_file(intervention=intervention, by=by, meetings_count=4, share_with_client=True,
                     client_reaction="Surprised to see the same gap three times in a row.")
    yield beat.starts_at + timedelta(hours=1, minutes=30)
    source = builder.missed[0]
    source.refresh_from_db()  # reviewed as missed at this meeting
    meeting_day = beat.starts_at.date()
    due_on = max(following.starts_at.date() - timedelta(days=2), meeting_day + timedelta(days=1))
    planned_at = beat.starts_at.replace(hour=19) + timedelta(days=max(1, (due_on - meeting_day).days // 2))
    plan = {"due_on": due_on, "planned_at": planned_at, "has_tools": True}
    if reinstate:
        plan.update(mode="reinstate", minutes_needed=source.minutes_needed or 45,
                    tools_needed=source.tools_needed or "a free hour in the diary",
                    note="Reinstated with the day, the time and the tools agreed.")
        if "renegotiate" in beat.extras:
            reason, call_to_action = story.renegotiate
            plan["renegotiation"] = {"renegotiation_reason": reason, **builder.terms(call_to_action)}
    else:
        plan.update(mode="trim", minutes_needed=trimmed_minutes_suggestion(source.minutes_needed),
                    description=f"Just the first step of: {source.description[0].lower()}{source.description[1:]}",
                    tools_needed=source.tools_needed, note="A smaller step, due before our next meeting.")
    step_new_goal(intervention=intervention, by=by, source=source, **plan)
    builder.agreement = current_agreement(builder.engagement)
    if not builder.agreement.is_acknowledged:
        agreement_acknowledge(agreement=builder.agreement, typed_name=story.name, by=builder.portal_user or by)


def _final_review_pause(builder, beat):
    by, intervention = builder.by, builder.intervention
    yield beat.starts_at + timedelta(hours=1, minutes=10)
    check_back_on = builder.world["today"] + timedelta(days=CHECK_BACK_DAYS)
    step_final_review(intervention=intervention, by=by, outcome="pause", check_back_on=check_back_on,
                      note="Looked back over the whole intervention together; we agreed to pause "
                           "and talk again in six weeks.")
    builder.engagement.refresh_from_db()  # now paused, with its check-back date
    engagement_refresh(engagement=builder.engagement)  # a paused engagement keeps no open flags
    yield beat.starts_at + timedelta(hours=2)
    letter = letter_draft(engagement=builder.engagement, by=by, kind=Letter.Kind.PAUSE, intervention=intervention)
    yield beat.starts_at + timedelta(days=1, hours=1)
    letter_send(letter=letter, by=by)


def _refer(builder, beat):
    story, by, engagement = builder.story, builder.by, builder.engagement
    focus = builder.world["focus"][REFER_TO]
    yield beat.starts_at + timedelta(hours=1, minutes=5)
    intervention = _open(builder, Flag.Kind.FOCUS_DRIFT, Intervention.Trigger.DRIFT)
    yield beat.starts_at + timedelta(hours=1, minutes=15)
    associate = next(c for c in referral_candidates(engagement=engagement, focus_area=focus)
                     if c.accepts_referrals)
    referral = referral_offer(
        engagement=engagement, by=by, to_coach=associate, focus_area=focus, intervention=intervention,
        message="Our last three meetings were about the family; she would like a relationships coach.",
        note="The focus has moved to her relationship; I do not coach that.")
    yield beat.starts_at + timedelta(hours=1, minutes=20)
    referral_record_consent(referral=referral, by=by, shares_agreement=True, shares_summaries=True,
                            shares_commitments=False,
                            consent_note=f"Agreed in our meeting of {beat.starts_at:%-d %B %Y}: agreement "
                                         "and summaries, not the action list.")
    yield beat.starts_at + timedelta(days=2, hours=1)
    referral_accept(referral=referral, by=associate.user)
    new = referral.associate_engagement
    (title, measure, levels), call_to_action, _ = FOCUS_PLANS[REFER_TO]
    agreement = agreement_create(
        engagement=new, by=associate.user, came_for="Make peace at home while the business grows",
        primary_focus=focus, meeting_cadence="Every two weeks", fee_amount=builder.fee, fee_currency="GBP",
        fee_terms="per meeting, invoiced monthly", call_to_action=call_to_action,
        goals=[{"title": title, "measure": measure,
                **dict(zip(("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2"),
                           levels, strict=True))}])
    agreement_acknowledge(agreement=agreement, typed_name=story.name, by=associate.user)
    for week in (1, 3, 5):
        yield beat.starts_at + timedelta(days=2 + 7 * week)
        meeting_create(engagement=new, by=associate.user, starts_at=clock.now() - timedelta(hours=1),
                       status="held", duration_minutes=60, focus_areas=[focus],
                       private_notes="Worked on how she and her partner split the evenings.",
                       client_summary="We talked about home and the week ahead.")
    yield beat.starts_at + timedelta(days=2 + 7 * 6)
    referral_complete(referral=referral, by=associate.user,
                      note="Things are calmer at home; she is ready to get back to the business.")
