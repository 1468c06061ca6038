"""The meeting check invitation: one email per held meeting, the four questions with one-tap
links, sent after the meeting, and not at all when it would be pointless or unwelcome."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from reminder_helpers import renegotiate, utc

from followthrough.clients.models import Engagement, PlannedBreak
from followthrough.clients.services import client_update
from followthrough.history import clock
from followthrough.history.services import tracked_create
from followthrough.meetings.checks import check_url, meeting_of_check_token
from followthrough.meetings.models import CHECK_QUESTIONS
from followthrough.meetings.services import meeting_check_record, meeting_create
from followthrough.notifications.invitations import invitation_send_at
from followthrough.notifications.models import CheckInvitation, Delivery
from followthrough.notifications.replies import read_token
from followthrough.notifications.services import remind_pass

ONE_TAP = r"https://coach\.example\.org/check/([^/\s\"]+)/\?(\w+)=(\d+)"
ANSWERS = {"on_what_matters": 8, "plan_fits_week": 6, "felt_heard": 9, "sure_to_do_it": 7}


@pytest.fixture
def just_held(engagement, coach, agreement, focus, django_capture_on_commit_callbacks):
    """A meeting that ended two hours ago, recorded held (so the receivers ran)."""
    with django_capture_on_commit_callbacks(execute=True):
        return meeting_create(engagement=engagement, by=coach.user, status="held",
                              starts_at=clock.now() - timedelta(hours=3), focus_areas=[focus["business"]])


def invitations_to_bob():
    return [m for m in mail.outbox if m.to == ["bob@example.org"] and "Four quick questions" in m.subject]


def test_a_meeting_recorded_held_queues_one_invitation_an_hour_after_it_ends(just_held):
    invitation = CheckInvitation.objects.get()
    assert invitation.meeting == just_held
    assert invitation.send_at == just_held.starts_at + timedelta(minutes=60 + 60)


def test_the_invitation_carries_the_four_questions_with_one_tap_links_and_says_they_are_our_own(
        just_held, settings):
    settings.FT_REPLY_ADDRESS = "replies@practice.example"
    settings.SITE_URL = "https://coach.example.org"
    summary = remind_pass()
    assert summary.sent == 1
    [message] = invitations_to_bob()
    assert message.subject == "Four quick questions about your meeting with Ana Perez"
    [(html, _)] = message.alternatives
    for wording in CHECK_QUESTIONS.values():
        assert wording in message.body and wording in html
    # The signed token carries the second it was made, so links are compared by what they open.
    for part, pattern in ((message.body, ONE_TAP), (html, 'href="' + ONE_TAP)):
        taps = re.findall(pattern, part)
        assert {(question, int(answer)) for _, question, answer in taps} == {
            (question, answer) for question in CHECK_QUESTIONS for answer in range(11)}
        assert {meeting_of_check_token(token) for token, _, _ in taps} == {just_held}
    assert check_url(just_held).startswith("https://coach.example.org/check/")
    for part in (message.body, html):
        assert "Followthrough's own, written for this product" in part
        assert "not a validated questionnaire" in part
    [reply_to] = message.reply_to
    local, _, domain = reply_to.partition("@")
    assert domain == "practice.example" and local.startswith("replies+")
    token = read_token(local.partition("+")[2])
    assert (token.kind, token.pk, token.problem) == ("invitation", CheckInvitation.objects.get().pk, "")
    assert Delivery.objects.get().invitation == CheckInvitation.objects.get()


def test_without_a_reply_address_the_invitation_replies_to_the_coach(just_held, settings):
    settings.FT_REPLY_ADDRESS = ""
    remind_pass()
    [message] = invitations_to_bob()
    assert message.reply_to == ["ana@example.org"]
    assert "reply to this email with your four numbers" not in message.body


def test_each_meeting_is_invited_once_however_often_records_change_or_the_pass_runs(
        just_held, coach, django_capture_on_commit_callbacks):
    remind_pass()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_create(engagement=just_held.engagement, by=coach.user, status="no_show",
                       starts_at=clock.now() - timedelta(hours=30))
    remind_pass()
    assert CheckInvitation.objects.count() == 1
    assert len(invitations_to_bob()) == 1


def test_an_answered_check_sends_no_invitation(just_held):
    meeting_check_record(meeting=just_held, answers=ANSWERS, via="portal")
    remind_pass()
    assert invitations_to_bob() == []
    assert CheckInvitation.objects.get().cancel_reason == "answered"


def test_a_client_without_email_gets_no_invitation(engagement, client_record, coach, agreement, focus,
                                                   django_capture_on_commit_callbacks):
    client_update(client=client_record, by=coach.user, email="")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_create(engagement=engagement, by=coach.user, status="held",
                       starts_at=clock.now() - timedelta(hours=3), focus_areas=[focus["business"]])
    remind_pass()
    assert not CheckInvitation.objects.exists()
    assert mail.outbox == []


def test_an_engagement_no_longer_active_gets_no_invitation(just_held):
    Engagement.objects.filter(pk=just_held.engagement_id).update(state=Engagement.State.PAUSED)
    remind_pass()
    assert invitations_to_bob() == []
    assert CheckInvitation.objects.get().cancel_reason == "closed"


def test_no_invitation_goes_out_during_a_planned_break(just_held, coach):
    today = clock.now().date()
    tracked_create(PlannedBreak(engagement=just_held.engagement, starts_on=today - timedelta(days=1),
                                ends_on=today + timedelta(days=5), reason="Surgery", recorded_by=coach.user),
                   by=coach.user, action="planned_break.recorded")
    remind_pass(now=clock.now() + timedelta(hours=2))
    assert invitations_to_bob() == []
    assert CheckInvitation.objects.get().cancel_reason == "break"


def test_the_invitation_waits_for_the_end_of_quiet_hours(agreement, coach):
    quiet = renegotiate(agreement, coach.user, quiet_hours_start="21:00", quiet_hours_end="08:00")
    # Ends at 20:30 in Lisbon (summer, UTC+1): an hour later is inside quiet hours.
    send_at = invitation_send_at(ends_at=utc(2026, 6, 10, 19, 30), tz_name="Europe/Lisbon", terms=quiet)
    assert send_at == utc(2026, 6, 11, 7, 0)
    assert invitation_send_at(ends_at=utc(2026, 6, 10, 10, 0), tz_name="Europe/Lisbon", terms=quiet) == (
        utc(2026, 6, 10, 11, 0))


def test_an_invitation_that_could_not_go_out_for_three_days_is_dropped(just_held):
    remind_pass(now=clock.now() + timedelta(days=4))
    assert invitations_to_bob() == []
    assert CheckInvitation.objects.get().cancel_reason == "expired"
