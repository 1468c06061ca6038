"""The caseload and the client file cost a fixed number of queries, however big the file.

Rows are bulk-created here (tests only) because going through the services for hundreds of
records would make the suite slow; the pages only read them.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.clients.models import Client, Engagement, EngagementTransition, Goal, PlannedBreak
from followthrough.commitments.models import Commitment
from followthrough.meetings.models import GoalScore, Meeting, MeetingCheck

# The sign-in gate: the session, then the user with their coach and the coach's practice (for
# the time zone) in one query; a coach's pages read no client profile. Then the page: the ids
# of one page with the total, then that page's rows (their engagements, meeting dates,
# commitment counts, and in one read their open flags and interventions), its needs-attention
# flags and unread notifications. The to-do comes in a request of its own: one query per kind
# (meetings, reported done, check-backs, agreements, referrals).
GATE_QUERIES = 2
CASELOAD_QUERIES = GATE_QUERIES + 8
TODO_QUERIES = GATE_QUERIES + 5
# The client and the access log's row for this view; the engagements (with whether each has
# moves, flags, interventions, letters, referrals in and outside the practice, planned breaks:
# only those it has are read, at most six reads more); the practice's focus areas; the
# agreements with their goals, the meetings (with whether each has a meeting check), their
# focus areas and goal scores, the commitments; the planned breaks; the thresholds (one); the
# history's changes, which of their records this coach may see, and the newest of them; the
# meeting checks, when there are some. The chart draws from what the file has read.
CLIENT_FILE_QUERIES = 19


def build_caseload(coach, count):
    now, today = timezone.now(), timezone.localdate()
    clients = Client.objects.bulk_create(
        Client(practice=coach.practice, full_name=f"Client {n:04d}") for n in range(count))
    states = [Engagement.State.ACTIVE, Engagement.State.PAUSED, Engagement.State.ENDED]
    engagements = Engagement.objects.bulk_create(
        Engagement(client=c, client_name=c.full_name, client_email=c.email, coach=coach,
                   started_on=today - timedelta(days=90), state=states[n % 3]) for n, c in enumerate(clients))
    meetings = []
    for e in engagements:
        meetings.append(Meeting(engagement=e, status=Meeting.Status.HELD,
                                starts_at=now - timedelta(days=7)))
        meetings.append(Meeting(engagement=e, status=Meeting.Status.PLANNED,
                                starts_at=now + timedelta(days=7)))
    Meeting.objects.bulk_create(meetings)
    Commitment.objects.bulk_create(
        Commitment(engagement=e, description="Do the thing", due_on=today + timedelta(days=d))
        for e in engagements for d in (-3, -1, 5))
    return clients


@pytest.mark.parametrize("count", [10, 500])
def test_caseload_queries_do_not_grow_with_clients(as_coach, coach, count,
                                                   django_assert_num_queries):
    build_caseload(coach, count)
    with django_assert_num_queries(CASELOAD_QUERIES):
        response = as_coach.get(reverse("caseload"))
    assert response.status_code == 200
    rows = response.context["rows"]
    # Two in three are open (active or paused); a page shows at most 50 of them.
    assert response.context["total"] == count - count // 3
    assert len(rows) == min(50, count - count // 3)
    assert all(row["open_count"] == 3 and row["overdue_count"] == 2 for row in rows)
    # Ended engagements have no open commitments to count: that read is skipped.
    with django_assert_num_queries(CASELOAD_QUERIES - 1):
        ended = as_coach.get(reverse("caseload"), {"state": "ended", "q": "client", "sort": "overdue",
                                                   "page": 2 if count > 150 else 1}).context["rows"]
    assert len(ended) == min(50, count // 3)
    assert all(row["open_count"] == 0 and row["engagement_state"] == "ended" for row in ended)


@pytest.mark.parametrize("count", [10, 300])
def test_the_todo_costs_the_same_however_much_waits(as_coach, coach, count, django_assert_num_queries):
    clients = build_caseload(coach, count)
    Meeting.objects.filter(engagement__client__in=clients).update(client_summary="")
    with django_assert_num_queries(TODO_QUERIES):
        as_coach.get(reverse("todo"), {"part": "list"})
    with django_assert_num_queries(TODO_QUERIES):
        response = as_coach.get(reverse("todo"))
    # Every active engagement (one in three) has a held meeting with no summary and no review.
    assert len([i for i in response.context["todo"].items if i.kind == "meeting_review"]) == len(range(0, count, 3))


def build_file(engagement, agreement, count):
    """`count` more meetings in the engagement, each with commitments made, reviewed and derived."""
    start = timezone.now() - timedelta(days=count + 30)
    meetings = Meeting.objects.bulk_create(
        Meeting(engagement=engagement, status=Meeting.Status.HELD,
                starts_at=start + timedelta(days=n), private_notes=f"notes {n}",
                client_summary=f"summary {n}", paid=n % 2 == 0) for n in range(count))
    area = agreement.primary_focus
    Meeting.focus_areas.through.objects.bulk_create(
        Meeting.focus_areas.through(meeting=m, focusarea=area) for m in meetings)
    made = Commitment.objects.bulk_create(
        Commitment(engagement=engagement, made_at=m, description=f"Task {n}",
                   due_on=m.starts_at.date() + timedelta(days=1),
                   outcome=Commitment.Outcome.PARTLY_KEPT if n % 2 else Commitment.Outcome.MISSED,
                   kept_fraction=Decimal("0.50") if n % 2 else None,
                   client_reason="busy week", reviewed_in=meetings[min(n + 1, count - 1)],
                   reviewed_at=timezone.now())
        for n, m in enumerate(meetings))
    Commitment.objects.bulk_create(
        Commitment(engagement=engagement, made_at=meetings[n + 1], description=f"Smaller task {n}",
                   due_on=meetings[n + 1].starts_at.date() + timedelta(days=1), derived_from=c,
                   derivation=Commitment.Derivation.TRIMMED)
        for n, c in enumerate(made[:-1]))
    goal = Goal.objects.filter(agreement=agreement).first()
    GoalScore.objects.bulk_create(GoalScore(meeting=m, goal=goal, level=0) for m in meetings)
    MeetingCheck.objects.bulk_create(
        MeetingCheck(meeting=m, on_what_matters=8, plan_fits_week=7, felt_heard=9, sure_to_do_it=n % 11,
                     answered_at=m.starts_at + timedelta(hours=2)) for n, m in enumerate(meetings))
    EngagementTransition.objects.bulk_create(
        EngagementTransition(engagement=engagement, from_state="active", to_state="active",
                             at=timezone.now(), note=f"n{n}") for n in range(count))
    build_breaks(engagement, count)


def build_breaks(engagement, count):
    """`count` planned breaks a week apart (every third cancelled), each with a commitment it waived."""
    today = timezone.localdate()
    breaks = PlannedBreak.objects.bulk_create(
        PlannedBreak(engagement=engagement, starts_on=today + timedelta(days=7 * n + 1),
                     ends_on=today + timedelta(days=7 * n + 3), reason=f"holiday {n}",
                     cancelled_at=timezone.now() if n % 3 == 2 else None) for n in range(count))
    Commitment.objects.bulk_create(
        Commitment(engagement=engagement, description=f"Rested {n}", due_on=b.starts_on,
                   outcome=Commitment.Outcome.WAIVED, waived_for_break=b, client_reason=f"planned break: {b.words}")
        for n, b in enumerate(breaks) if b.cancelled_at is None)


@pytest.mark.parametrize("count", [10, 300])
def test_client_file_queries_do_not_grow_with_meetings(as_coach, held_meeting, agreement, count,
                                                       django_assert_num_queries):
    engagement = held_meeting.engagement
    build_file(engagement, agreement, count)
    url = reverse("client_file", args=[engagement.client.uid]) + f"?engagement={engagement.uid}&meetings=all"
    with django_assert_num_queries(CLIENT_FILE_QUERIES):
        response = as_coach.get(url)
    assert response.status_code == 200
    assert len(response.context["meetings"]) == count + 1
    text = response.content.decode()
    assert text.count('class="badge partly_kept"') >= count // 2
    assert f"Meeting check scores at {count} meetings" in text
    assert "Trimmed from" in text
    assert text.count("Cancel this break") == count - count // 3
    assert "Waived: holiday 0 " in text
    # Each meeting's goal score, named by its goal, and each reviewed commitment's meeting.
    goal = Goal.objects.filter(agreement=agreement).first()
    assert text.count(f"Goal scores: {goal.title} <strong>0</strong>") == count
    assert text.count("reviewed at the meeting of") >= count


# The gate (the session, the user with their coach if any; a client profile is a read of its own),
# then the page's own reads: the engagement (or the client's active ones) and its breaks; the
# same for 10 breaks or 300.
BREAK_PAGE_QUERIES = {"planned_break_create": 4, "portal_breaks": 5}


@pytest.mark.parametrize("count", [10, 300])
def test_the_planned_break_pages_cost_the_same_however_many_breaks(
        client, coach, client_user, engagement, count, django_assert_num_queries):
    build_breaks(engagement, count)
    client.force_login(coach.user)
    with django_assert_num_queries(BREAK_PAGE_QUERIES["planned_break_create"]):
        page = client.get(reverse("planned_break_create", args=[engagement.uid]))
    assert page.content.decode().count("Cancel this break") == count - count // 3
    client.force_login(client_user)
    with django_assert_num_queries(BREAK_PAGE_QUERIES["portal_breaks"]):
        page = client.get(reverse("portal_breaks"))
    assert page.content.decode().count("Cancel this break") == count - count // 3


# Each admin page: the gate (the session, the user with their coach and practice), then its own reads.
ADMIN_PAGE_QUERIES = {
    "practice_settings": 2, "practice_coaches": 5, "practice_focus_areas": 3,
    "practice_associates": 5, "practice_engagements": 5, "coach_profile": 4,
}


@pytest.mark.parametrize("name", sorted(ADMIN_PAGE_QUERIES))
@pytest.mark.parametrize("count", [10, 300])
def test_practice_pages_cost_the_same_however_many_clients(as_coach, coach, colleague, count, name,
                                                           django_assert_num_queries):
    from followthrough.practice.services import associate_create

    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    build_caseload(coach, count)
    build_caseload(colleague, count)
    for n in range(3):
        associate_create(practice=coach.practice, by=None, name=f"Associate {n}", email=f"a{n}@example.net",
                         specialties=list(coach.practice.focus_areas.all()[:2]))
    with django_assert_num_queries(ADMIN_PAGE_QUERIES[name]):
        response = as_coach.get(reverse(name))
    assert response.status_code == 200
    if name == "practice_engagements":
        assert response.context["page"].paginator.count == 2 * count


EXTERNAL_REFERRAL_QUERIES = 9


@pytest.mark.parametrize("count", [2, 40])
def test_the_outside_referral_page_costs_the_same_however_many_associates(as_coach, coach, engagement, count,
                                                                          django_assert_num_queries):
    from followthrough.practice.services import associate_create

    build_caseload(coach, 50)
    areas = list(coach.practice.focus_areas.all()[:2])
    for n in range(count):
        associate_create(practice=coach.practice, by=None, name=f"Associate {n}", email=f"a{n}@example.net",
                         specialties=areas)
    with django_assert_num_queries(EXTERNAL_REFERRAL_QUERIES):
        response = as_coach.get(reverse("external_referral_create", args=[engagement.uid]))
    assert len(response.context["form"].fields["associate"].choices) == count


def test_the_timeline_shows_the_newest_meetings_and_links_older_records_to_the_whole_file(
        as_coach, held_meeting, agreement, django_assert_num_queries):
    """A long engagement's file shows its newest twenty meetings; a link to a commitment or
    meeting it leaves out leads to the file with every meeting, where that record is."""
    engagement = held_meeting.engagement
    build_file(engagement, agreement, 40)
    url = reverse("client_file", args=[engagement.client.uid])
    with django_assert_num_queries(CLIENT_FILE_QUERIES):
        response = as_coach.get(url)
    shown = response.context["meetings"]
    assert len(shown) == 20 and response.context["meetings_total"] == 41
    text = response.content.decode()
    every = f"?engagement={engagement.uid}&amp;meetings=all"
    assert f'{every}#timeline">Show all 41 meetings</a>' in text
    oldest_shown = shown[-1]
    # The oldest meeting shown reviewed commitments made at the meeting before it, not shown.
    older = [c for c in oldest_shown.reviewed if c.made_at_id not in {m.pk for m in shown}]
    assert older and f'href="{every}#c-{older[0].uid}"' in text
    # What is on the page links within the page.
    newest = shown[0]
    assert f'id="meeting-{newest.uid}"' in text
    linked = [c for m in shown for c in m.made if c.reviewed_in_id in {x.pk for x in shown}]
    assert linked and f'href="#meeting-{linked[0].reviewed_in.uid}"' in text
    whole = as_coach.get(url, {"engagement": engagement.uid, "meetings": "all"})
    assert len(whole.context["meetings"]) == 41 and f'id="c-{older[0].uid}"' in whole.content.decode()
