"""A short help page per area, linked from each page's heading, in the brief's words."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from followthrough.ui.help import AREAS

from .conftest import page_text

COACH_AREAS = [slug for slug, (_, reader) in AREAS.items() if reader == "coach"]
# Where the terms being built this round are explained.
NEW_TERMS = {
    "meetings": ["meeting check", "alliance drop"],
    "client-file": ["lapse plan", "planned break"],
    "commitments": ["fresh start", "planned break"],
    "protocol": ["lapse plan", "fresh start", "alliance drop"],
}


@pytest.mark.parametrize("area", COACH_AREAS)
def test_each_coach_area_has_its_help_page(as_coach, area):
    response = as_coach.get(reverse("help", args=[area]))
    assert response.status_code == 200
    assert f"<h1>{escape(AREAS[area][0])}</h1>" in page_text(response)


@pytest.mark.parametrize("area, terms", NEW_TERMS.items())
def test_the_new_terms_are_explained_where_they_belong(as_coach, area, terms):
    text = page_text(as_coach.get(reverse("help", args=[area]))).lower()
    for term in terms:
        assert f"<strong>{term}</strong>" in text, term


def test_the_meeting_check_is_labelled_as_not_a_validated_instrument(as_coach):
    text = page_text(as_coach.get(reverse("help", args=["meetings"])))
    assert "not a validated instrument" in text and "I feel heard" in text


@pytest.mark.parametrize("name, args, area", [
    ("caseload", [], "caseload"), ("todo", [], "caseload"), ("client_file", ["client"], "client-file"),
    ("meeting_update", ["meeting"], "meetings"), ("meeting_review", ["meeting"], "commitments"),
    ("protocol:outcomes", [], "outcomes"), ("transfer_import", [], "data"), ("thresholds", [], "protocol"),
])
def test_each_page_links_its_help_from_its_heading(as_coach, held_meeting, name, args, area):
    records = {"client": held_meeting.engagement.client.uid, "meeting": held_meeting.uid}
    text = page_text(as_coach.get(reverse(name, args=[records[a] for a in args])))
    assert text.count('class="help-link"') == 1
    assert f'href="{reverse("help", args=[area])}"' in text


def test_practice_pages_link_the_practice_help(as_coach, coach):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    assert reverse("help", args=["practice"]) in page_text(as_coach.get(reverse("practice_coaches")))


def test_the_erasure_pages_link_the_help_that_explains_erasure(as_coach, coach, client_record):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    for page in (reverse("transfer_erasure_list"), reverse("transfer_client_erase", args=[client_record.uid])):
        assert f'href="{reverse("help", args=["data"])}"' in page_text(as_coach.get(page)), page
    assert "<strong>Erasure</strong>" in page_text(as_coach.get(reverse("help", args=["data"])))


def test_the_portal_links_the_clients_help_and_it_opens(client, client_user):
    client.force_login(client_user)
    home = page_text(client.get(reverse("portal_home")))
    assert home.count(f'href="{reverse("help", args=["portal"])}"') >= 1
    response = client.get(reverse("help", args=["portal"]))
    assert response.status_code == 200 and "lapse plan" in page_text(response)


@pytest.mark.parametrize("area", COACH_AREAS)
def test_coaches_help_is_for_coaches_only(client, client_user, area):
    url = reverse("help", args=[area])
    client.force_login(client_user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_the_portals_help_is_for_clients_only(client, coach):
    url = reverse("help", args=["portal"])
    client.force_login(coach.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("portal_sign_in"))


def test_an_unknown_help_page_is_not_found(as_coach):
    assert as_coach.get("/help/nothing/").status_code == 404
    assert as_coach.get(reverse("help_index")).status_code == 200
