"""Importing where each engagement stands (paused with its check-back date, or ended) and
the agreement's goals: through the services, and checked in the dry run like the rest."""

from datetime import date, timedelta

import pytest

from followthrough.clients.models import Client, Engagement, EngagementTransition, Goal
from followthrough.commitments.models import Commitment
from followthrough.history.services import verify_chain, verify_records
from followthrough.transfer.rows import COLUMN_NAMES, template_csv
from followthrough.transfer.writing import ImportFailed
from tests.transfer.test_import import as_csv, run, spreadsheet_rows

LAST_MEETING = date.today() - timedelta(days=400) + timedelta(days=14)  # of spreadsheet_rows(meetings=2)


def rows_of_two_clients():
    rows = spreadsheet_rows(clients=2, meetings=2)
    rows[0]["goals"] = "Two new clients a month; A website by June"
    return rows


def problems_of(coach, rows):
    with pytest.raises(ImportFailed) as failed:
        run(coach, as_csv(rows), dry_run=True)
    return {(p.row, p.column): p.message for p in failed.value.problems}


def test_an_engagement_imported_as_paused_has_its_check_back_date_and_nothing_left_open(coach):
    rows = rows_of_two_clients()
    since = LAST_MEETING + timedelta(days=3)
    rows[3].update(engagement_state="paused", state_since=since.isoformat(),
                   check_back_on=(since + timedelta(days=60)).isoformat())
    rows[7].update(engagement_state="ended", state_since=since.isoformat())
    run(coach, as_csv(rows))
    paused = Engagement.objects.get(client__full_name="Client 0")
    ended = Engagement.objects.get(client__full_name="Client 1")
    assert (paused.state, paused.check_back_on) == ("paused", since + timedelta(days=60))
    assert (ended.state, ended.ended_on) == ("ended", since)
    assert EngagementTransition.objects.get(engagement=paused).at.date() == since
    # The move closed what was open behind it, as it does from the pages.
    assert not Commitment.objects.filter(engagement__in=[paused, ended], outcome="open").exists()
    assert verify_chain() is None and verify_records() == []


def test_the_agreements_goals_are_imported_in_their_order(coach):
    run(coach, as_csv(rows_of_two_clients()))
    client = Client.objects.get(full_name="Client 0")
    goals = Goal.objects.filter(agreement__engagement__client=client).order_by("position")
    assert [g.title for g in goals] == ["Two new clients a month", "A website by June"]


def test_the_dry_run_names_each_state_problem_by_row_and_column(coach):
    rows = rows_of_two_clients()
    rows[0].update(engagement_state="asleep")
    rows[3].update(engagement_state="paused")
    rows[4].update(engagement_state="ended", check_back_on="2025-05-01")
    rows[1].update(goals="x" * 301)
    found = problems_of(coach, rows)
    assert found[(2, "engagement_state")] == "“asleep” is not a state of ours: write active, paused or ended."
    assert found[(5, "check_back_on")] == "A paused engagement needs the day to check back with the client."
    assert found[(6, "check_back_on")].startswith("An ended engagement has no check-back date")
    assert found[(3, "goals")].startswith("A goal's title is at most 300 characters")


def test_a_pause_before_the_last_meeting_or_a_check_back_before_the_pause_is_refused(coach):
    rows = rows_of_two_clients()
    early = LAST_MEETING - timedelta(days=5)
    rows[3].update(engagement_state="paused", state_since=early.isoformat(),
                   check_back_on=(early + timedelta(days=30)).isoformat())
    rows[7].update(engagement_state="paused", state_since=LAST_MEETING.isoformat(),
                   check_back_on=LAST_MEETING.isoformat())
    found = problems_of(coach, rows)
    assert "a meeting after that belongs to a new engagement" in found[(5, "meeting_date")]
    assert found[(9, "check_back_on")] == "The check-back date must be after the day the engagement was paused."
    assert Client.objects.count() == 0


def test_the_template_has_the_new_columns_and_its_example_row_imports(coach):
    header, example = template_csv().splitlines()[:2]
    assert {"engagement_state", "state_since", "check_back_on", "goals"} <= set(header.split(","))
    assert tuple(header.split(",")) == COLUMN_NAMES
    import io

    report = run(coach, io.BytesIO(template_csv().encode()))
    assert report.clients == 1
    engagement = Engagement.objects.get()
    assert engagement.state == "paused" and Goal.objects.filter(agreement__engagement=engagement).count() == 2
