"""The engine's services: thresholds, refresh, scan passes, and how they hold up."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followthrough.clients.models import Engagement
from followthrough.clients.services import agreement_create
from followthrough.engine import services
from followthrough.engine.models import EngagementScan, Flag
from followthrough.engine.services import (
    coach_thresholds_set,
    engagement_refresh,
    practice_thresholds_set,
    scan_pass,
)
from followthrough.history.services import verify_chain, verify_records

from .conftest import bulk_world


@pytest.mark.parametrize(("field", "value", "words"), [
    ("followthrough_below", 1.5, "between 0 and 1"),
    ("followthrough_below", -0.1, "between 0 and 1"),
    ("drift_share", 2, "between 0 and 1"),
    ("nonproductive_meetings", 0, "at least 1"),
    ("drift_meetings", 0, "at least 1"),
    ("no_show_run", 0, "at least 1"),
])
def test_threshold_out_of_range_is_refused_naming_the_field(practice, coach, field, value, words):
    for setter, target in ((practice_thresholds_set, {"practice": practice}),
                           (coach_thresholds_set, {"coach": coach})):
        with pytest.raises(ValidationError) as caught:
            setter(by=coach.user, **target, **{field: value})
        messages = caught.value.message_dict[field]
        assert field in messages[0] and words in messages[0]


def test_thresholds_at_their_edges_are_accepted_and_logged(practice, coach):
    practice_thresholds_set(practice=practice, by=coach.user, followthrough_below=1.0, drift_share=0.0)
    practice_thresholds_set(practice=practice, by=coach.user, followthrough_below=0.0)
    coach_thresholds_set(coach=coach, by=coach.user, no_show_run=1)
    coach_thresholds_set(coach=coach, by=coach.user, no_show_run=None)
    practice.thresholds.refresh_from_db()
    assert practice.thresholds.followthrough_below == 0.0 and practice.thresholds.drift_share == 0.0
    assert verify_chain() is None and verify_records() == []


def _refresh_queries(engagement):
    with CaptureQueriesContext(connection) as ctx:
        engagement_refresh(engagement=engagement)
    return len(ctx.captured_queries)


def test_refresh_makes_the_same_number_of_queries_for_3_and_30_meetings(
        coach, focus, django_assert_num_queries):
    # The last three meetings are missed in both histories, so both raise one flag.
    short, long = (bulk_world(coach, focus, 1, meetings=n)[0] for n in (3, 30))
    with CaptureQueriesContext(connection) as ctx:
        changes = engagement_refresh(engagement=short)
    assert [c.kind for c in changes] == ["nonproductive"]
    # The engine's own share is at most 12 (ensure row, lock, open flags, detect, insert
    # flags, chain head, events, head, and savepoints); listeners of engagement_refreshed
    # may add their own, the same for any history length.
    assert len(ctx.captured_queries) >= 12
    with django_assert_num_queries(len(ctx.captured_queries)):
        changes = engagement_refresh(engagement=long)
    assert [c.kind for c in changes] == ["nonproductive"]


def test_refresh_with_nothing_to_change_is_cheaper_but_also_constant(coach, focus):
    short, long = bulk_world(coach, focus, 1, meetings=3, outcome="kept") + \
        bulk_world(coach, focus, 1, meetings=40, outcome="kept")
    assert _refresh_queries(short) == _refresh_queries(long)


def _scan_queries(**kwargs):
    with CaptureQueriesContext(connection) as ctx:
        result = scan_pass(**kwargs)
    return len(ctx.captured_queries), result


def test_scan_makes_the_same_number_of_queries_for_10_and_100_clients(coach, focus, colleague):
    bulk_world(coach, focus, 10)
    small, result = _scan_queries()
    assert result.raised == 10
    bulk_world(colleague, focus, 100)  # 100 more engagements, all in need of a flag
    large, result = _scan_queries()
    assert result.raised == 100 and result.engagements == 110 and result.settled == 100
    assert small == large


def test_a_scan_that_changes_nothing_settles_nothing_in_a_constant_number_of_queries(
        coach, colleague, focus):
    bulk_world(coach, focus, 5)
    scan_pass()
    few, result = _scan_queries(batch_size=2)
    assert (result.settled, result.batches, result.raised, result.cleared) == (0, 0, 0, 0)
    bulk_world(colleague, focus, 40)
    scan_pass()
    many, result = _scan_queries(batch_size=2)
    assert result.engagements == 45 and result.settled == 0
    assert few == many


def test_scan_queries_grow_per_batch_of_changes_not_per_client(coach, focus):
    engagements = bulk_world(coach, focus, 30)
    _, result = _scan_queries(batch_size=10)
    assert result.batches == 3 and result.raised == 30
    # The same 30 changes (every flag clears) in 1, 2 and 3 batches.
    counts = []
    for size in (30, 15, 10):
        Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(state="paused")
        queries, result = _scan_queries(batch_size=size)
        assert result.cleared == 30
        counts.append(queries)
        Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(state="active")
        scan_pass()
    one, two, three = counts
    assert three - two == two - one <= 16


def test_refresh_matches_a_full_scan(make_timeline, coach, colleague, focus, client_record,
                                     agreement, colleague_client):
    a = make_timeline(client_record.engagements.get(), coach)
    for outcomes in (["missed"], ["missed", "kept", "missed"], [0.3]):
        a.meeting("held", outcomes)
    dee = colleague_client.engagements.get()
    agreement_create(engagement=dee, by=colleague.user, came_for="Couple", meeting_cadence="Weekly",
                     primary_focus=focus["relationships"], call_to_action="Talk",
                     goals=[{"title": "Fewer rows"}])
    b = make_timeline(dee, colleague)
    for _ in range(3):
        b.meeting("held", ["kept"], focus=["career"])
    b.meeting("no_show")
    b.meeting("no_show")
    bulk_world(coach, focus, 5, outcome="kept")
    for engagement in Engagement.objects.all():
        engagement_refresh(engagement=engagement)
    by_refresh = {(f.engagement_id, f.kind): f.evidence for f in Flag.objects.open()}
    assert set(k for _, k in by_refresh) == {"nonproductive", "focus_drift", "no_shows"}
    result = scan_pass()
    assert (result.raised, result.cleared) == (0, 0)
    assert {(f.engagement_id, f.kind): f.evidence for f in Flag.objects.open()} == by_refresh


def test_a_second_scanner_skips_a_claimed_batch_and_never_double_flags(coach, focus):
    engagements = bulk_world(coach, focus, 6)
    first = "scanner-a"
    now = timezone.now()
    batch = [e.pk for e in engagements[:3]]
    # Scanner A has claimed the first three engagements and not yet written anything.
    assert services._claim(first, batch, now) == 3
    result = scan_pass()
    assert result.raised == 3 and result.settled == 3
    # A settles its batch: the other three were B's, nothing is flagged twice.
    changes = services._settle_claimed(first, services._detected(batch), now, services.PassResult())
    assert len(changes) == 3
    assert Flag.objects.open().count() == 6
    assert scan_pass().raised == 0


def test_a_claim_left_by_a_crashed_scanner_is_taken_over_after_its_lease(coach, focus):
    engagements = bulk_world(coach, focus, 2)
    long_ago = timezone.now() - services.LEASE * 2
    services._claim("crashed", [e.pk for e in engagements], long_ago)
    assert scan_pass().raised == 2
    assert not EngagementScan.objects.filter(claim_token__isnull=False).exists()


def test_one_open_flag_per_engagement_and_kind_is_enforced_by_the_database(coach, focus):
    from django.db import IntegrityError, transaction
    engagement = bulk_world(coach, focus, 1)[0]
    engagement_refresh(engagement=engagement)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(engagement=engagement, kind="nonproductive", raised_at=timezone.now())


def test_a_corrupt_row_does_not_stop_the_pass(coach, focus, monkeypatch, caplog):
    engagements = bulk_world(coach, focus, 5)
    bad = engagements[2]
    if connection.vendor == "sqlite":
        # A meeting time that is not a time at all, as a broken import might leave it.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE meetings_meeting SET starts_at = 'garbage' WHERE id = "
                           "(SELECT MAX(id) FROM meetings_meeting WHERE engagement_id = %s)", [bad.pk])
    else:
        real = services.detection.conditions

        def conditions(rows, known=frozenset()):
            found = real(rows, known)
            if any(eid == bad.pk for eid, _ in found):
                raise ValueError("corrupt row")
            return found
        monkeypatch.setattr(services.detection, "conditions", conditions)
    result = scan_pass()
    assert result.raised == 4
    assert result.failed == [bad.pk]
    assert not Flag.objects.filter(engagement=bad).exists()
    assert "skipped" in caplog.text


def test_a_steady_scan_detects_without_evidence_and_still_clears(coach, focus):
    from followthrough.commitments.models import Commitment

    engagements = bulk_world(coach, focus, 3)
    assert scan_pass().raised == 3
    flags = {f.engagement_id: f for f in Flag.objects.open()}
    # Nothing changed: nothing is written, and every flag keeps its evidence.
    again = scan_pass()
    assert (again.raised, again.cleared) == (0, 0)
    assert {f.pk: f.evidence for f in Flag.objects.open()} == {f.pk: f.evidence for f in flags.values()}
    # One engagement recovers: only its flag is cleared, with its full snapshot logged.
    Commitment.objects.filter(engagement=engagements[0]).update(outcome="kept")
    cleared = scan_pass()
    assert (cleared.raised, cleared.cleared) == (0, 1)
    assert not Flag.objects.open().filter(engagement=engagements[0]).exists()
    from followthrough.history.models import Event

    event = Event.objects.get(action="flag.cleared")
    assert event.before["evidence"] == flags[engagements[0].pk].evidence
    assert event.before["cleared_at"] is None and event.after["cleared_at"] is not None
    assert verify_chain() is None  # (bulk worlds have no history of their own records)


def test_sqlite_uids_are_formatted_like_uuids():
    import uuid

    from followthrough.engine.detection import as_uid

    value = uuid.uuid4()
    assert as_uid(value.hex) == as_uid(value) == as_uid(str(value)) == str(value)
    with pytest.raises(ValueError):
        as_uid("g" * 32)


def test_a_failing_sweep_falls_back_to_settling_every_engagement(coach, focus, monkeypatch, caplog):
    bulk_world(coach, focus, 5)

    def broken_sweep(vendor):
        raise RuntimeError("sweep could not run")
    monkeypatch.setattr(services.sweep, "sweep_sql", broken_sweep)
    result = scan_pass(batch_size=2)
    assert (result.raised, result.settled, result.batches) == (5, 5, 3)
    assert "settling every engagement instead" in caplog.text
    assert scan_pass(batch_size=2).raised == 0


def _between_sweep_and_settle(monkeypatch, change):
    """Run `change` once, after the pass's sweep has read the records and before the first
    batch is claimed and settled: a coach saving a review while a scan is running."""
    real_claim = services._claim
    pending = [change]

    def claim_after_change(token, ids, now):
        while pending:
            pending.pop()()
        return real_claim(token, ids, now)
    monkeypatch.setattr(services, "_claim", claim_after_change)


def test_a_review_saved_after_the_sweep_is_decided_again_not_taken_from_the_sweep(
        timeline, engagement, monkeypatch):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    Flag.objects.all().delete()
    # The sweep sees three missed reviews; by the time the batch is settled a fourth
    # meeting, all kept, has been reviewed, so no flag is due any more.
    _between_sweep_and_settle(monkeypatch, lambda: timeline.meeting("held", ["kept", "kept"]))
    result = scan_pass()
    assert (result.settled, result.raised) == (1, 0)
    assert not Flag.objects.filter(engagement=engagement).exists()


def test_a_threshold_changed_after_the_sweep_decides_the_batch_again(timeline, engagement, coach,
                                                                      monkeypatch):
    for _ in range(3):
        timeline.meeting("held", ["missed"])
    Flag.objects.all().delete()
    # Practice-wide settings name no client: every engagement of the batch is decided again.
    _between_sweep_and_settle(monkeypatch, lambda: coach_thresholds_set(
        coach=coach, by=coach.user, nonproductive_meetings=4))
    assert scan_pass().raised == 0
    assert not Flag.objects.filter(engagement=engagement).exists()


def test_without_changes_after_the_sweep_its_answer_is_written_with_the_same_evidence(
        timeline, engagement, monkeypatch):
    for _ in range(3):
        timeline.meeting("held", ["missed", 0.25])
    engagement_refresh(engagement=engagement)
    by_refresh = {f.kind: f.evidence for f in Flag.objects.filter(engagement=engagement)}
    assert set(by_refresh) == {"nonproductive"}
    Flag.objects.all().delete()
    detections = []
    real_detect = services._detect
    monkeypatch.setattr(services, "_detect", lambda *args: detections.append(args) or real_detect(*args))
    assert scan_pass().raised == 1
    assert detections == []  # the sweep's answer, not decided a second time
    assert {f.kind: f.evidence for f in Flag.objects.open().filter(engagement=engagement)} == by_refresh
    assert verify_chain() is None


def test_a_sweep_that_fails_midway_settles_every_engagement_after_what_it_did(coach, focus, monkeypatch,
                                                                            caplog):
    bulk_world(coach, focus, 5)
    real_batches = services.sweep.batches

    def first_batch_then_fail(cursor, batch_size):
        batches = real_batches(cursor, batch_size)
        yield next(batches)
        raise RuntimeError("a record the sweep cannot read")
    monkeypatch.setattr(services.sweep, "batches", first_batch_then_fail)
    result = scan_pass(batch_size=2)
    assert result.raised == 5 and "settling every engagement instead" in caplog.text
    assert Flag.objects.open().count() == 5


def test_a_pass_tunes_its_session_and_puts_every_setting_back(db):
    """The pass's own settings (SQLite's page cache; PostgreSQL without JIT, its cursor
    planned to be read to the end) last for the pass only: the connection goes back to
    serving pages as it was."""
    settings = services.PASS_SETTINGS[connection.vendor]
    with connection.cursor() as cursor:
        before = services._read_settings(cursor, connection.vendor, list(settings))
        with services.scan_tuned():
            during = services._read_settings(cursor, connection.vendor, list(settings))
        after = services._read_settings(cursor, connection.vendor, list(settings))
    assert {name: str(value) for name, value in during.items()} == {
        name: str(value) for name, value in settings.items()}
    assert after == before != during
