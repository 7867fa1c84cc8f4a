"""A fair pool draw invited to a session in one step (consultations side: members does not import
consultations)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Participant, SessionForm
from members.models import Notable
from members.selectors import pool_draw
from portal.models import AuditEvent

from ..factories import make_member
from .conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(topic, users, tree):
    advance(topic, users, tree, to="researched")
    return services.session_schedule(actor=users.secretary, topic=topic, scheduled_on=timezone.localdate(),
                                     form=SessionForm.COUNCIL, venue="议事厅", agenda="停车")


@pytest.fixture
def pool(tree):
    for i in range(4):
        make_member(tree.county_a, posted_to=tree.township_a1, name=f"委员{i}", expertise="法律")
    for i in range(3):
        Notable.objects.create(org_unit=tree.township_a1, name=f"乡贤{i}", expertise="法律", category="notable")


def test_draw_is_previewed_then_invited_in_one_step(client, users, tree, session, pool):
    client.force_login(users.secretary)
    url = reverse("consultations:session_invite_draw", args=[session.pk])
    params = {"unit": tree.township_a1.pk, "expertise": "法律", "size": 5, "seed": 7, "include_notables": "on"}
    page = client.get(url, params).content.decode()
    assert 'id="draw-result"' in page and 'id="act-invite-draw"' in page
    assert not Participant.objects.filter(session=session).exists()  # a preview writes nothing
    expected = pool_draw(users.secretary, tree.township_a1, expertise="法律", size=5, seed=7)["drawn"]
    response = client.post(url, params)
    assert response.status_code == 302
    invited = Participant.objects.filter(session=session)
    assert invited.count() == 5
    assert {p.member_id for p in invited if p.member_id} == {m.pk for k, m in expected if k == "member"}
    assert {p.name for p in invited if not p.member_id} == {n.name for k, n in expected if k != "member"}
    assert AuditEvent.objects.filter(action__startswith="consultations.participant").exists()
    # the same draw again: everybody is already invited — refused, nothing saved twice
    response = client.post(url, params)
    assert response.status_code == 200 and invited.count() == 5


def test_only_the_sessions_managers_draw(client, users, tree, session, pool):
    url = reverse("consultations:session_invite_draw", args=[session.pk])
    client.force_login(users.secretary_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"unit": tree.township_a1.pk, "size": 3, "seed": 1}).status_code == 404
    assert not Participant.objects.filter(session=session).exists()


def test_bad_draw_parameters_are_refused_clearly(client, users, tree, session, pool):
    client.force_login(users.secretary)
    url = reverse("consultations:session_invite_draw", args=[session.pk])
    response = client.post(url, {"unit": tree.township_b1.pk if hasattr(tree, "township_b1") else 0,
                                 "size": "9999", "seed": "x"})
    assert response.status_code == 200 and 'invalid-feedback' in response.content.decode()
    assert not Participant.objects.filter(session=session).exists()
