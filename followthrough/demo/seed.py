"""The demo practice: coaches and about twenty clients whose files tell the product's stories.

Everything is written through the services, so the event log is complete and `verify`
passes. Each client is one line in STORIES; the builder turns the line into an intake, an
agreement, meetings, reviews and commitments. While a step runs, the clock is set to the
moment it happened, and the steps of all the stories run in time order: the records and
the event log then read as the months they describe, not as one burst of writes today.

Script tokens, one per meeting, oldest first. The first letter says what became of the
commitments due at that meeting:
  -  nothing was due (a first meeting)     K  kept      P  partly kept
  M  missed       W  waived (the story's reason)       N  no-show (the meeting was not held)
then optionally `@slug,slug` for the focus areas discussed when they were not the
agreement's, and `+reinstate`, `+trim` or `+renegotiate` for what was agreed at the end
of the meeting. A lone `|` is a long break: the engagement ends and the client is later
re-engaged as a new engagement linked to the old one. A story's `protocol` runs the protocol
around its meetings (protocol.py): interventions, a referral and letters.

After each held meeting the client answers the meeting check: steady answers from 8 to 10
(near the top, as most clients answer), or the story's own `checks`, one whole number per
held meeting used for all four answers.
"""

import heapq
import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from followthrough.clients.services import (
    agreement_acknowledge,
    agreement_create,
    client_create,
    client_link_account,
    engagement_end,
    engagement_reengage,
    planned_break_record,
)
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import MeetingReview, Review, meeting_review
from followthrough.history import clock
from followthrough.meetings.models import CHECK_QUESTIONS, MeetingCheck
from followthrough.meetings.services import meeting_check_record, meeting_create
from followthrough.practice.models import Practice
from followthrough.practice.services import coach_create, practice_create
from followthrough.ui import mail

from .plans import FOCUS_PLANS
from .protocol import after_meeting

PRACTICE_NAME = "Harbourside Coaching Collective"
TIME_ZONE = "Europe/London"
PASSWORD = "followthrough-demo"  # noqa: S105 - the demo's published password, printed by `demo`
SEED = 20240917
GAP_DAYS = 150  # the break between an ended engagement and the client's return

TZ = ZoneInfo(TIME_ZONE)


@dataclass(frozen=True)
class CoachSpec:
    name: str
    specialties: tuple[str, ...]
    capacity: int
    accepts_referrals: bool = True
    admin: bool = False

    @property
    def username(self):
        return self.name.split()[0].lower()


COACHES = [
    CoachSpec("Maya Okafor", ("business", "leadership"), 20, admin=True),
    CoachSpec("Tom Reyes", ("relationships", "life-transitions"), 16),
    CoachSpec("Priya Nair", ("career", "personal-growth"), 18),
    # Relationships is among Owen's specialties but his caseload is full, so a referral
    # search for a relationship coach must pass him over.
    CoachSpec("Owen Hughes", ("health", "relationships"), 3, accepts_referrals=False),
    CoachSpec("Lena Fischer", ("finances", "business"), 14),
]


@dataclass(frozen=True)
class Story:
    name: str
    coach: str            # the coach's username
    focus: str            # the agreement's primary focus
    came_for: str
    script: str
    covers: str = ""      # key into SCENARIOS
    every: int = 14       # days between meetings
    last: int | None = None  # days since the last scripted meeting; None picks one
    reason: str = ""      # the client's words when a commitment is waived
    renegotiate: tuple[str, str] = ("", "")  # (why, the new call to action)
    then: str = ""        # "pause" or "refer": the last meeting closes (no new actions or plans)
    protocol: str = ""    # "recover", "pause" or "refer": see protocol.py
    login: str = ""       # username of the client's own portal account
    acknowledged: bool = True
    checks: str = ""      # the meeting checks' scores, one per held meeting; "" answers steadily
    break_ahead: str = ""  # the reason of a planned break starting a few days from today


SCENARIOS = {
    "nonproductive": "missed every commitment for three held meetings (flagged: try the protocol)",
    "drift": "last three meetings all about their relationship (drift flagged: try referring)",
    "one-off-focus": "one off-focus meeting among on-focus ones (not drift)",
    "recovering": "flagged, then the protocol: reaffirm, file review, a reinstated commitment "
                  "with a plan as the new goal; kept for two meetings, closed as recovered",
    "referred": "drifted: referred with consent to a relationships coach; completed, coach told",
    "waived": "a commitment waived while the client was in hospital",
    "paused": "a trimmed new goal, then a final review that paused, a check-back date, a letter",
    "re-engaged": "ended, then re-engaged months later as a new engagement linked to the old",
    "no-show": "a meeting the client did not come to",
    "renegotiated": "an agreement renegotiated to a new version",
    "portal": "a client with their own portal login",
    "new": "a new client who has not yet acknowledged the agreement",
    "planned-break": "a planned break (a family holiday) starting in a few days: what falls due "
                     "in it is waived, and no reminder goes out",
    "alliance-drop": "keeps every commitment, but her meeting checks fell from 9 or 10 to 6 "
                     "(alliance drop flagged: try reaffirming what matters to her)",
}

STORIES = [
    Story("Daniel Price", "maya", "business", "Turn the joinery workshop into a business that pays "
          "a salary", "- K K M M M", covers="nonproductive"),
    Story("Grace Whitfield", "maya", "business", "Grow the florist's wedding bookings",
          "- K K K P@relationships M@relationships M@relationships", covers="drift"),
    Story("Samuel Ortiz", "maya", "business", "Launch the bike repair van",
          "- K K K@relationships K", covers="one-off-focus"),
    Story("Amelia Clarke", "maya", "business", "Take the bakery's catering side to a steady income",
          "- K P K K K", covers="portal", login="amelia"),
    Story("Ravi Menon", "maya", "business", "Win the first three retainer clients for the studio",
          "- K M M M+reinstate+renegotiate K K", covers="recovering", protocol="recover",
          renegotiate=("Agreed a lower bar while Ravi rebuilds the habit of doing the actions.",
                       "Five sales conversations a month")),
    Story("Hannah Wilde", "tom", "relationships", "Stop the same argument from coming back",
          "- K K P K", covers="planned-break", break_ahead="Family holiday in Portugal"),
    Story("Marcus Bell", "tom", "relationships", "Rebuild trust with his brother after the "
          "family business split", "- K N K P", covers="no-show"),
    Story("Chloe Adams", "tom", "life-transitions", "Decide whether to move back to Leeds",
          "- K M M M+trim M", covers="paused", then="pause", last=20, protocol="pause"),
    Story("Isla Moreno", "tom", "life-transitions", "Settle in after moving from Madrid",
          "- K K K", every=7),
    Story("Jacob Turner", "priya", "career", "Move from retail management into HR", "- K K K K"),
    Story("Fatima Rahman", "priya", "career", "Return to architecture after a career break",
          "- K K K | - K K", covers="re-engaged"),
    Story("Leo Novak", "priya", "personal-growth", "Build a steadier daily routine", "- P K P K"),
    Story("Zoe Campbell", "priya", "career", "Get a first job in game design", "-", covers="new",
          acknowledged=False),
    Story("Ben Carter", "owen", "health", "Get fit enough to walk the Pennine Way",
          "- K W K K", covers="waived",
          reason="I was in hospital for two weeks after my appendix burst."),
    Story("Nora Evans", "owen", "health", "Sleep and eat better during night shifts", "- K K P",
          every=7),
    Story("Ethan Brooks", "owen", "relationships", "Be a calmer co-parent", "- P P K"),
    Story("Olivia Grant", "lena", "finances", "Clear the credit card and start saving",
          "- K K K K", covers="alliance-drop", checks="9 10 10 9 6"),
    Story("Henry Walsh", "lena", "finances", "Save for a deposit on a first home",
          "- M P K+renegotiate K", covers="renegotiated",
          renegotiate=("Henry's partner is moving in, so the savings target goes up.",
                       "Put £600 into the deposit account each payday")),
    Story("Sophie Lambert", "lena", "business", "Price the design agency's work properly",
          "- K K K"),
    Story("William Foster", "lena", "finances", "Get on top of the bills after redundancy",
          "- K M K M K"),
    Story("Aisha Karimi", "lena", "business", "Get the bookkeeping firm through its first year",
          "- K K P@relationships K@relationships K@relationships", covers="referred", then="refer",
          last=60, protocol="refer"),
]

# Per focus: the goal with its attainment levels (-2 ... +2), the call to action, and
# actions to choose commitments from as (description, tools needed).

NOTES = {
    "-": ["Intake done; went through the agreement line by line. Keen to start."],
    "K": ["Everything done, and it shows in the numbers.", "Came in with energy; did what we agreed.",
          "Kept to the plan even in a busy week."],
    "P": ["Started but ran out of time; we looked at where the time went.",
          "Half done. The plan was too ambitious for the week."],
    "M": ["Nothing done again. Talked mostly about how the fortnight went.",
          "Apologetic; said work swallowed the week.", "Quiet. Did not look at the actions."],
    "W": ["Back from hospital and recovering; nothing expected of the last fortnight."],
}
MISSED_WORDS = ["Work took over the whole week.", "I kept putting it off until it was too late.",
                "Honestly, I didn't feel like it.", "I forgot until the night before."]
OUTCOMES = {"K": Commitment.Outcome.KEPT, "P": Commitment.Outcome.PARTLY_KEPT,
            "M": Commitment.Outcome.MISSED, "W": Commitment.Outcome.WAIVED}


@dataclass(frozen=True)
class Beat:
    """One scripted meeting."""

    outcome: str
    topics: tuple[str, ...]
    extras: frozenset
    starts_at: datetime
    after_gap: bool = False  # the first meeting of a new engagement after a long break


def _at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _beats(story, today, rng):
    """The story's meetings with their times, walking back from the most recent one."""
    day = today - timedelta(days=story.last or rng.randint(1, story.every - 3))
    beats = []
    for token in reversed(story.script.split()):
        if token == "|":  # noqa: S105 - a word of a story script, not a password
            # Walking backwards, the meeting just placed is the first after the break.
            beats[-1] = replace(beats[-1], after_gap=True)
            day -= timedelta(days=GAP_DAYS - story.every)
            continue
        head, *extras = token.split("+")
        outcome, _, topics = head.partition("@")
        jitter = rng.choice((-1, 0, 0, 1)) if beats else 0
        starts_at = _at(day + timedelta(days=jitter), rng.choice((9, 10, 14, 16)))
        beats.append(Beat(outcome, tuple(topics.split(",")) if topics else (story.focus,),
                          frozenset(extras), starts_at))
        day -= timedelta(days=story.every)
    return beats[::-1]


def _run_in_time_order(stories):
    """Advance story generators, each yielding when its next step happens, oldest first."""
    queue = []
    for order, steps in enumerate(stories):
        when = next(steps, None)
        if when is not None:
            queue.append((when, order, steps))
    heapq.heapify(queue)
    while queue:
        when, order, steps = heapq.heappop(queue)
        with clock.set_to(when):
            following = next(steps, None)
        if following is not None:
            if following < when:
                raise RuntimeError(f"story {order} goes back in time at {following}")
            heapq.heappush(queue, (following, order, steps))


class _Builder:
    def __init__(self, world, story, rng):
        self.world, self.story, self.rng = world, story, rng
        self.coach = world["coaches"][story.coach]
        self.by = self.coach.user
        self.goal, self.call_to_action, _ = FOCUS_PLANS[story.focus]
        self.level, self.progress = -1, Decimal(0)
        self.fee = Decimal(rng.choice((75, 90, 110, 120)))
        # A source of its own, so the checks do not reshuffle the rest of the story.
        self.check_rng = random.Random(f"checks {story.name}")  # noqa: S311 - seeded on purpose
        self.checks = [int(score) for score in story.checks.split()]

    def terms(self, call_to_action=None):
        focus = self.world["focus"]
        return {
            "came_for": self.story.came_for, "primary_focus": focus[self.story.focus],
            "meeting_cadence": "Weekly" if self.story.every == 7 else "Every two weeks",
            "fee_amount": self.fee, "fee_currency": "GBP", "fee_terms": "per meeting, invoiced monthly",
            "call_to_action": call_to_action or self.call_to_action,
        }

    def steps(self):
        story, rng, by = self.story, self.rng, self.by
        beats = _beats(story, self.world["today"], rng)
        yield beats[0].starts_at - timedelta(days=rng.randint(3, 10), hours=1)
        first, _, last = story.name.partition(" ")
        client = client_create(
            coach=self.coach, by=by, full_name=story.name, timezone=TIME_ZONE,
            email=f"{first}.{last}@example.org".lower(), phone=f"07700 900{rng.randint(100, 999)}",
            started_on=clock.today(TIME_ZONE),
        )
        self.client, self.engagement = client, client.engagements.get()
        title, measure, levels = self.goal
        self.agreement = agreement_create(
            engagement=self.engagement, by=by, **self.terms(),
            goals=[{"title": title, "measure": measure,
                    **dict(zip(("level_minus_2", "level_minus_1", "level_0", "level_plus_1",
                                "level_plus_2"), levels, strict=True))}],
        )
        self.portal_user = None
        if story.login:
            self.portal_user = get_user_model().objects.create_user(
                story.login, client.email, PASSWORD, first_name=first, last_name=last)
            client_link_account(client=client, user=self.portal_user, by=by)
        for index, beat in enumerate(beats):
            following = beats[index + 1] if index + 1 < len(beats) else None
            yield beat.starts_at + timedelta(hours=1)
            self.meeting(beat, following, first_of_engagement=index == 0 or beat.after_gap)
            yield from after_meeting(self, beat, following)
            if following is not None and following.after_gap:
                yield beat.starts_at + timedelta(days=10)
                engagement_end(engagement=self.engagement, by=by,
                               note="We agreed to stop here; the door stays open.")
                yield following.starts_at - timedelta(days=7)
                self.engagement = engagement_reengage(previous=self.engagement, by=by,
                                                      started_on=clock.today(TIME_ZONE))
                self.agreement = self.engagement.agreements.get()
        if story.break_ahead:
            yield beats[-1].starts_at + timedelta(hours=3)
            today = self.world["today"]
            planned_break_record(engagement=self.engagement, by=by, reason=story.break_ahead,
                                 starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=16))

    def meeting(self, beat, following, *, first_of_engagement):
        story, rng, by = self.story, self.rng, self.by
        focus = self.world["focus"]
        if beat.outcome == "N":
            meeting_create(engagement=self.engagement, by=by, starts_at=beat.starts_at,
                           status="no_show", private_notes="Did not come and did not send word.")
            return
        due = list(Commitment.objects.open().filter(engagement=self.engagement,
                                                     due_on__lte=beat.starts_at.date()))
        reviews = [self.review(commitment, beat.outcome) for commitment in due]
        next_start = following.starts_at if following else beat.starts_at + timedelta(days=story.every)
        closing = (following is None and story.then) or (following and following.after_gap)
        new = [] if closing else self.new_commitments(beat, reviews, next_start)
        topics = ", ".join(focus[slug].name.lower() for slug in beat.topics)
        summary = [f"We talked about {topics}."]
        if reviews:
            counts = Counter(Commitment.Outcome(r.outcome).label.lower() for r in reviews)
            summary.append("Your actions: " + ", ".join(f"{n} {label}" for label, n in counts.items()) + ".")
        if new:
            summary.append("Next: " + "; ".join(f"{c['description']} by {c['due_on']:%d %b}" for c in new) + ".")
        meeting = meeting_create(
            engagement=self.engagement, by=by, starts_at=beat.starts_at, status="held",
            duration_minutes=90 if first_of_engagement else 60,
            focus_areas=[focus[slug] for slug in beat.topics],
            private_notes=rng.choice(NOTES[beat.outcome]), client_summary=" ".join(summary),
            paid=rng.random() < 0.9,
        )
        if first_of_engagement and story.acknowledged:
            agreement_acknowledge(agreement=self.agreement, typed_name=story.name,
                                  by=self.portal_user or by)
        counted = [r for r in reviews if r.outcome != Commitment.Outcome.WAIVED]
        gain = sum((r.kept_fraction or Decimal(r.outcome == Commitment.Outcome.KEPT) for r in counted),
                   Decimal(0))
        scores = {}
        # A score is recorded at the first meeting and whenever work was done; a meeting
        # with nothing done leaves the goals unscored, which is what "no progress" means.
        if first_of_engagement or gain:
            self.progress += gain / max(len(counted), 1)
            self.level = min(2, -1 + int(self.progress // 2))
            scores = {goal: self.level for goal in self.agreement.goals.all()}
        meeting_review(meeting=meeting, by=by, review=MeetingReview(
            reviews=reviews, new_commitments=new, goal_scores=scores))
        self.check(meeting)
        if "renegotiate" in beat.extras and not story.protocol:  # else the new goal renegotiates
            reason, call_to_action = story.renegotiate
            self.agreement = agreement_create(engagement=self.engagement, by=by,
                                              renegotiation_reason=reason, **self.terms(call_to_action))
            agreement_acknowledge(agreement=self.agreement, typed_name=story.name,
                                  by=self.portal_user or by)
        if following is None and not story.then:
            meeting_create(engagement=self.engagement, by=by, starts_at=next_start,
                           focus_areas=[focus[story.focus]])

    def check(self, meeting):
        """The client's meeting check, answered in the portal or from the email's link."""
        if self.checks:
            answers = dict.fromkeys(CHECK_QUESTIONS, self.checks.pop(0))
        else:
            answers = {question: self.check_rng.randint(8, 10) for question in CHECK_QUESTIONS}
        via = MeetingCheck.Via.PORTAL if self.portal_user else MeetingCheck.Via.EMAIL_LINK
        meeting_check_record(meeting=meeting, answers=answers, via=via, by=self.portal_user)

    def review(self, commitment, letter):
        outcome = OUTCOMES[letter]
        words = {Commitment.Outcome.MISSED: self.rng.choice(MISSED_WORDS),
                 Commitment.Outcome.WAIVED: self.story.reason,
                 Commitment.Outcome.PARTLY_KEPT: "Got part of the way there."}.get(outcome, "")
        fraction = self.rng.choice((Decimal("0.5"), Decimal("0.75"))) if letter == "P" else None
        return Review(commitment=commitment, outcome=outcome, kept_fraction=fraction,
                      client_reason=words)

    def new_commitments(self, beat, reviews, next_start):
        rng = self.rng
        meeting_day = beat.starts_at.date()
        due_on = max(next_start.date() - timedelta(days=rng.randint(1, 3)),
                     meeting_day + timedelta(days=1))

        def plan(tools):
            days = rng.randint(1, (due_on - meeting_day).days)
            return {"due_on": due_on, "planned_at": _at(meeting_day + timedelta(days=days),
                                                        rng.choice((7, 12, 18, 19))),
                    "minutes_needed": rng.choice((20, 30, 45, 60, 90)),
                    "tools_needed": tools, "has_tools": True if tools else None}

        missed = [r.commitment for r in reviews if r.outcome == Commitment.Outcome.MISSED]
        if self.story.protocol:  # the first missed one becomes the protocol's new goal
            self.missed, missed = missed, missed[1:]
        if "reinstate" in beat.extras:
            return [{"description": c.description, "derived_from": c, "derivation": "reinstated",
                     **plan(c.tools_needed or "a free hour in the diary")} for c in missed]
        if "trim" in beat.extras:
            return [{"description": f"Just the first step of: {c.description[0].lower()}"
                                    f"{c.description[1:]}", "derived_from": c, "derivation": "trimmed",
                     **plan(c.tools_needed)} for c in missed]
        tasks = FOCUS_PLANS[beat.topics[0]][2]
        return [{"description": text, **plan(tools)}
                for text, tools in rng.sample(tasks, rng.choice((1, 2, 2)))]


def demo_practice():
    return Practice.objects.filter(name=PRACTICE_NAME).order_by("pk").first()


def seed_demo():
    """Build the demo practice; returns it, or None when it already exists."""
    if demo_practice() is not None:
        return None
    today = clock.now().astimezone(TZ).date()
    with transaction.atomic():
        with clock.set_to(_at(today - timedelta(days=400), 9)):
            practice = practice_create(name=PRACTICE_NAME, timezone=TIME_ZONE)
            focus = {area.slug: area for area in practice.focus_areas.all()}
            coaches = {
                spec.username: coach_create(
                    practice=practice, username=spec.username,
                    email=f"{spec.username}@harbourside.example.org", display_name=spec.name,
                    password=PASSWORD, specialties=[focus[s] for s in spec.specialties],
                    accepts_referrals=spec.accepts_referrals, caseload_capacity=spec.capacity,
                    is_practice_admin=spec.admin)
                for spec in COACHES
            }
        world = {"practice": practice, "focus": focus, "coaches": coaches, "today": today}
        # One generator per story, each with its own seeded random source, so adding a
        # story does not reshuffle the others.
        with mail.held_back():
            _run_in_time_order(_Builder(world, story, random.Random(SEED + index)).steps()  # noqa: S311 - seeded on purpose: the demo story must be the same every run
                               for index, story in enumerate(STORIES))
    return practice


def demo_logins(practice=None):
    """Who can sign in to the demo: (username, name, what they are) rows."""
    practice = practice or demo_practice()
    if practice is None:
        return []
    rows = []
    for coach in practice.coaches.select_related("user").prefetch_related("specialties"):
        role = ", ".join(area.name.lower() for area in coach.specialties.all()) + " coach"
        if coach.is_practice_admin:
            role += "; practice admin"
        if not coach.accepts_referrals:
            role += "; not accepting referrals"
        rows.append((coach.user.get_username(), coach.display_name, role))
    for client in practice.clients.filter(user__isnull=False).select_related("user"):
        rows.append((client.user.get_username(), client.full_name,
                     f"client (portal), email {client.email}"))
    return rows


def story_clients():
    """(client name, coach username, scenario description) for the stories worth opening."""
    return [(s.name, s.coach, SCENARIOS[s.covers]) for s in STORIES if s.covers]
