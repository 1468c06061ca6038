"""A coach finds a client by name or email from any page, and narrows and orders the caseload."""

from datetime import date, timedelta

from django.urls import reverse

from followthrough.clients.services import client_create, client_update, engagement_end, engagement_reengage
from followthrough.engine.models import Flag
from followthrough.history import clock

from .conftest import page_text


def _names(response):
    return [row["full_name"] for row in response.context["rows"]]


def test_search_finds_a_client_by_part_of_the_name_or_email(as_coach, coach, client_record):
    client_create(coach=coach, by=coach.user, full_name="Zoe Quill", email="zq@studio.example")
    assert _names(as_coach.get(reverse("caseload"), {"q": "stone"})) == ["Bob Stone"]
    assert _names(as_coach.get(reverse("caseload"), {"q": "STUDIO"})) == ["Zoe Quill"]
    assert "No clients match" in page_text(as_coach.get(reverse("caseload"), {"q": "nobody"}))


def test_search_never_finds_a_colleagues_client(as_coach, colleague_client):
    assert _names(as_coach.get(reverse("caseload"), {"q": "Dee"})) == []


def test_every_coach_page_has_the_search_box(as_coach, client_record):
    text = page_text(as_coach.get(reverse("client_file", args=[client_record.uid])))
    assert 'role="search"' in text and 'name="q"' in text


def test_the_overdue_filter_keeps_only_clients_with_overdue_commitments(as_coach, coach, commitment):
    client_create(coach=coach, by=coach.user, full_name="Amy Early")
    assert _names(as_coach.get(reverse("caseload"))) == ["Amy Early", "Bob Stone"]
    assert _names(as_coach.get(reverse("caseload"), {"overdue": "1"})) == ["Bob Stone"]
    assert _names(as_coach.get(reverse("caseload"), {"sort": "overdue"})) == ["Bob Stone", "Amy Early"]


def test_the_flagged_filter_keeps_only_clients_with_an_open_flag(as_coach, coach, engagement):
    client_create(coach=coach, by=coach.user, full_name="Amy Early")
    Flag.objects.create(engagement=engagement, kind=Flag.Kind.NO_SHOWS, raised_at=clock.now())
    response = as_coach.get(reverse("caseload"), {"flagged": "1"})
    assert _names(response) == ["Bob Stone"] and response.context["rows"][0]["is_flagged"]


def test_the_caseload_is_paged_fifty_at_a_time(as_coach, coach):
    for n in range(52):
        client_create(coach=coach, by=coach.user, full_name=f"Client {n:02d}",
                      started_on=date.today() - timedelta(days=1))
    first = as_coach.get(reverse("caseload"), {"q": "client"})
    assert len(first.context["rows"]) == 50 and first.context["total"] == 52
    assert "page=2" in page_text(first) and "q=client" in page_text(first)
    assert _names(as_coach.get(reverse("caseload"), {"q": "client", "page": 2})) == ["Client 50", "Client 51"]
    # A page past the end is the last page, and a page that is not a number the first, as the
    # links of an old bookmark or a hand-typed address would expect.
    past = as_coach.get(reverse("caseload"), {"q": "client", "page": 9})
    assert _names(past) == ["Client 50", "Client 51"] and past.context["page"].number == 2
    assert past.context["total"] == 52
    for junk in ("x", "0", "-3", ""):
        page = as_coach.get(reverse("caseload"), {"q": "client", "page": junk})
        assert page.context["page"].number == 1 and _names(page)[0] == "Client 00"
    assert "No clients match" in page_text(as_coach.get(reverse("caseload"), {"q": "nobody", "page": 3}))


def test_postgresql_answers_a_search_from_the_trigram_indexes(as_coach, coach, client_record):
    """Without them every search reads every client of the practice (SQLite has none)."""
    import pytest
    from django.db import connection, transaction
    from django.db.models import Q

    from followthrough.clients.models import Client

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    # The caseload's own match, as Django writes it; the indexes must fit its expressions.
    search = Client.objects.filter(Q(full_name__icontains="stone") | Q(email__icontains="stone"))
    sql, params = search.values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small enough to scan
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clients_client_name_trgm" in plan and "clients_client_email_trgm" in plan
    assert _names(as_coach.get(reverse("caseload"), {"q": "STONE"})) == ["Bob Stone"]


def test_a_row_shows_its_dates_in_the_practices_time_zone_as_before(as_coach, coach, engagement, focus):
    """The table's dates are written in Python now; they read as the `date` filter wrote them."""
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from followthrough.clients.services import engagement_move
    from followthrough.meetings.services import meeting_create

    held = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # already 2 July in London (summer time)
    planned = datetime(2026, 7, 3, 23, 5, tzinfo=UTC)  # past, still planned: Sat 4 Jul, 00:05 in London
    meeting_create(engagement=engagement, by=coach.user, status="held", starts_at=held,
                   focus_areas=[focus["business"]])
    meeting_create(engagement=engagement, by=coach.user, starts_at=planned)
    check_back = coach.practice.today() + timedelta(days=10)
    engagement_move(engagement=engagement, to_state="paused", by=coach.user, note="Away",
                    check_back_on=check_back, keep_planned_meetings=True)
    text = page_text(as_coach.get(reverse("caseload")))
    assert 'data-label="Last held">2 Jul 2026<' in text
    assert "Sat 4 Jul, 00:05" in text and "outcome not recorded" in text
    with timezone.override("Europe/London"):  # what the template's filters wrote
        assert Template('{{ h|date:"j M Y" }}|{{ p|date:"D j M, H:i" }}').render(
            Context({"h": held, "p": planned})) == "2 Jul 2026|Sat 4 Jul, 00:05"
    assert f"check back {date_filter(check_back, 'j M Y')}" in text and ">paused<" in text


def test_a_row_marks_an_open_flag_and_an_open_intervention_each_once(as_coach, coach, engagement):
    from followthrough.protocol.services import intervention_open

    client_create(coach=coach, by=coach.user, full_name="Amy Early")
    Flag.objects.create(engagement=engagement, kind=Flag.Kind.NO_SHOWS, raised_at=clock.now())
    Flag.objects.create(engagement=engagement, kind=Flag.Kind.FOCUS_DRIFT, raised_at=clock.now())
    intervention_open(engagement=engagement, by=coach.user, trigger="manual")
    rows = {row["full_name"]: row for row in as_coach.get(reverse("caseload")).context["rows"]}
    assert (rows["Bob Stone"]["is_flagged"], rows["Bob Stone"]["has_open_intervention"]) == (True, True)
    assert (rows["Amy Early"]["is_flagged"], rows["Amy Early"]["has_open_intervention"]) == (False, False)
    assert _names(as_coach.get(reverse("caseload"), {"intervention": "1"})) == ["Bob Stone"]
    text = page_text(as_coach.get(reverse("caseload")))
    assert text.count("intervention open</small>") == 1 and text.count(">flagged</small>") == 1


def test_a_renamed_client_takes_their_new_place_in_the_name_order_and_the_search(as_coach, coach, client_record):
    client_create(coach=coach, by=coach.user, full_name="Amy Early")
    assert _names(as_coach.get(reverse("caseload"))) == ["Amy Early", "Bob Stone"]
    client_update(client=client_record, by=coach.user, full_name="Aaron Stone")
    assert _names(as_coach.get(reverse("caseload"))) == ["Aaron Stone", "Amy Early"]
    assert _names(as_coach.get(reverse("caseload"), {"q": "aaron"})) == ["Aaron Stone"]
    assert _names(as_coach.get(reverse("caseload"), {"q": "bob s"})) == []
    client_update(client=client_record, by=coach.user, email="aaron@new.example")
    assert _names(as_coach.get(reverse("caseload"), {"q": "NEW.example"})) == ["Aaron Stone"]


def test_a_client_ended_twice_with_the_coach_is_listed_once_among_the_ended(as_coach, coach, client_record):
    first = client_record.engagements.get()
    engagement_end(engagement=first, by=coach.user)
    engagement_end(engagement=engagement_reengage(previous=first, by=coach.user), by=coach.user)
    assert client_record.engagements.count() == 2
    page = as_coach.get(reverse("caseload"), {"state": "ended"})
    assert _names(page) == ["Bob Stone"] and page.context["total"] == 1
    # Re-engaged a third time, the client is in the work in hand again, and not among the ended.
    engagement_reengage(previous=client_record.engagements.order_by("pk").last(), by=coach.user)
    assert _names(as_coach.get(reverse("caseload"), {"state": "ended"})) == []
    assert _names(as_coach.get(reverse("caseload"))) == ["Bob Stone"]
