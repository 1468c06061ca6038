"""Who may see what, at its edges: a deactivated coach, a caller with no user at all, and
a view that narrows the records further before asking for one of them."""

import pytest
from django.http import Http404

from followthrough.access import get_visible_or_404
from followthrough.clients.models import Client, Engagement
from followthrough.commitments.models import Commitment
from followthrough.practice.services import coach_update


def test_a_coach_the_practice_deactivated_no_longer_sees_their_clients(commitment, coach):
    assert list(Client.objects.visible_to(coach.user)) == [commitment.engagement.client]
    coach_update(coach=coach, by=None, is_active=False)
    coach.user.refresh_from_db()

    assert list(Client.objects.visible_to(coach.user)) == []
    assert list(Commitment.objects.visible_to(coach.user)) == []
    with pytest.raises(Http404):
        get_visible_or_404(Commitment, coach.user, commitment.uid)


@pytest.mark.parametrize("nobody", [None, object()], ids=["no user", "not a user"])
def test_a_query_asked_for_nobody_sees_nothing(nobody, commitment):
    assert list(Client.objects.visible_to(nobody)) == []
    assert list(Engagement.objects.visible_to(nobody)) == []
    with pytest.raises(Http404):
        get_visible_or_404(Commitment, nobody, commitment.uid)


def test_a_narrowed_list_only_yields_its_own_records(commitment, coach):
    # A page that lists only open commitments asks within that list: a reviewed one is not found there,
    # though the coach may see it elsewhere.
    open_ones = Commitment.objects.filter(outcome=Commitment.Outcome.OPEN)
    assert get_visible_or_404(open_ones, coach.user, commitment.uid) == commitment

    reviewed = Commitment.objects.exclude(outcome=Commitment.Outcome.OPEN)
    with pytest.raises(Http404):
        get_visible_or_404(reviewed, coach.user, commitment.uid)
    assert get_visible_or_404(Commitment, coach.user, commitment.uid) == commitment


def test_a_narrowed_list_still_hides_another_coachs_records(commitment, colleague):
    with pytest.raises(Http404):
        get_visible_or_404(Commitment.objects.all(), colleague.user, commitment.uid)
