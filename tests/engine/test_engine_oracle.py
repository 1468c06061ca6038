"""The detection SQL against a plain reading of PRODUCT.md, on random histories."""

from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from followthrough.clients.services import agreement_create
from followthrough.engine.metrics import engagement_followthrough
from followthrough.engine.models import Flag
from followthrough.engine.services import coach_thresholds_set, engagement_refresh, scan_pass
from followthrough.engine.sweep import engagements_to_settle

OUTCOMES = ["kept", "missed", "waived", 0.25, 0.5, 0.75]
FOCUS = [("business",), ("relationships",), ("business", "relationships"), ()]

# A held meeting always says what it was about (the service requires it); a no-show may not.
meeting = st.tuples(
    st.sampled_from(["held", "held", "held", "no_show"]),
    st.lists(st.sampled_from(OUTCOMES), max_size=3),
    st.sampled_from(FOCUS),
    st.one_of(st.none(), st.integers(min_value=-2, max_value=2)),
).map(lambda m: (m[0], m[1], m[2] or (("business",) if m[0] == "held" else ()), m[3]))


def credit(outcome):
    return {"kept": Fraction(1), "missed": Fraction(0)}.get(outcome) if isinstance(outcome, str) \
        else Fraction(outcome).limit_denominator(100)


def expected_kinds(history, *, nonproductive=3, drift=3, no_shows=2):
    kinds = set()
    held = [m for m in history if m[0] == "held"]
    figured, last_score = [], None
    for _, outcomes, _, goal in held:
        counted = [credit(o) for o in outcomes if o != "waived"]
        progress = goal is not None and last_score is not None and goal > last_score
        if goal is not None:
            last_score = goal
        if counted:
            figured.append((sum(counted) / len(counted), progress))
    window = figured[-nonproductive:]
    if len(window) == nonproductive and all(f < Fraction(1, 2) and not p for f, p in window):
        kinds.add("nonproductive")
    tagged = [focus for _, _, focus, _ in held if focus][-drift:]
    if len(tagged) == drift:
        topics = [area for focus in tagged for area in focus]
        if Fraction(sum(a != "business" for a in topics), len(topics)) >= Fraction(2, 3):
            kinds.add("focus_drift")
    attended = [status for status, *_ in history][-no_shows:]
    if attended == ["no_show"] * no_shows:
        kinds.add("no_shows")
    return kinds


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(meeting, min_size=1, max_size=7))
def test_detection_matches_the_definitions(make_timeline, engagement, coach, agreement, history):
    with transaction.atomic():
        timeline = make_timeline(engagement, coach)
        for status, outcomes, focus, goal in history:
            timeline.meeting(status, outcomes, focus=focus, goal=goal)
        # The pass's sweep decides the same conditions as the detection statement: with no
        # flag yet, it names the engagement exactly when a flag is due, and once the
        # refresh has raised them it names nothing.
        flags_due = [engagement.pk] if expected_kinds(history) else []
        Flag.objects.filter(engagement=engagement).delete()
        assert engagements_to_settle() == flags_due
        changes = engagement_refresh(engagement=engagement)
        assert {c.kind for c in changes} == expected_kinds(history)
        assert engagements_to_settle() == []
        again = scan_pass()
        assert (again.raised, again.cleared) == (0, 0)
        figures = {str(f.meeting.uid): round(float(f.figure), 4)
                   for f in engagement_followthrough(engagement)["figures"]}
        for flag in Flag.objects.open().filter(kind="nonproductive"):
            for m in flag.evidence["meetings"]:
                assert figures[m["uid"]] == m["figure"]
        transaction.set_rollback(True)


windows = st.fixed_dictionaries({"nonproductive_meetings": st.integers(1, 4),
                                 "drift_meetings": st.integers(1, 4), "no_show_run": st.integers(1, 3)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(windows, st.lists(meeting, min_size=1, max_size=8))
# A drift window wider than the others, whose start only its own cut finds.
@example({"nonproductive_meetings": 3, "drift_meetings": 4, "no_show_run": 2},
         [("held", [], ("relationships",), None)] * 4)
def test_windows_of_different_widths_in_one_pass(make_timeline, engagement, coach, agreement, colleague,
                                                 colleague_client, focus, own, history):
    """Each statement reads only the newest meetings, as far back as the widest window in
    its scope reaches. One coach's own windows, beside a colleague on the defaults, with
    the same history: each engagement is judged by its own coach's windows."""
    with transaction.atomic():
        coach_thresholds_set(coach=coach, by=coach.user, **own)
        other = colleague_client.engagements.get()
        agreement_create(engagement=other, by=colleague.user, came_for="Hire a manager",
                         primary_focus=focus["business"], meeting_cadence="Weekly",
                         fee_amount=Decimal("80.00"), call_to_action="One hire by spring",
                         goals=[{"title": "Manager hired", "level_0": "Interviews held"}])
        for who, engaged in ((coach, engagement), (colleague, other)):
            timeline = make_timeline(engaged, who)
            for status, outcomes, areas, goal in history:
                timeline.meeting(status, outcomes, focus=areas, goal=goal)
        Flag.objects.all().delete()
        expected = {
            engagement.pk: expected_kinds(history, nonproductive=own["nonproductive_meetings"],
                                          drift=own["drift_meetings"], no_shows=own["no_show_run"]),
            other.pk: expected_kinds(history),
        }
        assert engagements_to_settle() == sorted(pk for pk, kinds in expected.items() if kinds)
        scan_pass()
        found = {pk: set() for pk in expected}
        for engagement_id, kind in Flag.objects.open().values_list("engagement_id", "kind"):
            found[engagement_id].add(kind)
        assert found == expected
        for pk in expected:  # one engagement alone in scope decides the same
            assert {c.kind for c in engagement_refresh(engagement=pk)} == set()
        transaction.set_rollback(True)
