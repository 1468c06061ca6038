"""Flags follow the records as they are saved, and `followthrough scan` reports changes."""

import json
import signal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from followthrough.engine import services
from followthrough.engine.models import Flag
from followthrough.meetings.services import meeting_create, meeting_update


def test_reviewing_a_meeting_refreshes_the_engagement_after_commit(
        timeline, engagement, django_capture_on_commit_callbacks):
    for _ in range(2):
        timeline.meeting("held", ["missed"])
    with django_capture_on_commit_callbacks(execute=True):
        timeline.meeting("held", ["missed"])
    assert Flag.objects.open().filter(engagement=engagement, kind="nonproductive").exists()


def test_a_meeting_status_change_refreshes_the_engagement(
        timeline, engagement, coach, django_capture_on_commit_callbacks):
    timeline.meeting("no_show")
    planned = meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=planned, by=coach.user, status="no_show")
    assert Flag.objects.open().filter(engagement=engagement, kind="no_shows").exists()


def test_a_meeting_recorded_directly_as_missed_refreshes_the_engagement(
        timeline, engagement, coach, django_capture_on_commit_callbacks):
    timeline.meeting("no_show")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now(), status="no_show")
    assert callbacks
    assert Flag.objects.open().filter(engagement=engagement, kind="no_shows").exists()


def test_planning_a_meeting_does_not_refresh(engagement, coach, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        meeting_create(engagement=engagement, by=coach.user, starts_at=timezone.now())
    assert callbacks == []


def test_a_failing_refresh_never_undoes_the_review(
        timeline, engagement, monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broken(**kwargs):
        raise RuntimeError("engine down")
    monkeypatch.setattr(services, "engagement_refresh", broken)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = timeline.meeting("held", ["missed"])
    meeting.refresh_from_db()
    assert meeting.reviewed_at is not None
    assert "engine down" in caplog.text


def test_scan_command_prints_changes_as_json_lines(timeline, engagement):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    out = StringIO()
    call_command("scan", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    raised, summary = lines
    assert raised["change"] == "raised" and raised["kind"] == "nonproductive"
    assert raised["client"] == str(engagement.client.uid)
    assert raised["flag"] == str(Flag.objects.get().uid)
    assert summary["pass"] == "done" and summary["raised"] == 1 and summary["cleared"] == 0
    out = StringIO()
    call_command("scan", "--json", stdout=out)
    [summary] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert summary["raised"] == 0


def test_scan_command_in_words(timeline):
    out = StringIO()
    call_command("scan", stdout=out)
    assert "settled 0 in 0 batches: 0 flags raised, 0 cleared" in out.getvalue()


def test_scan_loop_keeps_going_after_a_failed_pass_and_stops_on_sigterm(monkeypatch, db):
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database away")
        # The service manager stops the worker while this pass runs: the pass still ends.
        signal.raise_signal(signal.SIGTERM)
        return services.PassResult()

    monkeypatch.setattr("followthrough.engine.management.commands.scan.scan_pass", flaky)
    out = StringIO()
    call_command("scan", "--loop", "--interval", "0.01", "--json", stdout=out)
    passes = [json.loads(line)["pass"] for line in out.getvalue().splitlines()]
    assert passes == ["failed", "done"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_single_scan_pass_that_fails_exits_non_zero_for_cron(monkeypatch, db):
    def broken(**kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr("followthrough.engine.management.commands.scan.scan_pass", broken)
    out = StringIO()
    with pytest.raises(CommandError, match="database away"):
        call_command("scan", "--json", stdout=out)
    assert json.loads(out.getvalue())["pass"] == "failed"
