"""Helpers for reminder tests.

Passes take an explicit `now`, so every test sits at a fixed instant; each commitment's
creation time is moved back so that no reminder counts as "scheduled before it existed".
"""

from datetime import UTC, datetime

from followthrough.clients.services import AGREEMENT_TERMS, agreement_create
from followthrough.commitments.models import Commitment
from followthrough.commitments.services import commitment_create

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def make_commitment(engagement, by, due_on, *, description="Call three caterers", created_at=LONG_AGO,
                    **plan):
    commitment = commitment_create(engagement=engagement, by=by, description=description, due_on=due_on,
                                   **plan)
    Commitment.objects.filter(pk=commitment.pk).update(created_at=created_at)
    commitment.refresh_from_db()
    return commitment


def renegotiate(agreement, by, **terms):
    """A new agreement version with the same terms except `terms`."""
    values = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
    values.update(terms)
    return agreement_create(engagement=agreement.engagement, by=by, renegotiation_reason="Reminders", **values)


def with_lapse_plan(agreement, lapse_reminders):
    """The agreement with the lapse plan's firmness set. Written directly: the agreement
    services learn the lapse plan on another branch (h17b); until then this stands in."""
    type(agreement).objects.filter(pk=agreement.pk).update(lapse_reminders=lapse_reminders)
    agreement.refresh_from_db()
    return agreement
