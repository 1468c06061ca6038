"""Scanners running at the same time never flag an engagement twice.

On PostgreSQL real threads race each other (and a refresher); SQLite serialises writers,
so there the claims are exercised in sequence (see test_engine_services.py).
"""

import threading

import pytest
from django.db import connection, connections

from followthrough.engine.models import Flag
from followthrough.engine.services import engagement_refresh, scan_pass

from .conftest import bulk_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="threads racing needs PostgreSQL")


def _run_all(targets):
    errors = []
    start = threading.Barrier(len(targets))

    def wrap(target):
        try:
            start.wait()
            target()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_scanners_and_refreshes_never_double_flag(coach, focus):
    engagements = bulk_world(coach, focus, 60)
    results = []

    def scanner():
        for _ in range(3):
            results.append(scan_pass(batch_size=7))

    def refresher():
        for engagement in engagements[::3]:
            engagement_refresh(engagement=engagement)

    errors = _run_all([scanner, scanner, scanner, refresher])
    assert errors == []
    assert Flag.objects.count() == 60
    assert Flag.objects.open().count() == 60
    assert Flag.objects.values("engagement").distinct().count() == 60
    assert sum(r.cleared for r in results) == 0
    from followthrough.history.services import verify_chain
    assert verify_chain() is None
