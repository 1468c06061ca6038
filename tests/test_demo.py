"""The demo practice: built through the services, idempotent, and covering every scenario."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from followthrough.clients.models import Client, Engagement
from followthrough.commitments.models import Commitment
from followthrough.demo import seed as demo
from followthrough.engine.models import Flag
from followthrough.history.models import Event
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.models import GoalScore, Meeting
from followthrough.practice.models import Practice
from followthrough.protocol.models import Intervention, Notification, Referral


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module: it takes seconds. Each test rolls back to this state, and
    the whole demo is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out, no_color=True)
        assert "Created the demo practice" in out.getvalue()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def practice(seeded, db):
    return Practice.objects.get(name=demo.PRACTICE_NAME)


def client_for(scenario):
    name = next(story.name for story in demo.STORIES if story.covers == scenario)
    return Client.objects.get(full_name=name)


def engagement_for(scenario):
    return client_for(scenario).engagements.order_by("-started_on").first()


def last_held(engagement, count):
    return list(engagement.meetings.held().order_by("-starts_at")[:count])


def reviewed_at(meetings):
    return list(Commitment.objects.filter(reviewed_in__in=meetings))


def test_seed_twice_changes_nothing_and_the_history_verifies(practice):
    events = Event.objects.count()
    out = StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    assert "already exists; nothing to do" in out.getvalue()
    assert Practice.objects.filter(name=demo.PRACTICE_NAME).count() == 1
    assert Event.objects.count() == events
    assert verify_chain() is None
    assert verify_records() == []
    out = StringIO()
    call_command("verify", stdout=out)
    assert "history intact" in out.getvalue()


def test_the_log_reads_in_time_order_over_past_months(practice):
    times = list(Event.objects.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times)
    assert times[-1] <= timezone.now()
    first_meeting = Meeting.objects.order_by("starts_at").first()
    assert (timezone.now() - first_meeting.starts_at).days > 90
    for meeting in Meeting.objects.held().exclude(reviewed_at=None):
        assert meeting.reviewed_at >= meeting.starts_at  # reviewed at the meeting, not today


def test_coaches_specialties_and_logins(practice):
    coaches = list(practice.coaches.prefetch_related("specialties"))
    assert len(coaches) >= 4
    specialties = [frozenset(a.slug for a in c.specialties.all()) for c in coaches]
    assert len(set(specialties)) == len(coaches)
    assert {"business", "relationships", "career", "health", "finances"} <= set().union(*specialties)
    assert any(not c.accepts_referrals for c in coaches)
    assert practice.coaches.accepting_referrals().filter(specialties__slug="relationships").exists()
    assert any(c.is_practice_admin for c in coaches)
    for coach in coaches:
        assert coach.user.username == coach.display_name.split()[0].lower()
        assert authenticate(username=coach.user.username, password=demo.PASSWORD) == coach.user
    portal = client_for("portal")
    assert authenticate(username=portal.user.username, password=demo.PASSWORD) == portal.user
    usernames = [row[0] for row in demo.demo_logins(practice)]
    assert portal.user.username in usernames and len(usernames) == len(coaches) + 1


def test_clients_are_spread_over_the_coaches(practice):
    clients = practice.clients.all()
    assert 18 <= clients.count() <= 22
    assert clients.filter(timezone="Europe/London").count() == clients.count()
    for coach in practice.coaches.all():
        assert Engagement.objects.filter(coach=coach).exists()
    unacknowledged = Client.objects.filter(engagements__agreements__acknowledged_at=None).distinct()
    assert list(unacknowledged) == [client_for("new")]
    assert GoalScore.objects.filter(meeting__engagement__client__practice=practice).exists()
    assert Meeting.objects.filter(status="planned", starts_at__gt=timezone.now()).count() >= 15
    assert not Commitment.objects.filter(planned_at=None).exists()


def test_nonproductive_client_missed_everything_for_three_held_meetings(practice):
    engagement = engagement_for("nonproductive")
    assert engagement.state == "active"
    assert engagement.agreements.get().primary_focus.slug == "business"
    meetings = last_held(engagement, 3)
    for meeting in meetings:
        outcomes = {c.outcome for c in meeting.commitments_reviewed.all()}
        assert outcomes == {"missed"}
        assert not meeting.goal_scores.exists()  # no goal progress recorded


def test_drift_client_talked_about_relationships_three_times(practice):
    engagement = engagement_for("drift")
    assert engagement.agreements.get().primary_focus.slug == "business"
    for meeting in last_held(engagement, 3):
        assert [a.slug for a in meeting.focus_areas.all()] == ["relationships"]
    earlier = engagement.meetings.held().order_by("-starts_at")[3]
    assert [a.slug for a in earlier.focus_areas.all()] == ["business"]


def test_one_off_focus_meeting_among_on_focus_ones(practice):
    engagement = engagement_for("one-off-focus")
    focus_sets = [{a.slug for a in m.focus_areas.all()} for m in last_held(engagement, 3)]
    assert sorted(s == {"business"} for s in focus_sets) == [False, True, True]


def test_recovering_client_reinstated_with_a_plan_then_kept_twice(practice):
    engagement = engagement_for("recovering")
    latest, before, turning = last_held(engagement, 3)
    assert {c.outcome for c in reviewed_at([latest, before])} == {"kept"}
    assert {c.outcome for c in turning.commitments_reviewed.all()} == {"missed"}
    # The first missed commitment was reinstated as the protocol's new goal, any others at
    # the meeting itself: all with a plan.
    reinstated = list(Commitment.objects.filter(derived_from__reviewed_in=turning))
    assert reinstated and all(c.derivation == "reinstated" for c in reinstated)
    assert {c.outcome for c in reinstated} == {"kept"}
    for commitment in reinstated:
        assert commitment.derived_from.outcome == "missed"
        assert commitment.planned_at and commitment.minutes_needed and commitment.has_tools


def test_waived_commitment_has_the_clients_reason(practice):
    waived = Commitment.objects.filter(engagement__client=client_for("waived"), outcome="waived")
    assert waived.exists()
    assert all("hospital" in c.client_reason for c in waived)


def test_paused_engagement_has_a_check_back_date(practice):
    engagement = engagement_for("paused")
    assert engagement.state == "paused"
    assert engagement.check_back_on > timezone.localdate()
    assert engagement.transitions.get().to_state == "paused"
    assert Commitment.objects.filter(engagement=engagement, derivation="trimmed").exists()


def test_reengaged_client_has_a_new_engagement_linked_to_the_old(practice):
    client = client_for("re-engaged")
    old, new = client.engagements.order_by("started_on")
    assert old.state == "ended" and old.ended_on is not None
    assert new.state == "active" and new.previous == old
    assert old.ended_on < new.started_on
    assert new.meetings.held().exists() and old.meetings.held().exists()
    assert new.agreements.get().goals.get().carried_from is not None


def test_no_show_and_renegotiated_agreement(practice):
    assert engagement_for("no-show").meetings.filter(status="no_show").exists()
    agreements = engagement_for("renegotiated").agreements.order_by("version")
    assert [a.version for a in agreements] == [1, 2]
    assert agreements[1].renegotiation_reason
    assert all(a.is_acknowledged for a in agreements)
    assert agreements[1].goals.get().carried_from == agreements[0].goals.get()


def test_goals_carry_attainment_levels(practice):
    goal = engagement_for("portal").agreements.get().goals.get()
    assert goal.has_levels and len(goal.levels()) == 5
    assert goal.scores.count() >= 3


def steps_of(intervention):
    return list(intervention.steps.order_by("at", "pk").values_list("step", flat=True))


def test_recovering_client_went_through_the_protocol_and_recovered(practice):
    engagement = engagement_for("recovering")
    intervention = engagement.interventions.get()
    assert intervention.trigger == "nonproductive" and intervention.flag_uid
    assert steps_of(intervention) == ["reaffirm", "review_file", "new_goal"]
    reaffirm = intervention.steps.get(step="reaffirm")
    assert reaffirm.details["response"] == "renegotiate" and reaffirm.details["work_request_declined"]
    assert intervention.file_reviews.get().shared_at is not None
    new_goal = intervention.steps.get(step="new_goal")
    goal = Commitment.objects.get(uid=new_goal.details["commitments"][0])
    assert goal.derivation == "reinstated" and goal.outcome == "kept"
    assert goal.planned_at and goal.minutes_needed and goal.has_tools
    # The new goal renegotiated the agreement to a lower bar, acknowledged like every version.
    latest = engagement.agreements.order_by("-version").first()
    assert latest.version == 2 and latest.is_acknowledged and "Five" in latest.call_to_action
    assert intervention.outcome == "recovered"
    latest_meeting, before = last_held(engagement, 2)
    assert latest_meeting.reviewed_at <= intervention.closed_at < timezone.now()
    assert intervention.opened_at < before.starts_at
    assert not engagement.flags.open().exists()


def test_paused_client_final_review_and_pause_letter(practice):
    engagement = engagement_for("paused")
    intervention = engagement.interventions.get()
    assert steps_of(intervention) == ["reaffirm", "review_file", "new_goal", "final_review"]
    assert intervention.outcome == "paused" and intervention.closed_at < timezone.now()
    final = intervention.steps.get(step="final_review")
    assert final.details == {"outcome": "pause", "check_back_on": engagement.check_back_on.isoformat()}
    letter = intervention.letters.get()
    assert letter.kind == "pause" and letter.sent_at is not None and letter.sent_to == engagement.client.email
    assert engagement.check_back_on.strftime("%-d %B %Y") in letter.body
    assert final.at < letter.sent_at < timezone.now()
    assert not engagement.flags.open().exists()


def test_referred_client_was_accepted_and_completed_with_the_original_coach_told(practice):
    client = client_for("referred")
    original = client.engagements.get(previous=None, referral_in=None)
    referral = Referral.objects.get(from_engagement=original)
    assert original.state == "referred_out"
    assert referral.to_coach.user.username == "tom" and referral.focus_area.slug == "relationships"
    assert referral.status == "completed" and referral.has_consent
    assert referral.consent_at < referral.responded_at < referral.completed_at < timezone.now()
    associate = referral.associate_engagement
    assert associate.coach == referral.to_coach and associate.state == "ended"
    assert associate.meetings.held().count() == 3 and associate.agreements.get().is_acknowledged
    intervention = original.interventions.get()
    assert intervention.trigger == "drift" and intervention.outcome == "referred"
    assert steps_of(intervention) == ["refer"]
    told = Notification.objects.filter(coach=original.coach, text__contains="may come back")
    assert told.count() == 1 and told.get().created_at == referral.completed_at


def test_daniel_and_grace_keep_their_flags_for_a_coach_to_try(practice):
    daniel = engagement_for("nonproductive")
    assert daniel.flags.open().filter(kind=Flag.Kind.NONPRODUCTIVE).exists()
    assert not daniel.interventions.exists()
    grace = engagement_for("drift")
    assert grace.flags.open().filter(kind=Flag.Kind.FOCUS_DRIFT).exists()
    assert not grace.interventions.exists()
    # Only the three protocol stories have interventions, all closed, all in the past.
    assert Intervention.objects.count() == 3 and not Intervention.objects.open().exists()
    assert verify_chain() is None
    assert verify_records() == []


def test_every_held_meeting_has_its_check_and_olivias_falling_checks_are_flagged_on_the_caseload(
        practice, client):
    from followthrough.meetings.models import MeetingCheck

    # Every scripted held meeting (the protocol's own meetings are not in a script).
    protocol_stories = [story.name for story in demo.STORIES if story.protocol]
    held = Meeting.objects.filter(engagement__client__practice=practice, status="held").exclude(
        engagement__client__full_name__in=protocol_stories)
    assert MeetingCheck.objects.filter(meeting__in=held).count() == held.count() > 80
    olivia = engagement_for("alliance-drop")
    flag = olivia.flags.open().get(kind=Flag.Kind.ALLIANCE_DROP)
    assert [m["score"] for m in flag.evidence["meetings"]][-1] == 6.0, flag.evidence
    assert flag.evidence["dropped"] is True
    assert not olivia.flags.open().exclude(kind=Flag.Kind.ALLIANCE_DROP).exists()  # she keeps everything
    # Steady answers near the top raise nothing for anyone else.
    assert list(Flag.objects.open().filter(kind=Flag.Kind.ALLIANCE_DROP).values_list("engagement", flat=True)) \
        == [olivia.pk]
    amelia = client_for("portal")
    assert MeetingCheck.objects.filter(meeting__engagement__client=amelia).exclude(
        answered_via=MeetingCheck.Via.PORTAL).count() == 0

    client.force_login(olivia.coach.user)
    page = client.get("/", {"flagged": "1"}).content.decode()
    assert "Olivia Grant" in page


def test_hannahs_planned_break_waives_what_falls_due_in_it(practice):
    engagement = engagement_for("planned-break")
    [planned] = engagement.planned_breaks.in_force()
    assert planned.reason == "Family holiday in Portugal" and planned.starts_on > engagement.client.today()
    due_in_it = engagement.commitments.filter(due_on__range=(planned.starts_on, planned.ends_on))
    assert due_in_it.exists()
    assert set(due_in_it.values_list("outcome", "waived_for_break")) == {("waived", planned.pk)}


def test_the_demo_command_prints_the_logins_then_serves(practice, served, settings):
    # The module's demo is already seeded, as it is the second time someone runs the demo.
    out = StringIO()
    call_command("demo", addr="127.0.0.1:8123", stdout=out, no_color=True)
    text = out.getvalue()
    assert "Coaches log in at http://127.0.0.1:8123/" in text
    assert demo.PASSWORD in text
    for spec in demo.COACHES:
        assert spec.username in text and spec.name in text
    assert "amelia" in text and "client (portal)" in text
    assert Practice.objects.filter(name=demo.PRACTICE_NAME).exists()
    from followthrough.wsgi import application

    assert served[0][0] is application and served[0][1]["listen"] == "127.0.0.1:8123"


def test_the_demo_sends_links_to_the_address_it_serves(practice, served, settings, monkeypatch):
    monkeypatch.delenv("FT_SITE_URL", raising=False)
    settings.SITE_URL = "http://127.0.0.1:8000"
    call_command("demo", addr="127.0.0.1:8123", stdout=StringIO(), no_color=True)
    assert settings.SITE_URL == "http://127.0.0.1:8123"
