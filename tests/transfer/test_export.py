import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse

from followthrough.clients.models import Client
from followthrough.history.models import AccessRecord, Event
from followthrough.history.services import verify_chain, verify_records
from followthrough.practice.services import coach_create, practice_create
from followthrough.protocol.models import Letter
from followthrough.transfer import exporting
from followthrough.transfer.handoff import HandoffFailed, handoff_import
from tests.conftest import PASSWORD, login

SCHEMA = json.loads((Path(exporting.__file__).parent / "export-v1.schema.json").read_text())


def export_json(zip_bytes):
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return json.loads(archive.read("export.json")), archive.namelist()


def valid(doc):
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.fixture
def letter(engagement, coach):
    from django.db import transaction

    from followthrough.history.services import tracked_create
    with transaction.atomic():
        return tracked_create(Letter(engagement=engagement, kind="pause", subject="Taking a pause",
                                     body="Dear Bob,\n\nWe agreed to pause."), by=coach.user, action="letter.drafted")


def test_a_client_downloads_their_zip_from_the_portal_and_it_validates_against_the_schema(
        client, client_user, client_record, commitment):
    login(client, client_user)
    answer = client.get(reverse("transfer_portal_export"))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    doc, names = export_json(answer.content)
    assert valid(doc) == []
    assert doc["audience"] == "client" and doc["clients"][0]["full_name"] == "Bob Stone"
    meeting = doc["clients"][0]["engagements"][0]["meetings"][0]
    assert "private_notes" not in meeting and "Tired, distracted." not in answer.content.decode("latin-1")
    assert doc["clients"][0]["engagements"][0]["commitments"][0]["minutes_needed"] == 90
    assert doc["log_head"]["seq"] == Event.objects.count()
    assert "README.txt" in names


def test_the_export_carries_the_meeting_checks_planned_breaks_and_lapse_plan(
        client, client_user, client_record, held_meeting, engagement):
    from datetime import timedelta

    from followthrough.clients.services import planned_break_record
    from followthrough.meetings.services import meeting_check_record

    meeting_check_record(meeting=held_meeting, by=client_user,
                         answers={"on_what_matters": 8, "plan_fits_week": 6, "felt_heard": 9, "sure_to_do_it": 7})
    today = client_record.today()
    planned_break_record(engagement=engagement, by=client_user, reason="Holiday",
                         starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=40))
    doc, _ = export_json(login(client, client_user).get(reverse("transfer_portal_export")).content)
    assert valid(doc) == []
    [exported] = doc["clients"][0]["engagements"]
    [check] = [m["meeting_check"] for m in exported["meetings"] if m["meeting_check"]]
    assert (check["felt_heard"], check["score"], check["answered_via"]) == (9, 7.5, "portal")
    assert [(b["reason"], b["cancelled_at"]) for b in exported["planned_breaks"]] == [("Holiday", None)]
    assert exported["agreements"][0]["lapse_reminders"] == "normal"


def test_the_coachs_export_carries_private_notes_marked_as_private_and_the_pdfs_of_letters(
        client, coach, client_record, held_meeting, letter):
    login(client, coach.user)
    answer = client.get(reverse("transfer_client_export", args=[client_record.uid]))
    doc, names = export_json(answer.content)
    assert valid(doc) == []
    notes = doc["clients"][0]["engagements"][0]["meetings"][0]["private_notes"]
    assert notes["text"] == "Tired, distracted." and notes["private"] is True
    assert [n for n in names if n.startswith("letters/")] and all(
        zipfile.ZipFile(io.BytesIO(answer.content)).read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))


def test_a_drafted_letter_stays_out_of_the_clients_own_export(client, client_user, letter):
    login(client, client_user)
    doc, names = export_json(client.get(reverse("transfer_portal_export")).content)
    assert doc["clients"][0]["engagements"][0]["letters"] == []
    assert not [n for n in names if n.startswith("letters/")]


def test_every_export_is_logged_and_the_next_export_lists_it(client, client_user, client_record, coach):
    login(client, client_user)
    client.get(reverse("transfer_portal_export"))
    record = AccessRecord.objects.get(kind="export")
    assert record.client_uid == str(client_record.uid) and record.user == client_user
    doc, _ = export_json(client.get(reverse("transfer_portal_export")).content)
    assert [a["kind"] for a in doc["clients"][0]["access_records"]].count("export") == 2


def test_a_coach_cannot_export_a_client_they_do_not_hold(client, colleague, client_record):
    login(client, colleague.user)
    assert client.get(reverse("transfer_client_export", args=[client_record.uid])).status_code == 404
    assert client.get(f"/api/clients/{client_record.uid}/export").status_code == 404
    assert not AccessRecord.objects.filter(kind="export").exists()


def test_a_handed_off_client_arrives_in_another_practice_with_their_history_attributed_to_its_source(
        coach, client_record, commitment, held_meeting):
    zipped = exporting.client_zip(client_record, audience=exporting.COACH, by=coach.user)
    other = practice_create(name="Fjord Coaching", timezone="Europe/Oslo")
    receiver = coach_create(practice=other, username="kai", email="kai@example.org", display_name="Kai Lund",
                            password=PASSWORD)
    arrived = handoff_import(io.BytesIO(zipped), coach=receiver, by=receiver.user)
    assert arrived.practice == other and arrived.full_name == "Bob Stone" and arrived.pk != client_record.pk
    engagement = arrived.engagements.get()
    assert engagement.coach == receiver
    meeting = engagement.meetings.get()
    assert meeting.starts_at == held_meeting.starts_at and meeting.private_notes == "Tired, distracted."
    assert engagement.commitments.get().description == "Email five wedding planners"
    labels = set(Event.objects.filter(client_uid=str(arrived.uid)).values_list("actor_label", flat=True))
    assert labels == {"Kai Lund <kai> · handed off from Harbour Coaching (Ana Perez <ana>)"}
    assert verify_chain() is None and verify_records() == []


def test_a_file_that_is_not_an_export_is_refused_and_nothing_is_taken_on(coach):
    with pytest.raises(HandoffFailed, match="not a Followthrough export"):
        handoff_import(io.BytesIO(b"name,email\n"), coach=coach, by=coach.user)
    assert not Client.objects.exists()


def test_the_practice_export_holds_every_client_and_is_for_admins_only(client, coach, client_record,
                                                                       colleague_client):
    login(client, coach.user)
    assert client.get(reverse("transfer_practice_export")).status_code == 404
    coach.is_practice_admin = True
    coach.save()
    answer = client.get(reverse("transfer_practice_export"))
    doc, _ = export_json(b"".join(answer.streaming_content) if answer.streaming else answer.content)
    assert valid(doc) == []
    assert sorted(c["full_name"] for c in doc["clients"]) == ["Bob Stone", "Dee Hart"]


def test_the_portal_export_is_for_the_client_alone(client, client_user, coach, colleague):
    url = reverse("transfer_portal_export")
    for persona in (coach.user, colleague.user):
        client.force_login(persona)
        assert client.get(url).status_code == 404
    client.logout()
    answer = client.get(url)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("portal_sign_in"))
    assert not AccessRecord.objects.filter(kind="export").exists()


def test_the_api_takes_on_a_handed_off_client_and_refuses_what_is_not_an_export(client, coach, client_record,
                                                                                 outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    zipped = exporting.client_zip(client_record, audience=exporting.COACH, by=coach.user)
    login(client, outsider.user)
    bad = client.post("/api/handoffs", {"file": SimpleUploadedFile("x.json", b"{}")})
    assert bad.status_code == 422 and "not a Followthrough export" in bad.json()["errors"]["file"][0]
    answer = client.post("/api/handoffs", {"file": SimpleUploadedFile("bob.zip", zipped)})
    assert answer.status_code == 201 and answer.json()["full_name"] == "Bob Stone"
    assert Client.objects.get(uid=answer.json()["uid"]).practice == outsider.practice
