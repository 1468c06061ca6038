import pytest
from django.conf import settings as django_settings

from followthrough.clients.models import Client
from tests.conftest import ARTIFACTS
from tests.transfer.test_import import as_csv, spreadsheet_rows

pytestmark = pytest.mark.browser


def test_a_coach_checks_a_spreadsheet_in_the_browser_and_sees_each_problem_by_row(
        chromium, live_server, client, coach, tmp_path):
    rows = spreadsheet_rows(clients=3, meetings=2)
    rows[3]["meeting_date"] = "31/02/2025"
    rows[7]["outcome"] = "sort of"
    path = tmp_path / "my-clients.csv"
    path.write_bytes(as_csv(rows).getvalue())
    client.force_login(coach.user)
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_file", str(path))
    page.click("button[value=import]")
    table = page.locator("section.errors table")
    assert table.locator("tbody tr").count() == 2
    assert "nothing was imported" in page.locator("section.errors h2").inner_text()
    assert table.locator("tbody tr").first.locator("td").first.inner_text() == "5"
    page.screenshot(path=str(ARTIFACTS / "transfer-import-problems.png"), full_page=True)
    assert not Client.objects.exists()


def test_a_practice_admin_erases_a_client_in_the_browser_after_the_confirmation(
        chromium, live_server, client, coach, client_record, commitment):
    from django.db import transaction

    from followthrough.history import sealing
    from followthrough.history.services import tracked_update

    with transaction.atomic():
        tracked_update(coach, by=None, action="coach.updated", changes={"is_practice_admin": True})
    client.force_login(coach.user)
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/practice/erasure/?q=Bob")
    page.click("text=Erase…")
    assert "Erase Bob Stone" in page.locator("h1").inner_text()
    page.fill("#id_reason", "The client's written request of 3 March")
    page.screenshot(path=str(ARTIFACTS / "transfer-erase-confirmation.png"), full_page=True)
    page.check("#id_confirmed")
    page.click("form:has(#id_reason) button[type=submit]")
    assert "The client is erased" in page.content()
    page.screenshot(path=str(ARTIFACTS / "transfer-erased.png"), full_page=True)
    assert not sealing.key_exists(client_record.uid)
