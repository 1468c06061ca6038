"""Personal fields sealed in the event log under a key per client (history.sealing)."""

import pytest
from django.apps import apps
from django.db import models, transaction

from followthrough.clients.services import client_update
from followthrough.engine.models import Flag
from followthrough.history import sealing
from followthrough.history.models import ClientKey, Event, TrackedModel
from followthrough.history.services import verify_chain, verify_records

# Text fields of client records that are not about the person: codes, choices, tokens,
# boilerplate the practice writes for everyone. Every other text field must be declared
# personal, so a field added later is either sealed or listed here on purpose.
NOT_PERSONAL = {
    "clients.client": {"timezone"},
    "clients.engagement": {"state"},
    "clients.agreement": {"meeting_cadence", "fee_currency", "fee_terms", "client_responsibilities",
                          "coach_scope", "review_terms", "quiet_hours_start", "quiet_hours_end",
                          "lapse_reminders", "lapse_contact"},
    "meetings.meeting": {"status"},
    "commitments.commitment": {"outcome", "derivation", "client_report_via"},
    "meetings.meetingcheck": {"answered_via"},
    "protocol.intervention": {"trigger", "flag_uid", "outcome", "last_step", "trigger_evidence"},
    "protocol.interventionstep": {"step"},
    "protocol.referral": {"status"},
    "protocol.letter": {"kind"},
    "protocol.filereview": {"meeting_uids"},
    "engine.flag": {"kind", "evidence"},
    "calendars.calendarfeed": {"token_hint"},
    "web.externalreferral": {"letter_to"},
}
TEXT = (models.CharField, models.TextField, models.JSONField)


def client_models():
    return [m for m in apps.get_models() if issubclass(m, TrackedModel) and m.history_fields
            and hasattr(m, "history_client_uid")]


@pytest.mark.parametrize("model", client_models(), ids=lambda m: m.history_type())
def test_every_text_field_of_a_clients_record_is_sealed_or_known_not_to_be_personal(model):
    texts = {name for name in model.history_fields if isinstance(model._meta.get_field(name), TEXT)}
    undeclared = texts - set(model.personal_fields) - NOT_PERSONAL.get(model.history_type(), set())
    assert undeclared == set(), f"declare {sorted(undeclared)} in {model.__name__}.personal_fields or NOT_PERSONAL"


def test_the_engines_bulk_flag_writer_has_nothing_to_seal():
    # engine.journal writes flag events without event_record; flags hold uids and counts only.
    assert Flag.personal_fields == ()


def test_a_clients_email_is_stored_sealed_and_read_back_opened(client_record, coach):
    client_update(client=client_record, by=coach.user, email="bob.stone@example.org")
    stored = Event.objects.filter(action="client.updated").values_list("after", flat=True).get()
    assert set(stored["email"]) == {"sealed"} and "bob" not in str(stored)
    assert stored["timezone"] == client_record.timezone  # other fields stay in the clear
    assert Event.objects.get(action="client.updated").after["email"] == "bob.stone@example.org"


def test_an_unchanged_field_seals_to_the_same_text_so_only_real_changes_show(client_record, coach):
    client_update(client=client_record, by=coach.user, email="new@example.org")
    before, after = Event.objects.filter(action="client.updated").values_list("before", "after").get()
    assert before["full_name"] == after["full_name"] and before["email"] != after["email"]


def test_a_sealed_value_does_not_open_on_another_record_or_field(client_record, colleague_client):
    with transaction.atomic():
        cipher = sealing.ciphers_for([client_record.uid], create=True)[str(client_record.uid)]
        sealed = {"sealed": cipher.seal(str(client_record.uid), "full_name", '"Bob Stone"')}
        assert sealing.open_value(sealed, str(client_record.uid), "full_name", cipher) == "Bob Stone"
        assert sealing.open_value(sealed, str(colleague_client.uid), "full_name", cipher) == sealing.ERASED_TEXT
        assert sealing.open_value(sealed, str(client_record.uid), "email", cipher) == sealing.ERASED_TEXT


def test_keys_are_stored_wrapped_and_the_chain_verifies_without_the_data_key(client_record, settings):
    wrapped = ClientKey.objects.get(client_uid=str(client_record.uid)).wrapped
    assert wrapped and len(wrapped) > 32
    settings.FT_DATA_KEY = "another-installation-" + "x" * 40
    sealing.forget(client_record.uid)  # as in a new transaction
    assert verify_chain() is None
    with pytest.raises(RuntimeError, match="FT_DATA_KEY"):
        verify_records()


def test_a_destroyed_key_leaves_the_log_verifying_and_the_snapshots_unreadable(client_record, db_owner):
    with transaction.atomic():
        sealing.destroy(client_record.uid)
    created = Event.objects.get(action="client.created")
    assert created.after["full_name"] == sealing.ERASED_TEXT
    assert verify_chain() is None
    # The live row still holds the name, which an erasure would have scrubbed: verify says so.
    assert [p.kind for p in verify_records()] == ["edited"]
