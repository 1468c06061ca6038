"""The coach hears what clients did: in the app at once, by email as they chose."""

from django.core import mail
from django.urls import reverse
from reminder_helpers import utc

from followthrough.clients.services import agreement_acknowledge
from followthrough.commitments.services import commitment_client_report
from followthrough.history.services import tracked_update
from followthrough.notifications.models import ActivityDigest, ClientActivity
from followthrough.notifications.services import remind_pass
from followthrough.practice.services import coach_update
from followthrough.protocol.models import Notification


def test_a_client_marking_done_tells_their_coach_in_the_app(coach, commitment, client_user,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        commitment_client_report(commitment=commitment, by=client_user, note="Sent all five")
    [note] = Notification.objects.filter(coach=coach)
    assert note.text == "Bob Stone marked “Email five wedding planners” done"
    assert note.link == reverse("client_file", args=[commitment.engagement.client.uid])
    assert mail.outbox == []  # the default is the daily digest


def test_acknowledging_and_taking_back_are_each_told(coach, agreement, commitment, client_user,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement_acknowledge(agreement=agreement, typed_name="Bob Stone", by=client_user)
        commitment_client_report(commitment=commitment, by=client_user)
        tracked_update(commitment, by=client_user, action="commitment.client_report_withdrawn",
                       changes={"client_reported_done_at": None, "client_report_note": ""})
    assert [a.kind for a in ClientActivity.objects.order_by("pk")] == [
        "acknowledged", "reported_done", "report_undone"]
    assert Notification.objects.filter(coach=coach).unread().count() == 3


def test_what_the_coach_does_on_the_clients_behalf_is_not_told_back(coach, agreement, client_user,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement_acknowledge(agreement=agreement, typed_name="Bob Stone", by=coach.user)
    assert not ClientActivity.objects.exists() and not Notification.objects.exists()


def test_at_once_emails_each_action_and_never_emails_nothing(coach, commitment, client_user,
                                                             django_capture_on_commit_callbacks):
    coach_update(coach=coach, by=None, email_preference="at_once")
    with django_capture_on_commit_callbacks(execute=True):
        commitment_client_report(commitment=commitment, by=client_user)
    [message] = mail.outbox
    assert message.to == ["ana@example.org"] and "marked “Email five wedding planners” done" in message.subject
    coach_update(coach=coach, by=None, email_preference="never")
    remind_pass(now=utc(2030, 1, 1, 9, 0))
    assert len([m for m in mail.outbox if m.to == ["ana@example.org"]]) == 1


def test_the_daily_digest_goes_once_a_day_with_everything_since_the_last(coach, commitment, client_user,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        commitment_client_report(commitment=commitment, by=client_user)
    ClientActivity.objects.update(at=utc(2030, 1, 1, 6, 0))
    remind_pass(now=utc(2030, 1, 1, 7, 0))  # before eight in London: not yet
    assert not ActivityDigest.objects.exists()
    remind_pass(now=utc(2030, 1, 1, 9, 0))
    remind_pass(now=utc(2030, 1, 1, 15, 0))
    digests = [m for m in mail.outbox if m.subject.startswith("What your clients did")]
    assert len(digests) == 1 and digests[0].to == ["ana@example.org"]
    assert "Bob Stone marked “Email five wedding planners” done" in digests[0].body
