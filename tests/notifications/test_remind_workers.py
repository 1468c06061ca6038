"""Several workers at once, and the `followthrough remind` command."""

import json
import os
import signal
import threading
from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections
from reminder_helpers import make_commitment, utc

from followthrough.notifications.models import Delivery, Reminder
from followthrough.notifications.services import remind_pass

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not ON_POSTGRES, reason="real concurrent workers need PostgreSQL (set DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_on_postgres_send_each_reminder_once(transactional_db, engagement, coach, agreement):
    count, workers = 40, 4
    for number in range(count):
        make_commitment(engagement, coach.user, date(2026, 6, 10), description=f"Task {number}")
    now = utc(2026, 6, 10, 9, 30)  # 'before' and 'on the day' are both due: only 'on the day' may go
    start = threading.Barrier(workers)
    summaries, failures = [], []

    def work():
        try:
            start.wait()
            # Small batches so the workers interleave their claims row by row.
            summaries.append(remind_pass(now=now, batch_size=3))
        except Exception as exc:  # surfaced below; a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sum(s.sent for s in summaries) == count
    assert len(mail.outbox) == count
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Due today: Task {n}" for n in range(count))
    assert Reminder.objects.filter(sent_at__isnull=False).count() == count
    assert Reminder.objects.filter(kind="on_day", cancelled_at=None).count() == count  # scheduled once each
    # One planner at a time: no worker re-makes the 'before' rows another just superseded.
    assert Reminder.objects.filter(kind="before").count() == count
    assert Delivery.objects.filter(result="sent").count() == count
    assert len({s.worker for s in summaries}) == workers


def test_the_command_prints_a_json_summary_and_a_rerun_sends_nothing(engagement, coach, agreement, capsys):
    from django.utils import timezone

    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    make_commitment(engagement, coach.user, yesterday)
    call_command("remind", "--json")
    first = json.loads(capsys.readouterr().out)
    assert {"worker", "sent", "failed", "scheduled", "expired", "superseded", "digests_prepared",
            "errors"} <= set(first)
    call_command("remind", "--json")
    second = json.loads(capsys.readouterr().out)
    assert second["sent"] == 0 and second["scheduled"] == 0


def test_the_command_loops_until_stopped_closing_connections_between_passes(monkeypatch, db, capsys):
    passes, closed = [], []
    real_pass = remind_pass_of_the_command()

    def one_pass():
        passes.append(1)
        if len(passes) == 2:
            signal.raise_signal(signal.SIGTERM)
        return real_pass()

    monkeypatch.setattr("followthrough.notifications.management.commands.remind.remind_pass", one_pass)
    monkeypatch.setattr("followthrough.ui.worker.connections.close_all", lambda: closed.append(1))
    call_command("remind", "--loop", "--interval", "1")
    assert len(passes) == 2 and len(closed) == 2
    assert capsys.readouterr().out.startswith("sent 0, failed 0")


def test_a_single_failed_pass_exits_non_zero(monkeypatch, db):
    def broken():
        raise RuntimeError("database away")

    monkeypatch.setattr("followthrough.notifications.management.commands.remind.remind_pass", broken)
    with pytest.raises(CommandError, match="database away"):
        call_command("remind")


def remind_pass_of_the_command():
    from followthrough.notifications.management.commands import remind

    return remind.remind_pass


def test_the_command_refuses_a_zero_interval(db):
    with pytest.raises(CommandError, match="--interval"):
        call_command("remind", "--loop", "--interval", "0")


def test_scheduling_takes_the_same_number_of_queries_for_one_commitment_or_twenty(engagement, coach, agreement):
    from django.test.utils import CaptureQueriesContext

    from followthrough.notifications.schedule import reconcile
    from followthrough.notifications.services import tidy

    def queries():
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            reconcile(now=utc(2026, 6, 1))
            tidy(now=utc(2026, 6, 1))
        return len(captured)

    make_commitment(engagement, coach.user, date(2026, 6, 10))
    one = queries()
    # Twenty stays within one insert batch on SQLite, whose bulk inserts split at 999 parameters.
    for number in range(19):
        make_commitment(engagement, coach.user, date(2026, 6, 10), description=f"Task {number}")
    assert queries() == one
    assert Reminder.objects.count() == 60
