"""The lapse plan: agreed at contracting on the agreement page and in the API, versioned
and acknowledged with the rest, and shown to the client in their own choices."""

from django.urls import reverse

from .conftest import initial_data, page_text
from .test_pages import _renegotiation


def test_the_agreement_page_takes_the_lapse_plan_and_a_change_is_a_new_version_to_acknowledge(
        as_coach, agreement, client, client_user):
    engagement = agreement.engagement
    page = as_coach.get(reverse("agreement_create", args=[engagement.uid]))
    assert "Lapse plan" in page_text(page) and "If my focus moves, I&#x27;d like to be referred to" in page_text(page)
    data = _renegotiation(as_coach, engagement, renegotiation_reason="Agreed what happens if things slip",
                          lapse_reminders="firm", lapse_contact="reach_out",
                          lapse_referral_wish="a nutritionist")
    assert as_coach.post(reverse("agreement_create", args=[engagement.uid]), data).status_code == 302
    v2 = engagement.agreements.get(version=2)
    assert (v2.lapse_reminders, v2.lapse_contact, v2.lapse_referral_wish) == ("firm", "reach_out", "a nutritionist")
    assert not v2.is_acknowledged
    agreement.refresh_from_db()
    assert agreement.lapse_reminders == "normal"  # the version the client acknowledged stays as it was

    client.force_login(client_user)
    home = page_text(client.get(reverse("portal_home")))
    assert "has a new version (version 2)" in home
    version = page_text(client.get(reverse("portal_agreement_version", args=[v2.uid])))
    assert ("If I stop following through: remind me firmly and follow up; reach out to me in between; "
            "if my focus moves, I&#x27;d like to be referred to a nutritionist.") in version
    assert "Acknowledge version 2" in version


def test_a_renegotiation_copies_the_lapse_plan_unless_it_is_changed(as_coach, agreement):
    engagement = agreement.engagement
    first = _renegotiation(as_coach, engagement, renegotiation_reason="Set the plan", lapse_reminders="quiet")
    as_coach.post(reverse("agreement_create", args=[engagement.uid]), first)
    again = _renegotiation(as_coach, engagement, renegotiation_reason="A lower bar",
                           call_to_action="Five enquiries a month")
    as_coach.post(reverse("agreement_create", args=[engagement.uid]), again)
    assert engagement.agreements.get(version=3).lapse_reminders == "quiet"


def test_an_unknown_lapse_choice_is_refused_on_its_field(as_coach, agreement):
    engagement = agreement.engagement
    page = as_coach.get(reverse("agreement_create", args=[engagement.uid]))
    data = {**initial_data(page.context["form"]), **initial_data(page.context["goals"].management_form),
            "renegotiation_reason": "x", "lapse_reminders": "shouting"}
    response = as_coach.post(reverse("agreement_create", args=[engagement.uid]), data)
    assert "lapse_reminders" in response.context["form"].errors
    assert engagement.agreements.count() == 1
