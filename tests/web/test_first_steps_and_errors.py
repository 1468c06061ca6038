"""A new practice's caseload shows first steps, and error pages are pages: styled, with a
way back for whoever is reading (coach, client, or someone signed out)."""

import pytest
from django.template import loader

pytestmark = pytest.mark.django_db


def test_an_empty_caseload_shows_the_first_steps(client, coach):
    client.force_login(coach.user)
    body = client.get("/").content.decode()
    assert "First steps" in body and "Add your first client" in body
    assert "No clients here" not in body


def test_a_caseload_filtered_to_nothing_is_not_told_to_start_over(client, coach, engagement):
    client.force_login(coach.user)
    body = client.get("/?state=paused").content.decode()
    assert "First steps" not in body and "No clients match" in body


def test_a_coach_who_hits_a_missing_page_gets_a_styled_page_back_to_the_caseload(client, coach):
    client.force_login(coach.user)
    page = client.get("/clients/00000000-0000-0000-0000-000000000000/")
    body = page.content.decode()
    assert page.status_code == 404
    assert "app.css" in body and "This page is not here" in body and "Back to your caseload" in body


def test_a_client_who_hits_a_missing_page_is_pointed_to_their_own_page(client, client_user):
    client.force_login(client_user)
    body = client.get("/no-such-page/").content.decode()
    assert "Back to your page" in body and "caseload" not in body.lower()


def test_someone_signed_out_is_offered_both_sign_ins(client):
    body = client.get("/no-such-page/").content.decode()
    assert "Sign in (coaches)" in body and "Sign in to your portal" in body


def test_the_403_and_500_pages_are_styled_too():
    for name, words in (("403.html", "You cannot open this page"), ("500.html", "Something went wrong")):
        # Django renders 500.html with no context at all, so it must stand alone.
        html = loader.get_template(name).render({})
        assert words in html and "app.css" in html and "Sign in" in html
