"""Who may open the coach pages: the coach of the record, and nobody else.

Colleagues in the same practice, coaches of other practices and the client's own account
all get 404, as if the record did not exist; anonymous visitors are sent to log in.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

OBJECT_ROUTES = [
    # (url name, fixture holding the record, methods)
    ("client_file", "client_record", ["get"]),
    ("client_history", "client_record", ["get"]),
    ("engagement_move", "engagement", ["get", "post"]),
    ("engagement_reengage", "engagement", ["get", "post"]),
    ("agreement_create", "engagement", ["get", "post"]),
    ("agreement_acknowledge", "agreement", ["get", "post"]),
    ("meeting_create", "engagement", ["get", "post"]),
    ("meeting_update", "held_meeting", ["get", "post"]),
    ("meeting_plan_next", "held_meeting", ["post"]),
    ("meeting_review", "held_meeting", ["get", "post"]),
    ("meeting_review_row", "held_meeting", ["get"]),
    ("external_referral_create", "engagement", ["get", "post"]),
    ("transfer_client_export", "client_record", ["get"]),
    ("planned_break_create", "engagement", ["get", "post"]),
    ("planned_break_cancel", "planned_break", ["post"]),
]
CASES = [(name, fixture, method) for name, fixture, methods in OBJECT_ROUTES for method in methods]


def _url(request, name, fixture):
    record = request.getfixturevalue(fixture)
    url = reverse(name, args=[record.uid])
    return url + "?index=4" if name == "meeting_review_row" else url


@pytest.fixture
def world(held_meeting, client_user, colleague, outsider, colleague_client):
    """Every persona exists, and the coach's records are in place."""
    return {"coach": held_meeting.engagement.coach.user, "colleague": colleague.user,
            "outsider": outsider.user, "client_user": client_user}


@pytest.mark.parametrize(("name", "fixture", "method"), CASES)
def test_the_coach_of_the_record_gets_the_page(request, client, world, name, fixture, method):
    client.force_login(world["coach"])
    response = getattr(client, method)(_url(request, name, fixture))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("persona", ["colleague", "outsider", "client_user"])
@pytest.mark.parametrize(("name", "fixture", "method"), CASES)
def test_anyone_else_signed_in_gets_404(request, client, world, persona, name, fixture, method):
    client.force_login(world[persona])
    response = getattr(client, method)(_url(request, name, fixture))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "fixture", "method"), CASES)
def test_anonymous_visitors_are_sent_to_log_in(request, client, world, name, fixture, method):
    url = _url(request, name, fixture)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=" + quote(url.split("?")[0]))


def test_a_client_landing_on_the_caseload_is_sent_to_their_portal(client, world):
    client.force_login(world["client_user"])
    response = client.get(reverse("caseload"))
    assert response.status_code == 302 and response["Location"] == reverse("portal_home")


@pytest.mark.parametrize(("name", "method"), [
    ("client_create", "get"), ("client_create", "post"),
    ("transfer_import", "get"), ("transfer_import", "post"), ("transfer_template", "get"),
    ("transfer_handoff", "get"), ("todo", "get"), ("calendar_coach_feeds", "get"),
    ("calendar_coach_feeds", "post"),
])
def test_pages_without_a_record_are_for_coaches_only(client, world, name, method):
    url = reverse(name)
    for persona in ("coach", "colleague", "outsider"):
        client.force_login(world[persona])
        assert getattr(client, method)(url).status_code == 200, persona
    client.force_login(world["client_user"])
    assert getattr(client, method)(url).status_code == 404
    client.logout()
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_deactivated_coach_is_shut_out(client, coach, client_record):
    from followthrough.practice.services import coach_update

    coach_update(coach=coach, by=None, is_active=False)
    client.force_login(coach.user)
    assert client.get(reverse("caseload")).status_code == 404
    assert client.get(reverse("client_file", args=[client_record.uid])).status_code == 404


def test_records_are_addressed_by_uid_never_by_row_number(as_coach, client_record):
    assert f"/clients/{client_record.uid}/" == reverse("client_file", args=[client_record.uid])
    assert as_coach.get(f"/clients/{client_record.pk}/").status_code == 404


def test_the_caseload_lists_only_the_coachs_own_clients(as_coach, client_record, colleague_client):
    text = as_coach.get(reverse("caseload")).content.decode()
    assert client_record.full_name in text
    assert colleague_client.full_name not in text


def test_log_in_and_out(client, coach):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "ana", "password": "wrong"})
    assert response.status_code == 200 and "correct username and password" in response.content.decode()
    response = client.post(reverse("login"), {"username": "ana",
                                              "password": "correct horse battery staple"})
    assert response.status_code == 302 and response["Location"] == reverse("caseload")
    assert client.get(reverse("caseload")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("caseload")).status_code == 302


# Account security pages: a coach's own (any coach), and the practice admin's.
OWN_PAGES = [("two_factor", "get"), ("recovery_codes", "post"), ("two_factor_off", "post"),
             ("coach_profile", "get"), ("coach_profile", "post")]
ADMIN_PAGES = [("practice_security", "get"), ("practice_security", "post"), ("access_log", "get"),
               ("practice_settings", "get"), ("practice_settings", "post"),
               ("practice_coaches", "get"), ("practice_coaches", "post"),
               ("practice_focus_areas", "get"), ("practice_focus_areas", "post"),
               ("practice_associates", "get"), ("practice_associates", "post"),
               ("practice_engagements", "get"), ("transfer_erasure_list", "get")]


@pytest.mark.parametrize(("name", "method"), OWN_PAGES)
def test_account_security_pages_are_for_coaches_not_clients(client, world, name, method):
    for persona in ("coach", "colleague", "outsider"):
        client.force_login(world[persona])
        assert getattr(client, method)(reverse(name)).status_code in (200, 302, 400), persona
    client.force_login(world["client_user"])
    assert getattr(client, method)(reverse(name)).status_code == 404
    client.logout()
    assert getattr(client, method)(reverse(name))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), ADMIN_PAGES)
def test_practice_admin_pages_are_for_the_practices_admin_only(client, world, name, method):
    coach = world["coach"].coach
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    client.force_login(world["coach"])
    assert getattr(client, method)(reverse(name)).status_code in (200, 302)
    for persona in ("colleague", "outsider", "client_user"):
        client.force_login(world[persona])
        assert getattr(client, method)(reverse(name)).status_code == 404, persona
    client.logout()
    assert getattr(client, method)(reverse(name))["Location"].startswith(reverse("login"))


# The admin's pages about one record of the practice: a coach, an invitation, an associate.
ADMIN_RECORD_PAGES = [
    ("practice_coach", "colleague_coach", ["get", "post"]),
    ("practice_coach_deactivate", "colleague_coach", ["get", "post"]),
    ("practice_coach_reactivate", "colleague_coach", ["post"]),
    ("practice_invitation_revoke", "invitation", ["post"]),
    ("practice_associate", "associate", ["get", "post"]),
    ("transfer_client_erase", "client_record", ["get"]),  # its POST: tests/transfer/test_erasure_pages.py
]
ADMIN_RECORD_CASES = [(n, f, m) for n, f, methods in ADMIN_RECORD_PAGES for m in methods]


@pytest.fixture
def colleague_coach(colleague):
    return colleague


@pytest.fixture
def invitation(coach):
    from followthrough.practice.invitations import invitation_create

    return invitation_create(practice=coach.practice, email="new@example.org", display_name="New Coach",
                             by=coach.user)


@pytest.fixture
def associate(coach, focus):
    from followthrough.practice.services import associate_create

    return associate_create(practice=coach.practice, by=coach.user, name="Rae Moss", email="rae@example.net",
                            specialties=[focus["health"]])


@pytest.mark.parametrize(("name", "fixture", "method"), ADMIN_RECORD_CASES)
def test_a_practice_record_page_is_for_that_practices_admin_only(request, client, world, name, fixture,
                                                                 method):
    for persona in ("coach", "outsider"):
        coach = world[persona].coach
        coach.is_practice_admin = True
        coach.save(update_fields=["is_practice_admin"])
    url = reverse(name, args=[request.getfixturevalue(fixture).uid])
    client.force_login(world["coach"])
    assert getattr(client, method)(url).status_code in (200, 302)
    # The outsider is an admin too, of another practice: still not found.
    for persona in ("colleague", "outsider", "client_user"):
        client.force_login(world[persona])
        assert getattr(client, method)(url).status_code == 404, persona
    client.logout()
    assert getattr(client, method)(url)["Location"].startswith(reverse("login"))


def test_an_invitation_page_answers_only_its_signed_link(client, world, invitation):
    from followthrough.practice.invitations import invitation_token

    assert client.get(reverse("invitation_accept", args=[invitation_token(invitation)])).status_code == 200
    assert client.get(reverse("invitation_accept", args=[str(invitation.uid)])).status_code == 404


def test_the_portals_meeting_check_is_for_the_meetings_client_only(client, world, held_meeting):
    """The check a client answers in the portal: coaches (even the meeting's own) and
    strangers get 404, a visitor signed out is sent to sign in, the client is answered."""
    url = reverse("portal_check", args=[held_meeting.uid])
    for persona in ("coach", "colleague", "outsider"):
        client.force_login(world[persona])
        assert client.post(url, {"felt_heard": "5"}).status_code == 404, persona
    client.logout()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal_sign_in"))
    client.force_login(world["client_user"])
    assert client.post(url, {"felt_heard": "5"}).status_code == 400  # three answers missing


def test_the_signed_check_page_answers_every_persona_alike_and_a_forged_link_with_404(client, world,
                                                                                     held_meeting):
    """The link is the credential: whoever opens it sees the same page; without a valid
    link there is nothing to see."""
    from followthrough.meetings.checks import check_token

    url = reverse("check_signed", args=[check_token(held_meeting)])
    pages = []
    for persona in ("coach", "colleague", "outsider", "client_user", None):
        client.logout()
        if persona:
            client.force_login(world[persona])
        response = client.get(url)
        assert response.status_code == 200, persona
        pages.append(response.content.decode().count('type="radio"'))
        assert client.get(reverse("check_signed", args=["forged"])).status_code == 404
    assert set(pages) == {44}
