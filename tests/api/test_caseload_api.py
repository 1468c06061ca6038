"""The caseload and the practice's engagements in the API list what the pages list, with the
same search, filters, sort and pages, and refuse a filter that cannot be on its field."""

from datetime import date, timedelta

import pytest
from django.test import Client as Browser
from django.urls import reverse

from followthrough.clients.services import client_create
from followthrough.engine.models import Flag
from followthrough.history import clock


def _names(body):
    return [row["client_name"] for row in body["rows"]]


def test_the_api_caseload_lists_the_rows_of_the_caseload_page(api, coach, commitment):
    client_create(coach=coach, by=coach.user, full_name="Amy Early", email="amy@early.example")
    body = api.get("/api/caseload").json()
    browser = Browser()
    browser.force_login(coach.user)
    page = browser.get(reverse("caseload"))
    assert _names(body) == [row["full_name"] for row in page.context["rows"]] == ["Amy Early", "Bob Stone"]
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    bob = body["rows"][1]
    assert bob["state"] == "active" and bob["open_commitments"] == 1 and bob["overdue_commitments"] == 1
    assert bob["engagement_uid"] == str(commitment.engagement.uid) and bob["flagged"] is False
    assert _names(api.get("/api/caseload", q="EARLY.ex").json()) == ["Amy Early"]
    assert _names(api.get("/api/caseload", overdue="true").json()) == ["Bob Stone"]
    assert _names(api.get("/api/caseload", sort="overdue").json()) == ["Bob Stone", "Amy Early"]


def test_the_api_caseload_filters_flagged_clients_and_pages_fifty_at_a_time(api, coach, engagement):
    Flag.objects.create(engagement=engagement, kind=Flag.Kind.NO_SHOWS, raised_at=clock.now())
    flagged = api.get("/api/caseload", flagged="true").json()
    assert _names(flagged) == ["Bob Stone"] and flagged["rows"][0]["flagged"] is True
    for n in range(51):
        client_create(coach=coach, by=coach.user, full_name=f"Client {n:02d}",
                      started_on=date.today() - timedelta(days=1))
    second = api.get("/api/caseload", q="client", page=2).json()
    assert second["total"] == 51 and second["pages"] == 2 and _names(second) == ["Client 50"]
    assert api.get("/api/caseload", q="client", page=7).json()["page"] == 2


def test_the_api_caseload_never_lists_a_colleagues_client(api, colleague_client):
    assert _names(api.get("/api/caseload", q="Dee").json()) == []


@pytest.mark.parametrize("query, field", [({"state": "asleep"}, "state"), ({"sort": "shoe size"}, "sort"),
                                          ({"page": 0}, "page"), ({"page": "two"}, "page"),
                                          ({"flagged": "maybe"}, "flagged")])
def test_the_api_caseload_refuses_a_filter_that_cannot_be_on_its_field(api, client_record, query, field):
    response = api.get("/api/caseload", **query)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_the_practice_engagements_are_for_the_practice_admin(api, coach, engagement):
    assert api.get("/api/practice/engagements").status_code == 404  # a coach who is not an admin
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    body = api.get("/api/practice/engagements").json()
    assert body["total"] == 1
    row = body["rows"][0]
    assert row["engagement_uid"] == str(engagement.uid) and row["coach_uid"] == str(coach.uid)
    assert row["state"] == "active" and row["open_intervention"] is False
    assert api.get("/api/practice/engagements", state="ended").json()["total"] == 0
    refused = api.get("/api/practice/engagements", coach="not-a-coach", state="asleep")
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"coach", "state"}


@pytest.mark.parametrize("path", ["/api/caseload", "/api/practice/engagements"])
def test_a_client_gets_404_and_no_credentials_401(client, api_for, anonymous_api, client_user, path):
    assert anonymous_api.get(path).status_code == 401
    client.force_login(client_user)
    assert api_for().get(path).status_code == 404


def test_a_colleague_lists_their_own_caseload_and_an_admin_only_their_own_practice(
        api, colleague_api, coach, client_record, colleague_client, outsider):
    assert _names(colleague_api.get("/api/caseload").json()) == ["Dee Hart"]
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    client_create(coach=outsider, by=outsider.user, full_name="Otto Far")  # another practice's client
    names = [row["client_name"] for row in api.get("/api/practice/engagements").json()["rows"]]
    assert sorted(names) == ["Bob Stone", "Dee Hart"]  # Dee is a colleague's, in the same practice
