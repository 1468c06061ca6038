"""The remind pass: what goes out, once, to whom, and what happens when an address fails."""

from datetime import date, timedelta
from smtplib import SMTPRecipientsRefused

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from reminder_helpers import make_commitment, utc

from followthrough.clients.services import client_update
from followthrough.notifications.models import Delivery, Reminder
from followthrough.notifications.schedule import reconcile
from followthrough.notifications.services import CLAIM_TIMEOUT, MAX_ATTEMPTS, claim, remind_pass


def to_bob():
    """Bob's own mail, leaving out his coach's digest."""
    return [m for m in mail.outbox if m.to == ["bob@example.org"]]


class RefusesBob(EmailBackend):
    """The outbox backend, except that Bob's mail server refuses him."""

    def send_messages(self, messages):
        for message in messages:
            if "bob@example.org" in message.to:
                raise SMTPRecipientsRefused({"bob@example.org": (550, b"mailbox unavailable")})
        return super().send_messages(messages)


def test_a_reminder_has_text_and_html_and_opens_the_portal_page(bob_commitment, settings):
    settings.SITE_URL = "https://coach.example.org"
    summary = remind_pass(now=utc(2026, 6, 9, 9, 0))
    assert summary.sent == 1 and summary.failed == 0
    [message] = to_bob()
    assert message.to == ["bob@example.org"]
    assert message.reply_to == ["ana@example.org"]
    assert message.subject == "Coming up: Call three caterers"
    link = f"https://coach.example.org/me/commitments/{bob_commitment.uid}/"
    assert link in message.body
    assert "Wednesday 10 June" in message.body and "Call three caterers" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    reminder = Reminder.objects.get(kind="before")
    assert reminder.sent_at is not None and reminder.claimed_by == summary.worker
    delivery = Delivery.objects.get()
    assert (delivery.to, delivery.what, delivery.result, delivery.reminder) == (
        "bob@example.org", "before", "sent", reminder)


def test_each_kind_goes_out_on_its_day_and_a_rerun_sends_nothing_new(bob_commitment):
    subjects = []
    for now in (utc(2026, 6, 9, 9, 0), utc(2026, 6, 10, 9, 0), utc(2026, 6, 11, 9, 0)):
        remind_pass(now=now)
        again = remind_pass(now=now)
        assert again.sent == 0
        subjects.append(to_bob()[-1].subject)
    assert subjects == ["Coming up: Call three caterers", "Due today: Call three caterers",
                        "Still open: Call three caterers"]
    assert len(to_bob()) == 3
    assert "still open" in to_bob()[2].body and "next meeting" in to_bob()[2].body
    # Long after, nothing is left to send.
    assert remind_pass(now=utc(2026, 7, 1)).sent == 0


def test_nothing_is_sent_early(bob_commitment):
    assert remind_pass(now=utc(2026, 6, 9, 8, 59)).sent == 0
    assert mail.outbox == []


def test_the_second_of_two_workers_claims_nothing(bob_commitment):
    now = utc(2026, 6, 10, 9, 30)
    reconcile(now=now)
    first = claim(Reminder, token="worker-a", now=now)
    second = claim(Reminder, token="worker-b", now=now)
    assert len(first) == 1 and second == []
    # A claim left behind by a crashed worker is taken over once it has expired.
    later = now + CLAIM_TIMEOUT + timedelta(seconds=1)
    assert claim(Reminder, token="worker-b", now=later) == first


def test_a_pass_does_not_touch_a_reminder_another_worker_holds(bob_commitment):
    now = utc(2026, 6, 10, 9, 30)
    reconcile(now=now)
    claim(Reminder, token="worker-a", now=now)
    assert remind_pass(now=now + timedelta(minutes=1)).sent == 0
    assert mail.outbox == []


def test_after_downtime_only_the_latest_due_reminder_goes_out(bob_commitment):
    reconcile(now=utc(2026, 6, 1))  # scheduled, then the service was down for days
    summary = remind_pass(now=utc(2026, 6, 10, 14, 0))
    assert summary.sent == 1 and summary.superseded == 1
    assert [m.subject for m in to_bob()] == ["Due today: Call three caterers"]
    assert Reminder.objects.get(kind="before").cancel_reason == "superseded"
    # The superseded reminder stays superseded: it is not scheduled again by the next pass.
    again = remind_pass(now=utc(2026, 6, 10, 14, 5))
    assert (again.scheduled, again.sent) == (0, 0)


def test_after_long_downtime_stale_reminders_expire_and_the_overdue_notice_goes(bob_commitment):
    reconcile(now=utc(2026, 6, 1))
    summary = remind_pass(now=utc(2026, 6, 12, 10, 0))
    assert summary.expired == 2
    assert [m.subject for m in to_bob()] == ["Still open: Call three caterers"]
    # A week and more after the due date even the overdue notice is no longer news.
    Reminder.objects.all().delete()
    mail.outbox.clear()
    reconcile(now=utc(2026, 6, 1))
    remind_pass(now=utc(2026, 6, 19, 10, 0))
    assert to_bob() == []


def test_a_refused_address_is_recorded_and_the_others_still_go(
        bob_commitment, settings, colleague, colleague_client, focus):
    from followthrough.clients.services import agreement_create

    settings.EMAIL_BACKEND = f"{RefusesBob.__module__}.RefusesBob"
    client_update(client=colleague_client, by=colleague.user, email="dee@example.org")
    dee = colleague_client.engagements.get()
    agreement_create(engagement=dee, by=colleague.user, came_for="Repair", primary_focus=focus["relationships"],
                     meeting_cadence="Weekly", call_to_action="Talk weekly")
    make_commitment(dee, colleague.user, date(2026, 6, 10), description="Plan a quiet evening")

    now = utc(2026, 6, 10, 9, 0)
    summary = remind_pass(now=now)
    assert (summary.sent, summary.failed) == (1, 1)
    assert [m.to for m in mail.outbox] == [["dee@example.org"]]  # 09:00 in London: no digest yet
    failed = Reminder.objects.get(commitment=bob_commitment, kind="on_day")
    assert failed.sent_at is None and failed.attempts == 1
    assert "SMTPRecipientsRefused" in failed.last_error
    assert failed.next_attempt_at == now + timedelta(minutes=5)
    assert (failed.claimed_by, failed.claimed_at) == ("", None)
    assert summary.errors[0]["to"] == "bob@example.org"
    assert set(Delivery.objects.values_list("to", "result")) == {
        ("bob@example.org", "failed"), ("dee@example.org", "sent")}

    # Not retried before the back-off has passed; retried, with a longer wait, after it.
    assert remind_pass(now=now + timedelta(minutes=4)).failed == 0
    assert remind_pass(now=now + timedelta(minutes=6)).failed == 1
    failed.refresh_from_db()
    assert failed.attempts == 2 and failed.next_attempt_at == now + timedelta(minutes=16)


def test_a_reminder_that_keeps_failing_is_given_up(bob_commitment, settings):
    settings.EMAIL_BACKEND = f"{RefusesBob.__module__}.RefusesBob"
    now = utc(2026, 6, 10, 9, 0)
    for _ in range(MAX_ATTEMPTS):
        remind_pass(now=now)
        now += timedelta(hours=2)
    reminder = Reminder.objects.get(kind="on_day")
    assert reminder.attempts == MAX_ATTEMPTS and reminder.cancel_reason == "gave_up"
    assert remind_pass(now=now).failed == 0


def test_a_reminder_claimed_for_a_commitment_closed_meanwhile_is_dropped(bob_commitment, coach):
    from followthrough.history.services import tracked_update

    now = utc(2026, 6, 10, 9, 30)
    reconcile(now=now)
    tracked_update(bob_commitment, by=coach.user, action="commitment.reviewed", changes={"outcome": "kept"},
                   validate=False)
    # The schedule has not caught up yet, but the sender checks again before sending.
    pks = claim(Reminder, token="w", now=now)
    from followthrough.notifications.services import PassSummary, _Mailer, _Run, _send_reminders

    _send_reminders(_Run(token="w", now=now, mailer=_Mailer(), summary=PassSummary(worker="w")), pks)
    assert mail.outbox == []
    assert Reminder.objects.get(pk=pks[0]).cancel_reason == "closed"


def test_a_client_who_reports_it_done_is_not_reminded_again(bob_commitment, client_user):
    from followthrough.commitments.services import commitment_client_report

    reconcile(now=utc(2026, 6, 1, 9, 0))
    assert Reminder.objects.filter(commitment=bob_commitment, cancelled_at=None).exists()
    commitment_client_report(commitment=bob_commitment, by=client_user, note="Called all three")
    summary = remind_pass(now=utc(2026, 6, 10, 9, 0))
    assert to_bob() == [] and summary.sent == 0
    assert not Reminder.objects.filter(commitment=bob_commitment, cancelled_at=None, sent_at=None).exists()
    bob_commitment.refresh_from_db()
    assert bob_commitment.outcome == "open"  # the coach still confirms it at the review
