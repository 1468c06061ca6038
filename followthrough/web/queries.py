"""The reads behind the caseload and the client file, each a fixed number of queries."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import CharField, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from followthrough.clients.models import Engagement, EngagementTransition, PlannedBreak
from followthrough.commitments.models import Commitment
from followthrough.engine.metrics import engagement_followthrough, figure
from followthrough.engine.models import Flag
from followthrough.engine.selectors import engagement_flags, flag_reason
from followthrough.history.selectors import events_by_seq, visible_history
from followthrough.meetings.models import GoalScore, Meeting, MeetingCheck
from followthrough.protocol.models import Intervention, Letter, Referral
from followthrough.protocol.selectors import engagement_interventions
from followthrough.web.models import ExternalReferral
from followthrough.web.services import referral_letter

OPEN_STATES = [state for state in Engagement.State.values if state != Engagement.State.ENDED]
# The longest search the caseload takes (pages and API); anything beyond is cut off.
SEARCH_MAX = 200
# How many rows a page of the caseload, and of the practice's engagements, shows (pages and API).
CASELOAD_PAGE = 50
ENGAGEMENTS_PAGE = 50
# How many of the newest changes the client file shows, and a page of the whole history.
HISTORY_ON_FILE = 30
HISTORY_PAGE = 100
# How many of the newest meetings the file's timeline shows unless asked for all of them.
TIMELINE_ON_FILE = 20


def _count(queryset):
    grouped = queryset.order_by().values("engagement__client").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), Value(0))


# How the caseload can be ordered: the choice as the page offers it, and its ordering (of
# the coach's engagements, one per client; `client_name` is the client's name, kept on the
# engagement so the name order, and the search, come from an index on the coach's engagements).
CASELOAD_SORTS = {
    "name": ("Name", ["client_name", "client_id"]),
    "last_held": ("Last held, oldest first", [F("last_held_at").asc(nulls_first=True), "client_name", "client_id"]),
    "next_planned": ("Next planned", [F("next_planned_at").asc(nulls_last=True), "client_name", "client_id"]),
    "overdue": ("Most overdue", ["-overdue_count", "client_name", "client_id"]),
}
CASELOAD_SORT_NEEDS = {"last_held": ["last_held_at"], "next_planned": ["next_planned_at"],
                       "overdue": ["overdue_count"]}


def _figures(coach, names):
    """Each figure of a caseload row named in `names`, as an annotation on the coach's
    engagement that stands for its client. Only those asked for are built: building the
    expressions is a good part of the page's own time.

    Every lookup goes by client, then checks the coach as `coach_id + 0`: with a plain
    `coach_id = …` SQLite (which keeps no table statistics) searched the coach's whole
    caseload once per client row, which made the page grow with the square of the caseload.
    """
    today = coach.practice.today()

    def mine(queryset, prefix=""):
        return queryset.alias(held_by=F(f"{prefix}coach_id") + Value(0)).filter(
            **{f"{prefix}client": OuterRef("client_id"), "held_by": coach.pk})

    def meetings(status, order):
        return mine(Meeting.objects.all(), "engagement__").filter(status=status).order_by(order)

    def open_commitments():
        return mine(Commitment.objects.filter(outcome=Commitment.Outcome.OPEN,
                                              engagement__state__in=OPEN_STATES), "engagement__")

    builders = {
        "last_held_at": lambda: Subquery(meetings(Meeting.Status.HELD, "-starts_at").values("starts_at")[:1]),
        "next_planned_at": lambda: Subquery(meetings(Meeting.Status.PLANNED, "starts_at").values("starts_at")[:1]),
        "overdue_count": lambda: _count(open_commitments().filter(due_on__lt=today)),
        "is_flagged": lambda: Exists(mine(Flag.objects.filter(cleared_at=None), "engagement__")),
        "has_open_intervention": lambda: Exists(mine(Intervention.objects.filter(closed_at=None), "engagement__")),
    }
    return {name: builders[name]() for name in names}


def caseload(coach, user, *, search="", state="", flagged=False, intervention=False, overdue=False,
             sort="name"):
    """The coach's clients that match, in order, as a query (not yet run) of one engagement
    per client, whose `client_id` is what the page lists.

    Only the figures a filter or the sort needs are computed here, for every client; the
    page then reads the full rows of its own clients with `caseload_rows`. The state shown
    is that of the newest engagement with this coach; open commitments are counted only in
    engagements still open, since an ended engagement's leftovers are no longer anyone's
    work. Without a state, ended engagements are left out: the caseload is the work in hand.
    """
    needed = set(CASELOAD_SORT_NEEDS.get(sort, ()))
    needed |= {name for name, on in (("is_flagged", flagged), ("has_open_intervention", intervention),
                                     ("overdue_count", overdue)) if on}
    # A client holds at most one open engagement with a coach, so an open state gives one
    # engagement per client; "ended" means none is open, and one ended engagement (the
    # latest made) stands for the client.
    held = Engagement.objects.visible_to(user).filter(coach=coach)
    still_open = held.exclude(state=Engagement.State.ENDED)
    if state == Engagement.State.ENDED:
        ended = held.filter(state=state)
        later = ended.filter(client=OuterRef("client_id"), pk__gt=OuterRef("pk"))
        rows = ended.exclude(client__in=still_open.values("client_id")).exclude(Exists(later))
    else:
        rows = held.filter(state=state) if state else still_open
    rows = rows.annotate(**_figures(coach, needed))
    search = (search or "").strip()[:SEARCH_MAX]
    if search:
        rows = rows.filter(Q(client_name__icontains=search) | Q(client_email__icontains=search))
    if flagged:
        rows = rows.filter(is_flagged=True)
    if intervention:
        rows = rows.filter(has_open_intervention=True)
    if overdue:
        rows = rows.filter(overdue_count__gt=0)
    return rows.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"])[1])


def caseload_page(coach, user, number, **filters):
    """One page of the caseload (Django's Page of client ids; an unknown or out-of-range
    number gives the first or last page) and its rows, as the caseload page and the API both
    list it. The count and the page are two walks of the coach's engagements on one index,
    the page's stopping at its last row."""
    try:
        number = max(1, int(number))  # a page below the first, or not a number, is the first
    except (TypeError, ValueError):
        number = 1
    page = Paginator(caseload(coach, user, **filters).values_list("client_id", flat=True),
                     CASELOAD_PAGE).get_page(number)
    page.object_list = list(page.object_list)
    return page, caseload_rows(coach, user, page.object_list)


@dataclass
class CaseloadRow:
    """One client's row on the caseload: the newest engagement with this coach, and its figures."""

    pk: int
    uid: uuid.UUID
    full_name: str
    engagement_uid: uuid.UUID
    engagement_state: str
    check_back_on: date | None
    last_held_at: datetime | None = None
    next_planned_at: datetime | None = None
    open_count: int = 0
    overdue_count: int = 0
    is_flagged: bool = False
    has_open_intervention: bool = False


def caseload_rows(coach, user, ids):
    """The full caseload rows of the clients `ids` (one page), in that order.

    Four small queries, each on an index and keyed by the page's engagements, with the same
    rules as `_figures`. One query with a correlated subquery per figure cost more to build
    in the ORM, and on PostgreSQL to run, than these four together.
    """
    engagements = (Engagement.objects.visible_to(user).filter(coach=coach, client_id__in=ids)
                   .order_by("client_id", "-started_on", "-created_at", "-pk")
                   .values_list("pk", "client_id", "state", "uid", "check_back_on", "client__uid",
                                "client__full_name"))
    rows, client_of, still_open = {}, {}, []
    for pk, client_id, state, uid, check_back_on, client_uid, full_name in engagements:
        client_of[pk] = client_id
        if state in OPEN_STATES:
            still_open.append(pk)
        if client_id not in rows:  # the newest engagement comes first
            rows[client_id] = CaseloadRow(pk=client_id, uid=client_uid, full_name=full_name, engagement_uid=uid,
                                          engagement_state=state, check_back_on=check_back_on)
    if rows:
        _add_meeting_figures(rows, client_of)
        _add_commitment_figures(rows, client_of, still_open, coach.practice.today())
        _add_open_marks(rows, client_of)
    return [rows[pk] for pk in ids if pk in rows]


def _add_meeting_figures(rows, client_of):
    held, planned = Meeting.Status.HELD, Meeting.Status.PLANNED
    for engagement_id, last_held, next_planned in (
            Meeting.objects.filter(engagement_id__in=client_of).order_by().values("engagement_id")
            .annotate(last_held=Max("starts_at", filter=Q(status=held)),
                      next_planned=Min("starts_at", filter=Q(status=planned)))
            .values_list("engagement_id", "last_held", "next_planned")):
        row = rows[client_of[engagement_id]]
        if last_held and (row.last_held_at is None or last_held > row.last_held_at):
            row.last_held_at = last_held
        if next_planned and (row.next_planned_at is None or next_planned < row.next_planned_at):
            row.next_planned_at = next_planned


def _add_commitment_figures(rows, client_of, still_open, today):
    # Counted only in engagements still open: an ended engagement's leftovers are nobody's work.
    for engagement_id, open_count, overdue_count in (
            Commitment.objects.filter(engagement_id__in=still_open, outcome=Commitment.Outcome.OPEN).order_by()
            .values("engagement_id").annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
            .values_list("engagement_id", "n", "overdue")):
        row = rows[client_of[engagement_id]]
        row.open_count += open_count
        row.overdue_count += overdue_count


def _add_open_marks(rows, client_of):
    # One read for both marks: the engagements with an open flag and those with an open intervention.
    def mark(queryset, name):
        return queryset.order_by().values_list("engagement_id", Value(name, output_field=CharField()))

    flagged = mark(Flag.objects.filter(engagement_id__in=client_of, cleared_at=None), "is_flagged")
    intervened = mark(Intervention.objects.filter(engagement_id__in=client_of, closed_at=None),
                      "has_open_intervention")
    for engagement_id, name in flagged.union(intervened):
        setattr(rows[client_of[engagement_id]], name, True)


def practice_engagements(practice, *, coach_uid="", state="", intervention=False):
    """Every engagement in the practice, for its admin: who holds it, its state, and
    whether an intervention is open. One query, sliced by the page."""
    rows = (
        Engagement.objects.filter(coach__practice=practice)
        .select_related("client", "coach")
        .annotate(open_intervention_step=Subquery(
            Intervention.objects.filter(engagement=OuterRef("pk"), closed_at=None).values("last_step")[:1]),
            has_open_intervention=Exists(Intervention.objects.filter(engagement=OuterRef("pk"), closed_at=None)))
    )
    if coach_uid:
        rows = rows.filter(coach__uid=coach_uid)
    if state:
        rows = rows.filter(state=state)
    if intervention:
        rows = rows.filter(has_open_intervention=True)
    return rows.order_by("coach__display_name", "client__full_name", "pk")


# What many an engagement has none of (a flag, an intervention, a letter, a referral, a
# planned break, a move): the engagements are read with whether each has any, and the file
# reads a list only where there is something in it. Each read skipped is one round trip saved.
ON_FILE = {
    "flags": Flag, "interventions": Intervention, "letters": Letter, "referrals": Referral,
    "external_referrals": ExternalReferral, "planned_breaks": PlannedBreak, "transitions": EngagementTransition,
}
ENGAGEMENT_OF = {Referral: "from_engagement"}
# Whether each engagement has any of each, and each meeting a check: built once, as building
# the subqueries costs more than the page's own reads of them (an expression is copied each
# time a query uses it).
HAS_ON_FILE = {f"has_{name}": Exists(model.objects.filter(**{ENGAGEMENT_OF.get(model, "engagement"): OuterRef("pk")}))
               for name, model in ON_FILE.items()}
HAS_CHECK = Exists(MeetingCheck.objects.filter(meeting=OuterRef("pk")))


def client_file(client, user, engagement_uid=None, all_meetings=False):
    """Everything the client file page shows, read in a fixed number of queries at most.
    The timeline holds the newest TIMELINE_ON_FILE meetings, or all of them."""
    engagements = list(
        # Through the client's own manager, so each engagement already holds its client.
        client.engagements.visible_to(user)
        .select_related("coach")
        .annotate(**HAS_ON_FILE)
    )
    _add_moves(engagements)
    # The engagement each one continues, when this user may see it (a link to one they may
    # not would lead nowhere); it is the same client's, so it is one of these.
    by_pk = {engagement.pk: engagement for engagement in engagements}
    for engagement in engagements:
        engagement.continues = by_pk.get(engagement.previous_id)
    selected = engagements[0] if engagements else None
    if engagement_uid:
        selected = next((e for e in engagements if str(e.uid) == str(engagement_uid)), None)
        if selected is None:
            raise Http404("No such engagement")
    data = {"engagements": engagements, "selected": selected, "agreements": [],
            "current_agreement": None, "meetings": [], "loose_commitments": []}
    focus_names = practice_focus_names(client.practice)
    if selected is not None:
        data.update(_engagement_file(selected, focus_names, all_meetings))
    # The newest changes; the whole history is a page of its own (`client_history`).
    history = visible_history(client, user=user)
    data["events"], data["history_total"] = events_by_seq(history[:HISTORY_ON_FILE]), len(history)
    data["focus_names"] = focus_names
    return data


def _add_moves(engagements):
    """Each engagement's state changes (`moves`, oldest first), read only for those that have any."""
    moves = defaultdict(list)
    moved = [engagement.pk for engagement in engagements if engagement.has_transitions]
    if moved:
        for move in EngagementTransition.objects.filter(engagement_id__in=moved).select_related("by"):
            moves[move.engagement_id].append(move)
    for engagement in engagements:
        engagement.moves = moves.get(engagement.pk, [])


def practice_focus_names(practice):
    """pk -> name of every focus area of the practice (retired ones too: records name them),
    in the practice's order; the history's values and the meetings name areas by pk."""
    return {area.pk: area.name for area in practice.focus_areas.all()}


def _engagement_file(engagement, focus_names, all_meetings=False):
    agreements = list(
        engagement.agreements.select_related("primary_focus", "created_by")
        .prefetch_related("goals").order_by("-version")
    )
    meetings = list(engagement.meetings.annotate(has_check=HAS_CHECK).order_by("-starts_at", "-pk"))
    _add_discussed_and_scores(engagement, meetings, focus_names,
                              {goal.pk: goal for agreement in agreements for goal in agreement.goals.all()})
    # One query for all the engagement's commitments, grouped here by the meeting that made
    # them, the meeting that reviewed them and the ones derived from them. Both of those
    # belong to the same engagement (the services refuse otherwise), so they are linked
    # from what is read here rather than joined again.
    commitments = list(engagement.commitments.order_by("due_on", "pk"))
    by_pk, meeting_by_pk = {c.pk: c for c in commitments}, {m.pk: m for m in meetings}
    made, reviewed, derived = defaultdict(list), defaultdict(list), defaultdict(list)
    for commitment in commitments:
        made[commitment.made_at_id].append(commitment)
        if commitment.reviewed_in_id in meeting_by_pk:
            commitment.reviewed_in = meeting_by_pk[commitment.reviewed_in_id]
            reviewed[commitment.reviewed_in_id].append(commitment)
        if commitment.derived_from_id in by_pk:
            commitment.derived_from = by_pk[commitment.derived_from_id]
            derived[commitment.derived_from_id].append(commitment)
    for commitment in commitments:
        commitment.derived_list = derived.get(commitment.pk, [])
    for meeting in meetings:
        meeting.made = made.get(meeting.pk, [])
        meeting.reviewed = reviewed.get(meeting.pk, [])
        meeting.follow_through = follow_through(meeting.reviewed)
    shown = meetings if all_meetings else meetings[:TIMELINE_ON_FILE]
    _add_anchors(engagement, meetings, commitments, {meeting.pk for meeting in shown})
    def listed(name, read):
        return read() if getattr(engagement, f"has_{name}") else []

    flags = listed("flags", lambda: list(engagement_flags(engagement)))
    return {
        "followthrough": engagement_followthrough(engagement, meetings=meetings, commitments=commitments),
        "open_flags": [(flag, flag_reason(flag)) for flag in flags if flag.cleared_at is None],
        "interventions": listed("interventions", lambda: engagement_interventions(engagement)),
        "letters": listed("letters", lambda: list(engagement.letters.order_by("-created_at"))),
        "referrals": listed("referrals", lambda: list(engagement.referrals_out.select_related("to_coach",
                                                                                              "focus_area"))),
        "external_referrals": listed("external_referrals", lambda: _with_letters(
            engagement.external_referrals.select_related("associate", "focus_area"))),
        "agreements": agreements,
        "current_agreement": agreements[0] if agreements else None,
        "meetings": shown,
        "meetings_total": len(meetings),
        "loose_commitments": made.get(None, []),
        "open_commitments": [c for c in commitments if c.is_open],
        "planned_breaks": listed("planned_breaks", lambda: list(engagement.planned_breaks.order_by("-starts_on",
                                                                                                   "-pk"))),
        "meeting_checks": _meeting_checks(meetings),
        "client_today": engagement.client.today(),
    }


def _meeting_checks(meetings):
    """The checks of those meetings that have one, each with its meeting (read only if any)."""
    checked = {meeting.pk: meeting for meeting in meetings if meeting.has_check}
    checks = list(MeetingCheck.objects.filter(meeting_id__in=list(checked)).order_by()) if checked else []
    for check in checks:
        check.meeting = checked[check.meeting_id]
    return checks


def _add_anchors(engagement, meetings, commitments, shown):
    """Each meeting's and commitment's link within the file (`anchor`): to its place on this
    page, or, for one in a meeting the timeline does not show, to the file with every meeting."""
    every = f"?engagement={engagement.uid}&meetings=all" if len(shown) < len(meetings) else ""
    for meeting in meetings:
        meeting.anchor = ("" if meeting.pk in shown else every) + f"#meeting-{meeting.uid}"
    for commitment in commitments:
        on_page = commitment.made_at_id is None or commitment.made_at_id in shown
        commitment.anchor = ("" if on_page else every) + f"#c-{commitment.uid}"


def _add_discussed_and_scores(engagement, meetings, focus_names, goals):
    """Each meeting's `discussed` (the names of the focus areas) and `scores` (its goal
    scores, each with its goal): two reads by id, named from what the file has already read.
    A score is only ever of one of the engagement's goals, so without goals there is none to
    read; without meetings, nothing at all."""
    by_pk = {meeting.pk: meeting for meeting in meetings}
    for meeting in meetings:
        meeting.discussed, meeting.scores = [], []
    if not meetings:
        return
    # `focus_names` is in the practice's order of its areas; each meeting lists them so.
    position = {pk: n for n, pk in enumerate(focus_names)}
    for meeting_id, area_id in sorted(
            Meeting.focus_areas.through.objects.filter(meeting__engagement=engagement)
            .values_list("meeting_id", "focusarea_id"), key=lambda pair: position.get(pair[1], len(position))):
        by_pk[meeting_id].discussed.append(focus_names.get(area_id, ""))
    for score in GoalScore.objects.filter(meeting__engagement=engagement).order_by("pk") if goals else ():
        score.goal = goals[score.goal_id]
        by_pk[score.meeting_id].scores.append(score)


def _with_letters(external_referrals):
    """Each referral outside the practice with its letter, for a coach who sends it by hand."""
    referrals = list(external_referrals)
    for referral in referrals:
        referral.letter_text = referral_letter(referral)
    return referrals


def follow_through(reviewed):
    """The engine's figure for what a meeting reviewed (waived left out; None if nothing counted)."""
    return figure([(c.outcome, c.kept_fraction) for c in reviewed])
