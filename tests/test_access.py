"""The scoping rules every page and API route relies on, checked at the query level."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Agreement, Client, Engagement, Goal
from followthrough.clients.services import engagement_start
from followthrough.commitments.models import Commitment
from followthrough.meetings.models import Meeting

RECORDS = {
    Client: lambda c: c.engagement.client,
    Engagement: lambda c: c.engagement,
    Agreement: lambda c: c.engagement.agreements.get(),
    Goal: lambda c: c.engagement.agreements.get().goals.get(),
    Meeting: lambda c: c.made_at,
    Commitment: lambda c: c,
}


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_owner_and_own_client_see_the_record_others_get_404(
    model, commitment, coach, colleague, outsider, client_user
):
    record = RECORDS[model](commitment)
    assert get_visible_or_404(model, coach.user, record.uid) == record
    assert get_visible_or_404(model, client_user, record.uid) == record
    for stranger in (colleague.user, outsider.user, AnonymousUser()):
        with pytest.raises(Http404):
            get_visible_or_404(model, stranger, record.uid)


def test_a_client_account_never_sees_another_clients_records(commitment, colleague_client, client_user):
    assert list(Client.objects.visible_to(client_user)) == [commitment.engagement.client]
    with pytest.raises(Http404):
        get_visible_or_404(Client, client_user, colleague_client.uid)


def test_a_coach_sees_a_client_once_they_hold_an_engagement(client_record, colleague, coach):
    with pytest.raises(Http404):
        get_visible_or_404(Client, colleague.user, client_record.uid)
    # How a referral arrives: the associate gets an engagement of their own.
    referred = engagement_start(client=client_record, coach=colleague, by=coach.user)
    assert get_visible_or_404(Client, colleague.user, client_record.uid) == client_record
    assert list(Engagement.objects.visible_to(colleague.user)) == [referred]


def test_re_engaged_client_is_listed_once(client_record, coach):
    from followthrough.clients.services import engagement_end, engagement_reengage

    engagement_reengage(previous=engagement_end(engagement=client_record.engagements.get(), by=coach.user),
                        by=coach.user)
    assert list(Client.objects.visible_to(coach.user)) == [client_record]


@pytest.mark.parametrize("bad_uid", ["not-a-uuid", "", "1", str(uuid.uuid4())])
def test_unknown_or_malformed_ids_are_not_found(bad_uid, coach, db):
    with pytest.raises(Http404):
        get_visible_or_404(Client, coach.user, bad_uid)
