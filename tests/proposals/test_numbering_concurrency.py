"""Concurrent registrations race for the same counter: real Postgres, parallel transactions."""

import threading

import pytest
from django.db import connection

from proposals import services
from proposals.models import Proposal

from .conftest import make_proposal


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_get_distinct_consecutive_numbers(world):
    proposals = []
    for i in range(8):
        p = make_proposal(world, title=f"提案{i}")
        proposals.append(services.proposal_submit(actor=world.users.member, proposal=p))
    barrier = threading.Barrier(len(proposals))
    errors = []

    def register(p):
        try:
            barrier.wait()
            services.proposal_register(actor=world.users.proposal, proposal=p)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in proposals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("number", flat=True))
    assert numbers == list(range(1, len(proposals) + 1))
