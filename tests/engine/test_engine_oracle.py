"""The detection SQL against a plain reading of PRODUCT.md, on random histories."""

from fractions import Fraction

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.engine.metrics import engagement_followthrough
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh, scan_pass
from followthrough.engine.sweep import engagements_to_settle

OUTCOMES = ["kept", "missed", "waived", 0.25, 0.5, 0.75]
FOCUS = [("business",), ("relationships",), ("business", "relationships"), ()]

meeting = st.tuples(
    st.sampled_from(["held", "held", "held", "no_show"]),
    st.lists(st.sampled_from(OUTCOMES), max_size=3),
    st.sampled_from(FOCUS),
    st.one_of(st.none(), st.integers(min_value=-2, max_value=2)),
)


def credit(outcome):
    return {"kept": Fraction(1), "missed": Fraction(0)}.get(outcome) if isinstance(outcome, str) \
        else Fraction(outcome).limit_denominator(100)


def expected_kinds(history):
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
    window = figured[-3:]
    if len(window) == 3 and all(f < Fraction(1, 2) and not p for f, p in window):
        kinds.add("nonproductive")
    tagged = [focus for _, _, focus, _ in held if focus][-3:]
    if len(tagged) == 3:
        topics = [area for focus in tagged for area in focus]
        if Fraction(sum(a != "business" for a in topics), len(topics)) >= Fraction(2, 3):
            kinds.add("focus_drift")
    attended = [status for status, *_ in history][-2:]
    if attended == ["no_show", "no_show"]:
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
