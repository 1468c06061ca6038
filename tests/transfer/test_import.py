import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followthrough.clients.models import Client
from followthrough.commitments.models import Commitment
from followthrough.history.models import Event
from followthrough.history.services import verify_chain, verify_records
from followthrough.meetings.models import Meeting
from followthrough.transfer.rows import COLUMN_NAMES
from followthrough.transfer.writing import ImportFailed, import_file
from tests.conftest import login

FIRST = date.today() - timedelta(days=400)


def spreadsheet_rows(clients=50, meetings=5):
    """`clients` × `meetings` × 2 rows: each meeting makes two commitments, reviewed at the next."""
    rows = []
    for c in range(clients):
        for m in range(meetings):
            day = FIRST + timedelta(days=14 * m + c % 7)
            last = m == meetings - 1
            for k in range(2):
                rows.append({
                    "client_name": f"Client {c}", "client_email": f"client{c}@example.org",
                    "focus": "business", "came_for": "Grow the shop", "call_to_action": "Two calls a week",
                    "meeting_date": day.isoformat(), "meeting_time": "10:00", "focus_discussed": "business",
                    "meeting_summary": f"Meeting {m}", "meeting_notes": "private words",
                    "commitment": f"Action {m}.{k}", "due_on": (day + timedelta(days=10)).isoformat(),
                    "outcome": "" if last else ("kept" if k == 0 else "partly kept"),
                    "kept_fraction": "" if last or k == 0 else "50%",
                })
    return rows


def as_csv(rows, columns=COLUMN_NAMES):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def run(coach, data, **kwargs):
    return import_file(data, filename="practice.csv", practice=coach.practice, coach=coach, by=coach.user, **kwargs)


def test_a_500_row_spreadsheet_with_two_bad_rows_names_both_and_imports_nothing_until_they_are_fixed(coach):
    rows = spreadsheet_rows()
    assert len(rows) == 500
    rows[41]["meeting_date"] = "31/02/2025"
    rows[302]["outcome"] = "sort of"
    events = Event.objects.count()
    with pytest.raises(ImportFailed) as failed:
        run(coach, as_csv(rows))
    named = {(p.row, p.column) for p in failed.value.problems}
    assert named == {(43, "meeting_date"), (304, "outcome")}  # spreadsheet rows: the header is row 1
    assert "31/02/2025" in str(failed.value.problems[0])
    assert Client.objects.count() == 0 and Event.objects.count() == events

    rows[41]["meeting_date"] = rows[40]["meeting_date"]
    rows[302]["outcome"] = "missed"
    report = run(coach, as_csv(rows))
    assert (report.clients, report.meetings, report.commitments) == (50, 250, 500)
    assert Client.objects.count() == 50 and Meeting.objects.count() == 250
    assert Commitment.objects.filter(outcome="kept").count() == 199
    assert Commitment.objects.filter(outcome="missed").count() == 1
    assert Commitment.objects.filter(outcome="partly_kept").count() == 200
    assert verify_chain() is None and verify_records() == []


def test_imported_records_carry_their_own_dates_and_are_marked_imported_in_the_history(coach):
    run(coach, as_csv(spreadsheet_rows(clients=1, meetings=2)))
    meeting = Meeting.objects.order_by("starts_at").first()
    assert meeting.starts_at.date() == FIRST
    created = Event.objects.get(action="meeting.created", object_uid=str(meeting.uid))
    assert created.at.date() == FIRST
    assert created.actor_label == "Ana Perez <ana> · imported from practice.csv"
    client = Client.objects.get()
    assert client.created_at.date() <= FIRST


def test_a_dry_run_lists_problems_in_the_coachs_words_and_writes_nothing(coach, colleague, client_record):
    rows = spreadsheet_rows(clients=2, meetings=2)
    rows[0].update(coach="nobody")
    rows[4].update(client_email="client0@example.org")
    rows[5].update(focus_discussed="gardening")
    with pytest.raises(ImportFailed) as failed:
        run(coach, as_csv(rows), dry_run=True)
    messages = [str(p) for p in failed.value.problems]
    assert "Row 2, coach: No coach of the practice is called “nobody”; use their username or email." in messages
    assert "Row 6, client_email: This email is already used for Client 0 (row 2): one email is one client." \
        in messages
    assert "Row 7, focus_discussed: “gardening” is not one of the practice's focus areas." in messages
    assert Client.objects.count() == 1


def test_an_email_already_in_the_practice_is_refused_as_a_duplicate(coach, client_record):
    rows = spreadsheet_rows(clients=1, meetings=1)
    for row in rows:
        row["client_email"] = "bob@example.org"
    with pytest.raises(ImportFailed) as failed:
        run(coach, as_csv(rows))
    assert str(failed.value.problems[0]) == "Row 2, client_email: Bob Stone already has this email in the practice."


def test_an_outcome_without_a_later_meeting_to_review_it_at_is_named(coach):
    rows = spreadsheet_rows(clients=1, meetings=1)
    rows[0]["outcome"] = "kept"
    with pytest.raises(ImportFailed) as failed:
        run(coach, as_csv(rows))
    assert [(p.row, p.column) for p in failed.value.problems] == [(2, "outcome")]


def test_a_coach_who_is_not_an_admin_cannot_import_for_a_colleague(coach, colleague):
    rows = spreadsheet_rows(clients=1, meetings=1)
    rows[0]["coach"] = "cara"
    with pytest.raises(ImportFailed) as failed:
        run(coach, as_csv(rows))
    assert "Only a practice admin" in str(failed.value.problems[0])


def test_columns_are_matched_by_header_name_in_any_order_and_aliases_are_read(coach):
    data = io.BytesIO(
        ("Email,Name,Primary focus,Came for,Call to action,Date,Status,Shoe size\n"
         f"zed@example.org,Zed Ray,Business,A plan,Calls,{FIRST.isoformat()},no-show,42\n").encode())
    report = run(coach, data)
    assert report.ignored_columns == ["Shoe size"]
    assert Meeting.objects.get().status == "no_show"
    assert Client.objects.get().full_name == "Zed Ray"


def test_an_xlsx_workbook_imports_like_its_csv(coach):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMN_NAMES))
    for row in spreadsheet_rows(clients=2, meetings=2):
        sheet.append([row.get(name, "") for name in COLUMN_NAMES])
    data = io.BytesIO()
    book.save(data)
    report = import_file(data, filename="practice.xlsx", practice=coach.practice, coach=coach, by=coach.user)
    assert (report.clients, report.meetings, report.commitments) == (2, 4, 8)


def test_the_import_page_checks_then_imports_and_offers_the_template(client, coach):
    login(client, coach.user)
    template = client.get(reverse("transfer_template"))
    assert template.content.decode().splitlines()[0] == ",".join(COLUMN_NAMES)
    rows = spreadsheet_rows(clients=2, meetings=2)
    rows[2]["due_on"] = "soon"
    upload = SimpleUploadedFile("mine.csv", as_csv(rows).getvalue(), content_type="text/csv")
    page = client.post(reverse("transfer_import"), {"file": upload, "action": "import"})
    assert page.status_code == 422
    assert "nothing was imported" in page.content.decode() and "“soon” is not a date" in page.content.decode()
    rows[2]["due_on"] = rows[3]["due_on"]
    upload = SimpleUploadedFile("mine.csv", as_csv(rows).getvalue(), content_type="text/csv")
    page = client.post(reverse("transfer_import"), {"file": upload, "action": "check"})
    assert "ready to import" in page.content.decode() and Client.objects.count() == 0
    upload = SimpleUploadedFile("mine.csv", as_csv(rows).getvalue(), content_type="text/csv")
    page = client.post(reverse("transfer_import"), {"file": upload, "action": "import"})
    assert "Imported mine.csv" in page.content.decode() and Client.objects.count() == 2


def test_the_api_import_answers_422_by_row_and_column_and_201_when_whole(client, coach):
    login(client, coach.user)
    rows = spreadsheet_rows(clients=1, meetings=2)
    rows[1]["outcome"] = "nope"
    upload = SimpleUploadedFile("a.csv", as_csv(rows).getvalue(), content_type="text/csv")
    answer = client.post("/api/imports", {"file": upload})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["row 3.outcome"]
    rows[1]["outcome"] = "missed"
    upload = SimpleUploadedFile("a.csv", as_csv(rows).getvalue(), content_type="text/csv")
    answer = client.post("/api/imports", {"file": upload, "dry_run": "true"})
    assert answer.status_code == 200 and answer.json()["dry_run"] is True and Client.objects.count() == 0
    upload = SimpleUploadedFile("a.csv", as_csv(rows).getvalue(), content_type="text/csv")
    answer = client.post("/api/imports", {"file": upload})
    assert answer.json()["commitments"] == 4 and Client.objects.count() == 1
