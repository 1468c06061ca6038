"""The lapse plan through the API: written, read back in the client's words, carried over."""

from followthrough.clients.models import Agreement


def test_the_api_writes_reads_and_carries_the_lapse_plan(api, agreement):
    engagement = agreement.engagement
    url = f"/api/engagements/{engagement.uid}/agreements"
    base = {"came_for": "Grow", "primary_focus": "business", "meeting_cadence": "Weekly",
            "call_to_action": "Ten enquiries"}
    made = api.post(url, {**base, "renegotiation_reason": "Plan for lapses", "lapse_contact": "reach_out",
                          "lapse_referral_wish": "a career coach"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["lapse_reminders"], body["lapse_contact"], body["lapse_referral_wish"]) == (
        "normal", "reach_out", "a career coach")
    assert body["lapse_plan_words"].startswith("If I stop following through: remind me as we agreed; reach out")
    carried = api.post(url, {**base, "renegotiation_reason": "Cadence"}).json()
    assert (carried["lapse_contact"], carried["lapse_referral_wish"]) == ("reach_out", "a career coach")
    refused = api.post(url, {**base, "renegotiation_reason": "x", "lapse_reminders": "shouting"})
    assert refused.status_code == 422 and "lapse_reminders" in refused.json()["errors"]
    assert Agreement.objects.filter(engagement=engagement).count() == 3


def test_a_first_agreement_starts_from_the_practices_terms_on_the_api_as_on_the_page(api, coach, engagement):
    from followthrough.practice.services import practice_update

    practice_update(practice=coach.practice, by=coach.user, currency="GBP", default_lapse_reminders="firm",
                    default_lapse_contact="reach_out", default_reminder_days_before=3)
    made = api.post(f"/api/engagements/{engagement.uid}/agreements", {
        "came_for": "Grow", "primary_focus": "business", "meeting_cadence": "Weekly",
        "call_to_action": "Ten enquiries"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["lapse_reminders"], body["lapse_contact"]) == ("firm", "reach_out")
    assert (body["fee_currency"], body["reminder_days_before"]) == ("GBP", 3)
    # What the API is told wins over the practice's starting point.
    again = api.post(f"/api/engagements/{engagement.uid}/agreements", {
        "came_for": "Grow", "primary_focus": "business", "meeting_cadence": "Weekly",
        "call_to_action": "Ten enquiries", "renegotiation_reason": "Quieter", "lapse_reminders": "quiet"}).json()
    assert (again["lapse_reminders"], again["lapse_contact"]) == ("quiet", "reach_out")

