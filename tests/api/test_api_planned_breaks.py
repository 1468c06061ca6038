"""Planned breaks through the API: the same rules as the pages, 422 naming the field."""

from datetime import timedelta

from followthrough.commitments.services import commitment_create


def test_a_break_is_recorded_listed_and_cancelled_through_the_api(api, engagement, coach):
    today = engagement.client.today()
    due = commitment_create(engagement=engagement, by=coach.user, description="Call the printer",
                            due_on=today + timedelta(days=4))
    url = f"/api/engagements/{engagement.uid}/planned-breaks"
    made = api.post(url, {"starts_on": today + timedelta(days=3), "ends_on": today + timedelta(days=9),
                          "reason": "holiday"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["in_force"] and body["waived_commitments"] == [str(due.uid)]
    commitment = api.get(f"/api/commitments/{due.uid}").json()
    assert commitment["outcome"] == "waived"
    overlap = api.post(url, {"starts_on": today + timedelta(days=9), "ends_on": today + timedelta(days=12),
                             "reason": "move"})
    assert overlap.status_code == 422 and "starts_on" in overlap.json()["errors"]
    past = api.post(url, {"starts_on": today - timedelta(days=9), "ends_on": today - timedelta(days=2),
                          "reason": "x"})
    assert past.status_code == 422 and "ends_on" in past.json()["errors"]
    listed = api.get(url).json()
    assert [b["uid"] for b in listed["items"]] == [body["uid"]]
    cancelled = api.post(f"/api/planned-breaks/{body['uid']}/cancellation")
    assert cancelled.status_code == 200 and not cancelled.json()["in_force"]
    assert api.get(f"/api/commitments/{due.uid}").json()["outcome"] == "open"
    again = api.post(f"/api/planned-breaks/{body['uid']}/cancellation")
    assert again.status_code == 422


def test_a_commitment_due_in_a_break_is_422_on_its_due_on(api, engagement, held_meeting):
    today = engagement.client.today()
    api.post(f"/api/engagements/{engagement.uid}/planned-breaks",
             {"starts_on": today + timedelta(days=3), "ends_on": today + timedelta(days=9), "reason": "holiday"})
    response = api.post(f"/api/meetings/{held_meeting.uid}/review", {"new_commitments": [
        {"description": "Call", "due_on": (today + timedelta(days=5)).isoformat()}]})
    assert response.status_code == 422
    assert "planned break (holiday" in response.json()["errors"]["new_commitments.0.due_on"][0]


def test_other_coaches_get_404_from_the_break_routes(api, colleague_api, outsider_api, engagement):
    today = engagement.client.today()
    url = f"/api/engagements/{engagement.uid}/planned-breaks"
    uid = api.post(url, {"starts_on": today + timedelta(days=3), "ends_on": today + timedelta(days=9),
                         "reason": "holiday"}).json()["uid"]
    payload = {"starts_on": today + timedelta(days=20), "ends_on": today + timedelta(days=22), "reason": "x"}
    for other in (colleague_api, outsider_api):
        assert other.get(url).status_code == 404
        assert other.post(url, payload).status_code == 404
        assert other.post(f"/api/planned-breaks/{uid}/cancellation").status_code == 404
