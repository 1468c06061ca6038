"""Who viewed which client's records: one row per view, shown to the practice admin only."""

import pytest
from django.urls import reverse

from followthrough.history.models import AccessRecord
from followthrough.protocol.services import file_review_share, intervention_open, step_review_file


@pytest.fixture
def review(engagement, coach, held_meeting):
    intervention = intervention_open(engagement=engagement, by=coach.user)
    file_review, _ = step_review_file(intervention=intervention, by=coach.user, meetings_count=3)
    return file_review


@pytest.fixture
def admin(coach):
    coach.is_practice_admin = True
    coach.save(update_fields=["is_practice_admin"])
    return coach


def kinds():
    return list(AccessRecord.objects.order_by("id").values_list("actor_label", "kind"))


def test_opening_a_client_file_is_recorded(client, coach, client_record):
    client.force_login(coach.user)
    client.get(reverse("client_file", args=[client_record.uid]))
    record = AccessRecord.objects.get()
    assert (record.user, record.kind, record.client_uid) == (coach.user, "client_file", str(client_record.uid))
    assert record.practice_id == client_record.practice_id


def test_a_refused_view_records_nothing(client, colleague, client_record):
    client.force_login(colleague.user)
    assert client.get(reverse("client_file", args=[client_record.uid])).status_code == 404
    assert not AccessRecord.objects.exists()


def test_file_reviews_and_their_pdfs_are_recorded_for_coach_and_client(client, coach, review, client_user):
    client.force_login(coach.user)
    client.get(reverse("protocol:file_review", args=[review.uid]))
    client.get(reverse("protocol:file_review_pdf", args=[review.uid]))
    file_review_share(file_review=review, by=coach.user)
    client.force_login(client_user)
    client.get(reverse("portal_file_review", args=[review.uid]))
    client.get(reverse("portal_file_review_pdf", args=[review.uid]))
    assert [kind for _, kind in kinds()] == ["file_review", "file_review_pdf", "file_review", "file_review_pdf"]
    assert AccessRecord.objects.filter(user=client_user).count() == 2
    assert set(AccessRecord.objects.values_list("object_uid", flat=True)) == {str(review.uid)}


def test_the_practice_admin_sees_every_view_in_the_practice(client, admin, colleague, colleague_client,
                                                           client_record):
    client.force_login(colleague.user)
    client.get(reverse("client_file", args=[colleague_client.uid]))
    client.force_login(admin.user)
    client.get(reverse("client_file", args=[client_record.uid]))
    page = client.get(reverse("access_log"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Cara Lind" in text and "Dee Hart" in text and "Bob Stone" in text
    one = client.get(reverse("access_log") + f"?client={colleague_client.uid}")
    assert [r.client_uid for r in one.context["rows"]] == [str(colleague_client.uid)]


def test_the_access_log_page_costs_the_same_however_long_the_log(client, admin, client_record,
                                                                 django_assert_num_queries):
    AccessRecord.objects.bulk_create(
        AccessRecord(actor_label="Ana", practice_id=admin.practice_id, client_uid=str(client_record.uid),
                     kind="client_file") for _ in range(250))
    client.force_login(admin.user)
    # The session, the user with their coach and practice, then the count, the page and the names.
    with django_assert_num_queries(5):
        assert client.get(reverse("access_log")).status_code == 200


def test_the_api_gives_the_access_log_to_the_practice_admin_only(client, admin, colleague, client_record):
    from followthrough.accounts.tokens import api_token_create

    client.force_login(admin.user)
    client.get(reverse("client_file", args=[client_record.uid]))
    _, raw = api_token_create(coach=admin, name="audit", by=admin.user)
    client.logout()
    response = client.get("/api/access-log", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert [(r["kind"], r["client_uid"]) for r in response.json()] == [("client_file", str(client_record.uid))]
    _, other = api_token_create(coach=colleague, name="x", by=colleague.user)
    assert client.get("/api/access-log", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
