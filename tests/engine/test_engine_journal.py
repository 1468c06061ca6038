"""The journal writes a scan's flags and events in bulk, with each evidence encoded once;
what it writes must be exactly what the history app's own helpers would have written."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from followthrough.engine.journal import Encoded, _spliced, flags_write
from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh
from followthrough.history.models import Event
from followthrough.history.services import canonical, verify_chain

from .conftest import bulk_world

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
MARKER = "\ue000after\ue000"


@given(st.dictionaries(st.text(), json_values, max_size=5), st.text(min_size=1), json_values)
@example({"actor_label": MARKER}, "after", {"evidence": [1, 2]})  # the marker in another field
@example({"a": 1}, "after", MARKER)  # the marker as the spliced value itself
def test_a_spliced_value_is_its_canonical_text(value, name, inner):
    assert _spliced(value, name, Encoded(canonical(inner))) == canonical({**value, name: inner})


@pytest.mark.django_db
def test_a_raised_flags_row_and_event_hold_what_the_helpers_would_write(coach, focus):
    engagement = bulk_world(coach, focus, 1)[0]
    [change] = engagement_refresh(engagement=engagement)
    flag = Flag.objects.get(uid=change.flag_uid)
    event = Event.objects.get(action="flag.raised", object_uid=str(flag.uid))
    assert event.after == flag.snapshot()
    assert event.after["evidence"]["meetings"]  # the evidence itself, not a reference to it
    assert flag.uid.version == 7  # time-ordered, so bulk inserts append to its indexes
    assert verify_chain() is None  # (verify_records: test_engine_detection, on tracked records)


@pytest.mark.django_db
def test_a_second_open_flag_of_a_kind_is_refused_as_an_integrity_error(coach, focus):
    """The partial unique index is the last line against racing writers; the bulk path
    (COPY on PostgreSQL) must surface its refusal as Django's IntegrityError, which the
    scan retries, not as a driver error."""
    engagement = bulk_world(coach, focus, 1)[0]
    [change] = engagement_refresh(engagement=engagement)
    with pytest.raises(IntegrityError), transaction.atomic():
        flags_write(raise_flags=[(engagement.pk, change.kind, {"meetings": []}, change.client_uid)],
                    clear_flags=[], now=timezone.now())
    assert Flag.objects.filter(engagement=engagement).count() == 1
