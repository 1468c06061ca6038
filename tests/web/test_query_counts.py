"""The caseload and the client file cost a fixed number of queries, however big the file.

Rows are bulk-created here (tests only) because going through the services for hundreds of
records would make the suite slow; the pages only read them.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.clients.models import Client, Engagement, EngagementTransition, Goal
from followthrough.commitments.models import Commitment
from followthrough.meetings.models import GoalScore, Meeting

# Session, user, coach, practice (for the time zone), client profile check, then the page
# (the count and the ids of one page, then that page's rows, its needs-attention flags, unread
# notifications).
CASELOAD_QUERIES = 10
# The file's own records, then its flags, interventions, letters, referrals and the chart's
# figures, its meeting checks and planned breaks, and the access log's row for this view.
CLIENT_FILE_QUERIES = 29


def build_caseload(coach, count):
    now, today = timezone.now(), timezone.localdate()
    clients = Client.objects.bulk_create(
        Client(practice=coach.practice, full_name=f"Client {n:04d}") for n in range(count))
    states = [Engagement.State.ACTIVE, Engagement.State.PAUSED, Engagement.State.ENDED]
    engagements = Engagement.objects.bulk_create(
        Engagement(client=c, coach=coach, started_on=today - timedelta(days=90),
                   state=states[n % 3]) for n, c in enumerate(clients))
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
    assert all(row.open_count == 3 and row.overdue_count == 2 for row in rows)
    with django_assert_num_queries(CASELOAD_QUERIES):
        ended = as_coach.get(reverse("caseload"), {"state": "ended", "q": "client", "sort": "overdue",
                                                   "page": 2}).context["rows"]
    assert all(row.open_count == 0 and row.engagement_state == "ended" for row in ended)


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
    EngagementTransition.objects.bulk_create(
        EngagementTransition(engagement=engagement, from_state="active", to_state="active",
                             at=timezone.now(), note=f"n{n}") for n in range(count))


@pytest.mark.parametrize("count", [10, 300])
def test_client_file_queries_do_not_grow_with_meetings(as_coach, held_meeting, agreement, count,
                                                       django_assert_num_queries):
    engagement = held_meeting.engagement
    build_file(engagement, agreement, count)
    url = reverse("client_file", args=[engagement.client.uid])
    with django_assert_num_queries(CLIENT_FILE_QUERIES):
        response = as_coach.get(url)
    assert response.status_code == 200
    assert len(response.context["meetings"]) == count + 1
    text = response.content.decode()
    assert text.count('class="badge partly_kept"') >= count // 2
    assert "Trimmed from" in text


# Each admin page: the gate (session, user, coach, practice, client check), then its own reads.
ADMIN_PAGE_QUERIES = {
    "practice_settings": 5, "practice_coaches": 8, "practice_focus_areas": 6,
    "practice_associates": 8, "practice_engagements": 8, "coach_profile": 7,
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


EXTERNAL_REFERRAL_QUERIES = 12


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
