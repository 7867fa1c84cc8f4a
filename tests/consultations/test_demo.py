from collections import Counter

import pytest

from consultations.models import Participant, Topic, TopicStatus

pytestmark = pytest.mark.django_db


def test_demo_covers_every_state(demo):
    counts = Counter(Topic.objects.values_list("status", flat=True))
    assert set(counts) == set(TopicStatus.values), counts
    assert sum(counts.values()) >= 60
    assert Topic.objects.filter(org_unit__code="huaibei-xiangshan-sandikou").exists()
    # the demo member has an invitation to answer
    assert Participant.objects.filter(member__user__username="member", session__status="planned").exists()
