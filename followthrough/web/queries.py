"""The reads behind the caseload and the client file, each a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from followthrough.clients.models import Client, Engagement, EngagementTransition
from followthrough.commitments.models import Commitment
from followthrough.engine.metrics import figure
from followthrough.engine.selectors import engagement_flags, flag_reason
from followthrough.history.selectors import events_for_client
from followthrough.meetings.models import GoalScore, Meeting
from followthrough.protocol.selectors import engagement_interventions

OPEN_STATES = [state for state in Engagement.State.values if state != Engagement.State.ENDED]


def _count(queryset):
    grouped = queryset.order_by().values("engagement__client").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), Value(0))


def caseload(coach, user):
    """One row per client of the coach, every figure computed in a single query.

    The state shown is that of the newest engagement with this coach; open commitments are
    counted only in engagements still open, since an ended engagement's leftovers are no
    longer anyone's work.
    """
    today = coach.practice.today()
    latest = Engagement.objects.filter(client=OuterRef("pk"), coach=coach).order_by(
        "-started_on", "-created_at", "-pk")
    mine = {"engagement__client": OuterRef("pk"), "engagement__coach": coach}
    held = Meeting.objects.filter(status=Meeting.Status.HELD, **mine).order_by("-starts_at")
    planned = Meeting.objects.filter(status=Meeting.Status.PLANNED, **mine).order_by("starts_at")
    open_commitments = Commitment.objects.filter(
        outcome=Commitment.Outcome.OPEN, engagement__state__in=OPEN_STATES, **mine)
    return list(
        Client.objects.visible_to(user)
        .annotate(
            engagement_uid=Subquery(latest.values("uid")[:1]),
            engagement_state=Subquery(latest.values("state")[:1]),
            check_back_on=Subquery(latest.values("check_back_on")[:1]),
            last_held_at=Subquery(held.values("starts_at")[:1]),
            next_planned_at=Subquery(planned.values("starts_at")[:1]),
            open_count=_count(open_commitments),
            overdue_count=_count(open_commitments.filter(due_on__lt=today)),
        )
        .order_by("full_name", "pk")
    )


def client_file(client, user, engagement_uid=None):
    """Everything the client file page shows, read in a fixed number of queries."""
    engagements = list(
        Engagement.objects.visible_to(user).filter(client=client)
        .select_related("coach", "previous")
        .prefetch_related(Prefetch("transitions",
                                   queryset=EngagementTransition.objects.select_related("by")))
    )
    selected = engagements[0] if engagements else None
    if engagement_uid:
        selected = next((e for e in engagements if str(e.uid) == str(engagement_uid)), None)
        if selected is None:
            raise Http404("No such engagement")
    data = {"engagements": engagements, "selected": selected, "agreements": [],
            "current_agreement": None, "meetings": [], "loose_commitments": []}
    if selected is not None:
        data.update(_engagement_file(selected))
    data["events"] = events_for_client(client, user=user)
    data["focus_names"] = {area.pk: area.name for area in client.practice.focus_areas.all()}
    return data


def _engagement_file(engagement):
    agreements = list(
        engagement.agreements.select_related("primary_focus", "created_by")
        .prefetch_related("goals").order_by("-version")
    )
    meetings = list(
        Meeting.objects.filter(engagement=engagement)
        .prefetch_related("focus_areas",
                          Prefetch("goal_scores", queryset=GoalScore.objects.select_related("goal")))
        .order_by("-starts_at", "-pk")
    )
    # One query for all the engagement's commitments, grouped here by the meeting that made
    # them, the meeting that reviewed them and the ones derived from them.
    commitments = list(
        Commitment.objects.filter(engagement=engagement)
        .select_related("derived_from", "reviewed_in").order_by("due_on", "pk")
    )
    made, reviewed, derived = defaultdict(list), defaultdict(list), defaultdict(list)
    for commitment in commitments:
        made[commitment.made_at_id].append(commitment)
        if commitment.reviewed_in_id:
            reviewed[commitment.reviewed_in_id].append(commitment)
        if commitment.derived_from_id:
            derived[commitment.derived_from_id].append(commitment)
    for commitment in commitments:
        commitment.derived_list = derived.get(commitment.pk, [])
    for meeting in meetings:
        meeting.made = made.get(meeting.pk, [])
        meeting.reviewed = reviewed.get(meeting.pk, [])
        meeting.follow_through = follow_through(meeting.reviewed)
    flags = list(engagement_flags(engagement))
    return {
        "open_flags": [(flag, flag_reason(flag)) for flag in flags if flag.cleared_at is None],
        "interventions": engagement_interventions(engagement),
        "letters": list(engagement.letters.order_by("-created_at")),
        "referrals": list(engagement.referrals_out.select_related("to_coach", "focus_area")),
        "agreements": agreements,
        "current_agreement": agreements[0] if agreements else None,
        "meetings": meetings,
        "loose_commitments": made.get(None, []),
        "open_commitments": [c for c in commitments if c.is_open],
    }


def follow_through(reviewed):
    """The engine's figure for what a meeting reviewed (waived left out; None if nothing counted)."""
    return figure([(c.outcome, c.kept_fraction) for c in reviewed])
