"""Every role's main pages, rendered in Chinese, contain no untranslated English and no raw codes."""

import pytest
from django.urls import reverse

from organizations.permissions import roles_of
from portal.nav import items_for

from ..consultations.conftest import advance
from ..page_checks import english_words, raw_codes, visible_text

pytestmark = pytest.mark.django_db

ROLES = ["clerk", "proposal", "secretary", "approver", "member", "dept", "leader"]


@pytest.fixture
def world(users, tree):
    from consultations import services

    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                  description="庆相桥社区停车位不足，群众反映强烈。", channel="resident",
                                  category="民生", proposer_name="居民张某")
    advance(topic, users, tree, to="reviewed")
    return topic


def _pages(user, topic):
    urls = ["/"] + [reverse(item.url_name) for item in items_for(roles_of(user))]
    if topic is not None:
        urls.append(reverse("consultations:topic", args=[topic.pk]))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_read_as_chinese(client, users, world, role):
    user = getattr(users, role)
    client.force_login(user)
    problems = []
    for url in _pages(user, world if role in ("clerk", "secretary", "approver", "leader") else None):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        text = visible_text(response.content.decode())
        words = english_words(text)
        if words:
            problems.append(f"{url}: English {sorted(words)}")
        problems += [f"{url}: {c}" for c in raw_codes(text)]
    assert not problems, "\n".join(problems)


def test_the_admin_index_reads_as_chinese(client, users):
    client.force_login(users.admin)
    users.admin.is_staff = users.admin.is_superuser = True
    users.admin.save()
    text = visible_text(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "站点管理" in text
    assert not english_words(text)


def test_a_residents_pages_read_as_chinese(client, users, tree, world):
    """The resident is not in ROLES (no portal menu): their landing is the hall and their own topics."""
    from hall import services as hall

    from ..factories import make_user

    resident = make_user("resident", tree.township_a1, username="resident_pages")
    submission = hall.submission_create(unit=tree.village_a1a, title="楼道灯坏了", body="三号楼楼道灯坏了一个月。",
                                        submitter=resident)
    hall.submission_accept(actor=users.secretary, submission=submission, title="楼道照明",
                           description="三号楼楼道灯维修", reply="已转为协商议题")
    client.force_login(resident)
    problems = []
    for url in ["/", reverse("hall:index"), reverse("hall:my"), reverse("hall:track"),
                reverse("hall:track_detail", args=[submission.tracking_code]), reverse("hall:topic", args=[world.pk])]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        if words := english_words(text, allowed=[resident.username]):
            problems.append(f"{url}: English {sorted(words)}")
        problems += [f"{url}: {c}" for c in raw_codes(text)]
    assert not problems, "\n".join(problems)
