"""Erasure by crypto-shredding: the client is gone from every table, snapshot, file and
outbox, and `verify` still proves the rest of the history whole."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from followthrough.accounts.links import portal_link_request, portal_link_send
from followthrough.clients.models import Client, PlannedBreak
from followthrough.clients.services import agreement_acknowledge
from followthrough.history import ledger, sealing
from followthrough.history.models import Event
from followthrough.history.services import tracked_create, tracked_update, verify_chain, verify_records
from followthrough.meetings.models import CHECK_QUESTIONS, MeetingCheck
from followthrough.meetings.services import meeting_check_record
from followthrough.notifications.models import InboundMessage, Reminder
from followthrough.protocol.models import Letter
from followthrough.transfer import exporting
from followthrough.transfer.erasure import client_erase, due_for_erasure, is_erased
from tests.conftest import login

NAME, EMAIL = "Bob Stone", "bob@example.org"


def cells_holding(*needles):
    """(table, column) of every cell in the database whose text holds one of `needles`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                quoted_table, quoted = connection.ops.quote_name(table), connection.ops.quote_name(column.name)
                for needle in needles:
                    cursor.execute(f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 - names from introspection
                                   f"WHERE LOWER(CAST({quoted} AS TEXT)) LIKE %s", [f"%{needle.lower()}%"])
                    if cursor.fetchone()[0]:
                        found.append((table, column.name, needle))
    return found


def files_holding(folder, *needles):
    return [str(path) for path in folder.rglob("*") if path.is_file()
            and any(n.encode() in path.read_bytes() for n in needles)]


def erase(client, reason, by, capture):
    """Erase as a request would: the ledger line and mail files go after the commit."""
    with capture(execute=True):
        client_erase(client=client, reason=reason, by=by)


@pytest.fixture
def admin(coach):
    with transaction.atomic():
        return tracked_update(coach, by=None, action="coach.updated", changes={"is_practice_admin": True})


@pytest.fixture
def data_dir(tmp_path, settings):
    var = tmp_path / "var"
    settings.FT_ERASURE_LEDGER = var / "erasure-ledger"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(var / "outbox")
    return var


@pytest.fixture
def full_file(client, client_record, client_user, agreement, commitment, coach, data_dir):
    """Bob with everything that can hold his name: portal use, a letter, a link, a reminder."""
    with transaction.atomic():
        tracked_create(Letter(engagement=commitment.engagement, kind="pause", subject=f"A pause, {NAME}",
                              body=f"Dear {NAME},\n\nWe agreed to pause.", sent_to=EMAIL),
                       by=coach.user, action="letter.drafted")
    agreement_acknowledge(agreement=agreement, by=client_user, typed_name=NAME)
    meeting = commitment.made_at
    meeting_check_record(meeting=meeting, answers={q: 7 for q in CHECK_QUESTIONS}, by=client_user)
    with transaction.atomic():
        tracked_update(meeting, by=coach.user, action="meeting.updated", changes={"location": f"{NAME}'s home"})
        tracked_create(PlannedBreak(engagement=commitment.engagement, starts_on=date.today() + timedelta(days=3),
                                    ends_on=date.today() + timedelta(days=10), reason=f"{NAME}'s surgery",
                                    recorded_by=coach.user),
                       by=coach.user, action="planned_break.created")
    portal_link_send(client=client_record, by=coach.user)
    portal_link_request(email=EMAIL)
    InboundMessage.objects.create(key="reply-1", source="inbox", from_address=EMAIL, subject="Re: your action",
                                  status="set_aside", reason="no_token", reply_text=f"Done. {NAME}")
    Reminder.objects.create(commitment=commitment, kind="on_day", due_on=date.today(),
                            send_at=commitment.created_at, expires_at=commitment.created_at + timedelta(days=2))
    login(client, client_user)
    assert client.get(reverse("transfer_portal_export")).status_code == 200
    client.logout()
    assert cells_holding(NAME, EMAIL), "the scenario must put the name in the database first"
    return client_record


def test_an_erased_clients_name_and_email_are_in_no_table_snapshot_file_or_outbox_and_verify_passes(
        full_file, admin, data_dir, django_capture_on_commit_callbacks):
    assert files_holding(data_dir, EMAIL), "the outbox holds the link email before the erasure"
    erase(full_file, "The client's written request of 3 March", admin.user, django_capture_on_commit_callbacks)

    assert cells_holding(NAME, EMAIL) == []
    snapshots = [json.dumps([e.before, e.after]) for e in Event.objects.filter(client_uid=str(full_file.uid))]
    assert snapshots and not any(NAME in s or EMAIL in s for s in snapshots)
    export = io.BytesIO()
    exporting.write_zip(export, Client.objects.filter(pk=full_file.pk), audience=exporting.PRACTICE,
                        by=admin.user, practice=admin.practice, pdfs=True)
    (data_dir / "practice-export.zip").write_bytes(export.getvalue())
    with zipfile.ZipFile(export) as archive:
        assert not any(NAME.encode() in archive.read(n) or EMAIL.encode() in archive.read(n)
                       for n in archive.namelist())
    assert files_holding(data_dir, NAME, EMAIL) == []
    assert not Reminder.objects.filter(commitment__engagement__client=full_file, sent_at__isnull=True).exists()
    # A meeting check's answers have no empty form: the check is deleted, through the log.
    assert not MeetingCheck.objects.filter(meeting__engagement__client=full_file).exists()
    assert PlannedBreak.objects.get(engagement__client=full_file).reason == "(erased)"
    assert verify_chain() is None and verify_records() == []
    call_command("verify", stdout=io.StringIO())


def test_the_erasure_is_logged_with_its_reason_and_who_and_the_ledger_names_only_the_uid(
        full_file, admin, django_capture_on_commit_callbacks):
    erase(full_file, "retention period over", admin.user, django_capture_on_commit_callbacks)
    erased = Event.objects.get(client_uid=str(full_file.uid), action="client.erased")
    assert erased.actor == admin.user and erased.after["reason"] == "retention period over"
    assert erased.after["full_name"] == sealing.ERASED_TEXT  # sealed under the destroyed key
    assert [entry.client_uid for entry in ledger.entries()] == [str(full_file.uid)]
    assert NAME not in ledger.path().read_text() and is_erased(full_file)
    full_file.refresh_from_db()
    assert full_file.full_name == "Erased client" and full_file.email == ""
    assert list(full_file.engagements.values_list("state", flat=True)) == ["ended"]
    assert not full_file.user.is_active and full_file.user.email == ""


def test_erasure_needs_a_reason_and_a_practice_admin_and_changes_nothing_otherwise(full_file, admin, colleague):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        client_erase(client=full_file, reason="  ", by=admin.user)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        client_erase(client=full_file, reason="asked by email", by=colleague.user)
    assert "client" in refused.value.message_dict
    assert Event.objects.count() == events and sealing.key_exists(full_file.uid)


def test_a_record_edited_behind_the_logs_back_after_an_erasure_still_fails_verify(full_file, admin, db_owner):
    client_erase(client=full_file, reason="asked by email", by=admin.user)
    Client.objects.filter(pk=full_file.pk).update(full_name=NAME)
    assert [p.kind for p in verify_records()] == ["edited"]


def test_verify_warns_when_the_ledger_names_a_client_whose_key_exists(full_file, admin, settings):
    ledger.append(full_file.uid, full_file.created_at)
    out = io.StringIO()
    call_command("verify", stdout=out)
    assert f"erasure ledger: client {full_file.uid}" in out.getvalue()


def test_clients_past_the_retention_period_are_offered_for_erasure_never_erased(
        admin, client_record, engagement, colleague_client, settings):
    settings.RECORD_RETENTION_YEARS = 7
    with transaction.atomic():
        tracked_update(engagement, by=None, action="engagement.ended",
                       changes={"state": "ended", "ended_on": date.today() - timedelta(days=8 * 365)}, validate=False)
    assert due_for_erasure(admin.practice) == [client_record]
    assert sealing.key_exists(client_record.uid)
    client_erase(client=client_record, reason="retention period over", by=admin.user)
    assert due_for_erasure(admin.practice) == []
