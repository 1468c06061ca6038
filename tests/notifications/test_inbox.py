"""`followthrough inbox`: a client's reply to a reminder or a meeting check invitation is
recorded as their report, once, through a real SMTP server (aiosmtpd) into a Maildir and
through an IMAP4 server on loopback; forged and unreadable replies are set aside."""

import json
import signal
import smtplib
from datetime import date, timedelta
from email.message import EmailMessage
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from mail_standins import ImapMailbox, imap_server, maildir_messages, mark_all_unread, smtp_server
from reminder_helpers import make_commitment, utc

from followthrough.commitments.models import Commitment
from followthrough.commitments.services import commitment_client_report, commitment_client_report_undo
from followthrough.history.models import Event
from followthrough.history.services import verify_chain
from followthrough.meetings.models import MeetingCheck
from followthrough.meetings.services import meeting_create
from followthrough.notifications.invitations import invitations_queue
from followthrough.notifications.management.commands import inbox as command
from followthrough.notifications.models import ClientActivity, InboundMessage, Reminder
from followthrough.notifications.replies import reply_token
from followthrough.notifications.services import remind_pass
from followthrough.protocol.models import Notification

DUE = date(2026, 6, 10)
ON_THE_DAY = utc(2026, 6, 10, 9, 0)


@pytest.fixture(autouse=True)
def reply_address(settings):
    settings.FT_REPLY_ADDRESS = "replies@practice.example"


@pytest.fixture
def over_smtp(settings, tmp_path):
    """Mail really goes out over SMTP to a server on loopback that files it into Maildirs."""
    with smtp_server(tmp_path) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        yield port


def reply_to(original, body, *, message_id="<reply-1@bob.example.org>", to=None):
    reply = EmailMessage()
    reply["From"] = "Bob Stone <bob@example.org>"
    reply["To"] = to or original["Reply-To"]
    reply["Subject"] = "Re: " + str(original["Subject"])
    if message_id:
        reply["Message-ID"] = message_id
    reply["In-Reply-To"] = str(original.get("Message-ID", ""))
    reply.set_content(body)
    return reply


def send_over_smtp(port, message):
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(message)


def read_maildir(path):
    out = StringIO()
    call_command("inbox", maildir=str(path), stdout=out)
    return out.getvalue()


def quoted(text):
    return "\n".join("> " + line for line in text.splitlines())


def test_a_reply_done_to_a_reminder_becomes_the_clients_report_once_when_the_mailbox_is_read_twice(
        engagement, coach, agreement, over_smtp, tmp_path):
    commitment = make_commitment(engagement, coach.user, DUE)
    assert remind_pass(now=ON_THE_DAY).sent == 1
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    assert reminder_mail["Reply-To"].startswith("replies+")
    text = reminder_mail.get_payload(0).get_payload(decode=True).decode()
    assert 'replying to this email with one word on the first line: "done"' in text

    body = f"Done, called all three.\n\n-- \nBob\n\nOn Wed, 10 Jun 2026, Followthrough wrote:\n{quoted('Due today')}"
    send_over_smtp(over_smtp, reply_to(reminder_mail, body))

    first = read_maildir(tmp_path / "replies")
    mark_all_unread(tmp_path / "replies")  # as another mail client may
    second = read_maildir(tmp_path / "replies")

    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is not None
    assert commitment.client_report_via == "email_reply"
    assert commitment.client_report_note == "called all three."
    assert commitment.outcome == Commitment.Outcome.OPEN  # the coach still reviews it
    assert Event.objects.filter(action="commitment.client_reported_done").count() == 1
    assert "read 1; applied 1, set aside 0, already recorded 0" in first
    assert "applied: done from bob@example.org" in first
    assert "read 1; applied 0, set aside 0, already recorded 1" in second
    assert InboundMessage.objects.get().status == "applied"
    assert ClientActivity.objects.get().text == "Bob Stone replied “done” to the reminder for “Call three caterers”"
    assert Notification.objects.filter(coach=coach).count() == 1
    assert verify_chain() is None
    # No further reminder about what the client says is done.
    remind_pass(now=ON_THE_DAY + timedelta(days=1))
    assert len(maildir_messages(tmp_path / "bob")) == 1


def test_the_same_reply_delivered_twice_is_recorded_once(engagement, coach, agreement, over_smtp, tmp_path):
    make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    send_over_smtp(over_smtp, reply_to(reminder_mail, "done"))
    send_over_smtp(over_smtp, reply_to(reminder_mail, "done"))
    output = read_maildir(tmp_path / "replies")
    assert "read 2; applied 1, set aside 0, already recorded 1" in output
    assert Event.objects.filter(action="commitment.client_reported_done").count() == 1


def test_a_reply_without_message_id_is_recorded_once_by_its_token_and_body(engagement, coach, agreement,
                                                                             over_smtp, tmp_path):
    make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    send_over_smtp(over_smtp, reply_to(reminder_mail, "Done!", message_id=None))
    send_over_smtp(over_smtp, reply_to(reminder_mail, "Done!", message_id=None))
    assert "applied 1, set aside 0, already recorded 1" in read_maildir(tmp_path / "replies")
    assert InboundMessage.objects.get().key.startswith("hash:")


def test_a_forged_reply_is_set_aside_counted_and_never_applied(engagement, coach, agreement, over_smtp, tmp_path):
    commitment = make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    genuine = reminder_mail["Reply-To"].split("+")[1].split("@")[0]
    kind_and_pk, day, mac = genuine.split(".")
    other_pk = f"r{int(kind_and_pk[1:], 16) + 1:x}"
    forgeries = [
        f"replies+{other_pk}.{day}.{mac}@practice.example",        # someone else's reminder, same signature
        f"replies+{kind_and_pk}.{day}.{'0' * len(mac)}@practice.example",  # made-up signature
        "replies+hello@practice.example",
    ]
    for number, address in enumerate(forgeries):
        send_over_smtp(over_smtp, reply_to(reminder_mail, "done", to=address, message_id=f"<f{number}@x>"))

    output = read_maildir(tmp_path / "replies")

    assert "read 3; applied 0, set aside 3, already recorded 0" in output
    assert output.count("set aside (forged or damaged token)") == 3
    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is None
    assert set(InboundMessage.objects.values_list("status", "reason")) == {("set_aside", "forged")}
    assert not ClientActivity.objects.exists()
    assert not Notification.objects.exists()


def test_an_expired_token_and_an_unreadable_reply_are_set_aside(engagement, coach, agreement, over_smtp, tmp_path):
    commitment = make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    reminder = Reminder.objects.get(sent_at__isnull=False)
    old = reply_token("reminder", reminder.pk, today=date.today() - timedelta(days=90))
    send_over_smtp(over_smtp, reply_to(reminder_mail, "done", to=f"replies+{old}@practice.example",
                                       message_id="<old@x>"))
    send_over_smtp(over_smtp, reply_to(reminder_mail, "Maybe at the weekend?", message_id="<vague@x>"))

    output = read_maildir(tmp_path / "replies")

    assert "applied 0, set aside 2" in output
    assert "set aside (token too old)" in output
    assert "set aside (could not tell what the reply says)" in output
    assert InboundMessage.objects.get(reason="unreadable").reply_text == "Maybe at the weekend?"
    # The genuine reply that could not be read is the client talking: the coach is told.
    assert Notification.objects.get(coach=coach).text == (
        "Bob Stone replied to the reminder for “Call three caterers” (not recorded): Maybe at the weekend?")
    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is None


def test_not_yet_is_told_to_the_coach_and_marks_nothing_done(engagement, coach, agreement, over_smtp, tmp_path):
    commitment = make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    send_over_smtp(over_smtp, reply_to(reminder_mail, "Not yet - two of them were closed this week."))

    read_maildir(tmp_path / "replies")

    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is None
    activity = ClientActivity.objects.get()
    assert activity.kind == "not_yet"
    assert activity.text == ("Bob Stone replied “not yet” to the reminder for “Call three caterers”: "
                             "two of them were closed this week.")
    assert Notification.objects.get(coach=coach).text == activity.text


def test_a_reply_done_from_a_client_with_a_portal_account_is_theirs_and_told_once(
        engagement, coach, agreement, client_user, over_smtp, tmp_path, django_capture_on_commit_callbacks):
    commitment = make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    send_over_smtp(over_smtp, reply_to(reminder_mail, "done"))
    with django_capture_on_commit_callbacks(execute=True):
        read_maildir(tmp_path / "replies")
    event = Event.objects.get(action="commitment.client_reported_done", object_uid=str(commitment.uid))
    assert event.actor_id == client_user.pk
    assert ClientActivity.objects.count() == 1


def test_a_second_done_after_the_first_is_set_aside_as_already_reported(engagement, coach, agreement,
                                                                        over_smtp, tmp_path):
    make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    send_over_smtp(over_smtp, reply_to(reminder_mail, "done", message_id="<one@x>"))
    send_over_smtp(over_smtp, reply_to(reminder_mail, "done, really", message_id="<two@x>"))
    output = read_maildir(tmp_path / "replies")
    assert "applied 1, set aside 1" in output
    assert InboundMessage.objects.get(reason="refused").detail == "You already told your coach this is done."


def test_a_check_reply_by_imap_is_recorded_as_the_clients_check_once(
        engagement, coach, agreement, focus, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_create(engagement=engagement, by=coach.user, status="held",
                                 starts_at=utc(2026, 6, 10, 9, 0), focus_areas=[focus["business"]])
    invitations_queue(now=utc(2026, 6, 10, 10, 30))
    remind_pass(now=utc(2026, 6, 10, 11, 0))
    [invitation] = [m for m in mail.outbox if "Four quick questions" in m.subject]
    original = invitation.message()
    box = ImapMailbox("replies", "s3cret/pass", [
        reply_to(original, "8, 7, 9 ,6\n\nThanks!\n\n" + quoted("Four quick questions")).as_bytes(),
    ])
    with imap_server(box) as port:
        url = f"imap://replies:s3cret%2Fpass@127.0.0.1:{port}/INBOX"
        out = StringIO()
        call_command("inbox", imap=url, stdout=out)
        box.mark_all_unseen()
        call_command("inbox", imap=url, stdout=out)

    check = MeetingCheck.objects.get(meeting=meeting)
    assert check.answered_via == "email_reply"
    assert check.answers() == {"on_what_matters": 8, "plan_fits_week": 7, "felt_heard": 9, "sure_to_do_it": 6}
    lines = out.getvalue()
    assert "read 1; applied 1, set aside 0, already recorded 0" in lines
    assert "read 1; applied 0, set aside 0, already recorded 1" in lines
    assert "s3cret" not in lines
    assert {"LOGIN", "SELECT", "SEARCH", "FETCH", "STORE", "LOGOUT"} <= set(box.commands)


def test_a_wrong_imap_password_fails_the_command_with_the_reason():
    box = ImapMailbox("replies", "right")
    with imap_server(box) as port, pytest.raises(Exception, match="wrong user or password"):
        call_command("inbox", imap=f"imap://replies:wrong@127.0.0.1:{port}/INBOX", stdout=StringIO())


def test_the_inbox_loops_until_stopped_and_picks_up_a_reply_that_arrives_meanwhile(
        engagement, coach, agreement, over_smtp, tmp_path, monkeypatch):
    commitment = make_commitment(engagement, coach.user, DUE)
    remind_pass(now=ON_THE_DAY)
    [reminder_mail] = maildir_messages(tmp_path / "bob")
    send_over_smtp(over_smtp, reply_to(reminder_mail, "not yet", message_id="<first@x>"))
    real_read, reads = command.inbox_read, []

    def one_read(source):
        reads.append(1)
        if len(reads) == 2:
            send_over_smtp(over_smtp, reply_to(reminder_mail, "done", message_id="<second@x>"))
        if len(reads) == 3:
            signal.raise_signal(signal.SIGTERM)
        return real_read(source)

    monkeypatch.setattr(command, "inbox_read", one_read)
    # The loop closes connections between reads; inside the test's transaction that would
    # end it (PostgreSQL says so), and closing is the worker's own tested behaviour.
    monkeypatch.setattr("followthrough.ui.worker.connections.close_all", lambda: None)
    out = StringIO()
    call_command("inbox", "--loop", "--interval", "1", "--json", maildir=str(tmp_path / "replies"), stdout=out)

    summaries = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(s["read"], s["applied"]) for s in summaries] == [(1, 1), (1, 1), (0, 0)]
    commitment.refresh_from_db()
    assert commitment.client_reported_done_at is not None
    assert sorted(ClientActivity.objects.values_list("kind", flat=True)) == ["not_yet", "reported_done"]


def test_a_folder_that_is_not_a_maildir_fails_the_command_with_the_reason(tmp_path, db):
    with pytest.raises(CommandError, match="is not a Maildir"):
        call_command("inbox", maildir=str(tmp_path), stdout=StringIO())


def test_an_imap_address_of_another_kind_is_refused(db):
    with pytest.raises(CommandError, match="--imap takes imaps://"):
        call_command("inbox", imap="pop3://replies:x@127.0.0.1/INBOX", stdout=StringIO())


def test_words_to_a_check_invitation_are_set_aside_and_shown_to_the_coach(
        engagement, coach, agreement, focus, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_create(engagement=engagement, by=coach.user, status="held",
                                 starts_at=utc(2026, 6, 10, 9, 0), focus_areas=[focus["business"]])
    invitations_queue(now=utc(2026, 6, 10, 10, 30))
    remind_pass(now=utc(2026, 6, 10, 11, 0))
    [invitation] = [m for m in mail.outbox if "Four quick questions" in m.subject]
    box = ImapMailbox("replies", "pw", [reply_to(invitation.message(), "done, it was great").as_bytes()])
    with imap_server(box) as port:
        out = StringIO()
        call_command("inbox", imap=f"imap://replies:pw@127.0.0.1:{port}/INBOX", stdout=out)
    assert "set aside (could not tell what the reply says)" in out.getvalue()
    assert not MeetingCheck.objects.filter(meeting=meeting).exists()
    assert Notification.objects.get(coach=coach).text == (
        "Bob Stone replied to the meeting check invitation (not recorded): done, it was great")


def test_the_record_says_whether_the_client_reported_in_the_portal_or_by_reply(
        engagement, coach, agreement, client_user):
    commitment = make_commitment(engagement, coach.user, DUE)
    commitment_client_report(commitment=commitment, by=client_user)
    assert commitment.client_report_via == "portal"
    commitment_client_report_undo(commitment=commitment, by=client_user)
    assert commitment.client_report_via == ""
    commitment_client_report(commitment=commitment, by=None, via="email_reply")
    assert commitment.client_report_via == "email_reply"


def test_only_a_reply_may_report_without_a_signed_in_client(engagement, coach, agreement):
    commitment = make_commitment(engagement, coach.user, DUE)
    with pytest.raises(ValidationError, match="Only the client"):
        commitment_client_report(commitment=commitment, by=None)
    with pytest.raises(ValidationError, match="Only the client"):
        commitment_client_report(commitment=commitment, by=coach.user, via="email_reply")
