"""Properties of the follow-through figure that must hold for any set of outcomes."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from followthrough.engine.metrics import (
    current_run,
    default_weight,
    figure,
    is_below,
    reaches,
    weighted_figure,
)
from followthrough.engine.models import Defaults

fractions = st.integers(min_value=1, max_value=99).map(lambda n: Decimal(n) / 100)
minutes = st.one_of(st.none(), st.integers(min_value=1, max_value=600))


@st.composite
def commitment(draw, outcomes=("kept", "missed", "partly_kept", "waived")):
    outcome = draw(st.sampled_from(outcomes))
    share = draw(fractions) if outcome == "partly_kept" else None
    return (outcome, share, draw(minutes))


commitments = st.lists(commitment(), max_size=12)


def both(items):
    """Plain and minutes-weighted figure, the weight for unknown minutes taken as the
    engine takes it: the median of the counted commitments' minutes."""
    counted = [m for o, _, m in items if o != "waived"]
    return (figure((o, f) for o, f, _ in items),
            weighted_figure(items, default_weight(counted)))


@given(commitments, st.lists(commitment(outcomes=("waived",)), min_size=1, max_size=4), st.randoms())
def test_a_waived_commitment_never_changes_a_figure(items, waived, rnd):
    mixed = items + waived
    rnd.shuffle(mixed)
    assert both(mixed) == both(items)


@given(commitments, st.data())
def test_marking_a_missed_commitment_kept_never_lowers_a_figure(items, data):
    missed = [i for i, (o, _, _) in enumerate(items) if o == "missed"]
    if not missed:
        items = items + [("missed", None, data.draw(minutes))]
        missed = [len(items) - 1]
    index = data.draw(st.sampled_from(missed))
    better = list(items)
    better[index] = ("kept", None, items[index][2])
    for before, after in zip(both(items), both(better), strict=True):
        assert after >= before


@given(commitments, st.randoms())
def test_order_of_entry_does_not_matter(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert both(shuffled) == both(items)


@given(commitments)
def test_a_figure_is_a_share_or_nothing(items):
    plain, weighted = both(items)
    if all(o == "waived" for o, _, _ in items):
        assert plain is None and weighted is None
    else:
        assert 0 <= plain <= 1 and 0 <= weighted <= 1


def test_threshold_edges():
    assert not is_below(Fraction(1, 2), Defaults.followthrough_below)
    assert is_below(Fraction(49, 100), Defaults.followthrough_below)
    assert reaches(Fraction(2, 3), Defaults.drift_share)
    assert not reaches(Fraction(1, 3), Defaults.drift_share)
    assert not reaches(Fraction(66, 100), Defaults.drift_share)
    assert reaches(Fraction(1), 1.0) and reaches(Fraction(0), 0.0)


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=30))
def test_exact_thirds_and_halves_sit_on_the_edge(n, k):
    # n of 2n kept is exactly one half, never below; 2k of 3k topics is exactly 2/3, reached.
    assert not is_below(Fraction(n, 2 * n), 0.5)
    assert reaches(Fraction(2 * k, 3 * k), 2 / 3)


def test_current_run_counts_the_latest_meetings_below_and_skips_meetings_without_figure():
    half, low, good = Fraction(1, 2), Fraction(1, 4), Fraction(1)
    assert current_run([good, low, None, low], 0.5) == 2
    assert current_run([low, low, half], 0.5) == 0
    assert current_run([], 0.5) == 0
