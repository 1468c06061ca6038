"""The practice admin's erasure pages and the `erase` command."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from followthrough.clients.services import client_create
from followthrough.history import sealing
from followthrough.history.services import tracked_update
from tests.conftest import login

# The gate (the session, the user with their coach and practice); then the client and whether they were
# erased, and for the confirmation its counts (engagements, open ones, meetings, commitments,
# letters), and messages.
ERASE_PAGE_QUERIES = 9
# The gate; then the clients past the retention period and which of them were erased.
LIST_PAGE_QUERIES = 4


@pytest.fixture
def admin(coach):
    with transaction.atomic():
        return tracked_update(coach, by=None, action="coach.updated", changes={"is_practice_admin": True})


def erase_url(client_record):
    return reverse("transfer_client_erase", args=[client_record.uid])


def test_the_confirmation_names_the_client_and_what_is_erased(client, admin, client_record, commitment):
    page = login(client, admin.user).get(erase_url(client_record))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Erase Bob Stone" in text and "1 commitment" in text and "cannot be undone" in text


def test_erasing_without_a_reason_or_the_tick_is_refused_on_the_fields_and_erases_nothing(client, admin,
                                                                                          client_record):
    page = login(client, admin.user).post(erase_url(client_record), {"reason": " "})
    assert page.status_code == 422
    form = page.context["form"]
    assert "confirmed" in form.errors
    page = client.post(erase_url(client_record), {"reason": " ", "confirmed": "on"})
    assert page.status_code == 422 and "reason" in page.context["form"].errors
    assert sealing.key_exists(client_record.uid)


def test_the_admin_erases_a_client_and_the_page_is_gone_afterwards(client, admin, client_record):
    page = login(client, admin.user).post(erase_url(client_record),
                                          {"reason": "The client's request of 3 March", "confirmed": "on"})
    assert page.status_code == 302 and page["Location"] == reverse("transfer_erasure_list")
    client_record.refresh_from_db()
    assert client_record.full_name == "Erased client" and not sealing.key_exists(client_record.uid)
    assert client.get(erase_url(client_record)).status_code == 404


def test_the_client_file_offers_erasure_to_a_practice_admin_only(client, coach, client_record):
    file_url = reverse("client_file", args=[client_record.uid])
    assert erase_url(client_record) not in login(client, coach.user).get(file_url).content.decode()
    with transaction.atomic():
        tracked_update(coach, by=None, action="coach.updated", changes={"is_practice_admin": True})
    assert erase_url(client_record) in login(client, coach.user).get(file_url).content.decode()
    settings_page = client.get(reverse("practice_settings")).content.decode()
    assert reverse("transfer_erasure_list") in settings_page and reverse("transfer_import") in settings_page


@pytest.mark.parametrize("persona", ["colleague", "outsider", "client_user"])
def test_nobody_but_the_practices_admin_can_post_an_erasure(client, admin, client_record, colleague, outsider,
                                                           client_user, persona):
    with transaction.atomic():
        tracked_update(outsider, by=None, action="coach.updated", changes={"is_practice_admin": True})
    user = {"colleague": colleague.user, "outsider": outsider.user, "client_user": client_user}[persona]
    page = login(client, user).post(erase_url(client_record), {"reason": "because", "confirmed": "on"})
    assert page.status_code == 404 and sealing.key_exists(client_record.uid)
    client.logout()
    page = client.post(erase_url(client_record), {"reason": "because", "confirmed": "on"})
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("meetings", [1, 6])
def test_the_confirmation_costs_the_same_queries_however_big_the_file(client, admin, engagement, meetings,
                                                                      django_assert_num_queries):
    from followthrough.meetings.models import Meeting

    Meeting.objects.bulk_create(Meeting(engagement=engagement, status="held", starts_at=engagement.created_at)
                                for _ in range(meetings))
    login(client, admin.user)
    with django_assert_num_queries(ERASE_PAGE_QUERIES):
        assert client.get(erase_url(engagement.client)).status_code == 200


@pytest.mark.parametrize("ended", [1, 8])
def test_the_retention_list_costs_the_same_queries_however_many_are_due(client, admin, ended, settings,
                                                                        django_assert_num_queries):
    settings.RECORD_RETENTION_YEARS = 7
    long_ago = date.today() - timedelta(days=8 * 366)
    for n in range(ended):
        record = client_create(coach=admin, by=admin.user, full_name=f"Former {n}", started_on=long_ago)
        with transaction.atomic():
            tracked_update(record.engagements.get(), by=None, action="engagement.ended",
                           changes={"state": "ended", "ended_on": long_ago}, validate=False)
    login(client, admin.user)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        page = client.get(reverse("transfer_erasure_list"))
    assert page.status_code == 200 and len(page.context["due"]) == ended
    assert "Former 0" in page.content.decode()


def test_the_erase_command_erases_as_the_admin_and_refuses_anyone_else(admin, colleague, client_record):
    with pytest.raises(CommandError, match="practice admin"):
        call_command("erase", client=str(client_record.uid), by="cara", reason="asked", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Say why"):
        call_command("erase", client=str(client_record.uid), by="ana", reason=" ", stdout=io.StringIO())
    out = io.StringIO()
    call_command("erase", client=str(client_record.uid), by="ana", reason="asked by letter", stdout=out)
    assert "erased client" in out.getvalue() and not sealing.key_exists(client_record.uid)


def test_the_admin_finds_the_client_who_asked_by_name_or_email(client, admin, client_record, colleague_client):
    page = login(client, admin.user).get(reverse("transfer_erasure_list"), {"q": "bob@example.org"})
    assert [c.full_name for c in page.context["found"]] == ["Bob Stone"]
    page = client.get(reverse("transfer_erasure_list"), {"q": "dee"})
    assert [c.full_name for c in page.context["found"]] == ["Dee Hart"]
    assert erase_url(colleague_client) in page.content.decode()
