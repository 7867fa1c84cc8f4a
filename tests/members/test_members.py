"""Member records and postings: duplicates, scope, audit; the directory filters and its query count."""

import pytest
from django.urls import reverse

from members import selectors, services
from members.models import Member, Posting
from portal.errors import DomainError, GuardFailed, NotAllowed, StaleEdit
from portal.models import AuditEvent

from ..factories import make_member
from ..helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_create_member_and_duplicate_key(users, tree, bodies):
    m = services.member_create(actor=users.clerk, unit=tree.county_a, name="张三", id_key=" 3406x ",
                               sector=bodies["sector"], committees=[bodies["committee"]])
    assert m.id_key == "3406X" and m.sector == bodies["sector"]
    assert AuditEvent.objects.filter(action="members.member.create", target_id=str(m.pk)).exists()
    with pytest.raises(DomainError) as exc:
        services.member_create(actor=users.clerk, unit=tree.county_a, name="张三", id_key="3406x")
    assert exc.value.field == "id_key"


def test_sector_of_another_unit_refused(users, tree, bodies):
    with pytest.raises(DomainError):
        services.member_create(actor=users.clerk, unit=tree.county_a, name="张三", id_key="K1",
                               sector=bodies["sector_b"])


@pytest.mark.parametrize("actor", ["clerk_b", "leader", "secretary", "member", "proposal"])
def test_only_clerks_of_the_unit_create_members(users, tree, actor):
    with pytest.raises(NotAllowed):
        services.member_create(actor=getattr(users, actor), unit=tree.county_a, name="张三", id_key="K1")


def test_update_is_version_checked_and_audited(users, me):
    services.member_update(actor=users.clerk, member=me, version=me.version, work_unit="第一中学")
    with pytest.raises(StaleEdit):
        services.member_update(actor=users.clerk, member=me, version=me.version, work_unit="第二中学")
    event = AuditEvent.objects.get(action="members.member.update")
    assert event.after == {"work_unit": "第一中学"}


def test_posting_down_to_a_community(users, tree, me):
    posting = services.posting_add(actor=users.clerk, member=me, unit=tree.village_a1a, basis="wish")
    assert posting.org_path == tree.village_a1a.path
    with pytest.raises(GuardFailed):
        services.posting_add(actor=users.clerk, member=me, unit=tree.village_a1a)
    services.posting_end(actor=users.clerk, posting=posting)
    with pytest.raises(GuardFailed):
        services.posting_end(actor=users.clerk, posting=posting)
    services.posting_add(actor=users.clerk, member=me, unit=tree.village_a1a)  # re-posting reactivates
    assert Posting.objects.filter(member=me, org_unit=tree.village_a1a, is_active=True).count() == 1
    assert AuditEvent.objects.filter(action__startswith="members.posting").count() == 3


def test_posting_outside_scope_or_to_a_county_refused(users, tree, me):
    with pytest.raises(NotAllowed):
        services.posting_add(actor=users.clerk, member=me, unit=tree.township_b1)
    with pytest.raises(DomainError):
        services.posting_add(actor=users.clerk, member=me, unit=tree.county_a)
    with pytest.raises(NotAllowed):
        services.posting_add(actor=users.secretary, member=me, unit=tree.township_a1)


def test_posted_member_visible_to_township_secretary(users, tree, me, other_b):
    visible = set(selectors.members_visible_to(user=users.secretary))
    assert me in visible and other_b not in visible
    assert set(selectors.members_visible_to(user=users.member)) == {me}
    assert list(selectors.members_visible_to(user=users.nobody)) == []


def test_directory_filters(client, users, tree, bodies, me):
    a = make_member(tree.county_a, name="教育委员", sector=bodies["sector"])
    a.committees.add(bodies["committee"])
    make_member(tree.county_a, name="东山委员", posted_to=tree.township_a2)
    client.force_login(users.clerk)
    html = client.get(reverse("members:list"), {"sector": bodies["sector"].pk}).content.decode()
    assert "教育委员" in html and "东山委员" not in html
    html = client.get(reverse("members:list"), {"committee": bodies["committee"].pk}).content.decode()
    assert "教育委员" in html and "刘芳" not in html
    html = client.get(reverse("members:list"), {"unit": tree.township_a2.pk}).content.decode()
    assert "东山委员" in html and "刘芳" not in html
    html = client.get(reverse("members:list"), {"unit": "junk", "sector": "-1"}).content.decode()
    assert "刘芳" in html  # junk filters are ignored, never a 500
    # the filter bar has no labels: each select's empty choice says what it filters, never "---------"
    html = client.get(reverse("members:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert all(words in html for words in ("全部界别", "全部专门委员会", "全部单位", "全部层级"))
    assert "---------" not in html


def test_directory_constant_queries(client, users, tree, bodies):
    client.force_login(users.clerk)

    def add_rows(n):
        for _ in range(n):
            m = make_member(tree.county_a, posted_to=tree.township_a1, sector=bodies["sector"])
            m.committees.add(bodies["committee"])

    assert_constant_queries(lambda: client.get(reverse("members:list")), add_rows, large=25)


def test_member_form_create_and_edit_pages(client, users, tree):
    client.force_login(users.clerk)
    response = client.post(reverse("members:create") + f"?unit={tree.county_a.pk}",
                           {"name": "新委员", "id_key": "NEW1", "level": "county", "is_active": "on",
                            "phone": "abc"})
    assert response.status_code == 200  # bad phone
    response = client.post(reverse("members:create") + f"?unit={tree.county_a.pk}",
                           {"name": "新委员", "id_key": "NEW1", "level": "county", "is_active": "on"})
    m = Member.objects.get(id_key="NEW1")
    assert response.status_code == 302
    response = client.post(reverse("members:edit", args=[m.pk]),
                           {"name": "新委员", "id_key": "NEW1", "level": "city", "is_active": "on", "version": 99})
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    m.refresh_from_db()
    assert m.level == "county"


def test_posted_member_is_listed_but_opened_only_in_own_scope(client, users, tree, me):
    """The township secretary lists members posted there; their file belongs to their county."""
    client.force_login(users.secretary)
    html = client.get(reverse("members:list")).content.decode()
    assert "刘芳" in html and reverse("members:detail", args=[me.pk]) not in html
    assert client.get(reverse("members:detail", args=[me.pk])).status_code == 404
    assert client.get(f"/api/v1/members/{me.pk}/").status_code == 404
    assert [m["name"] for m in client.get("/api/v1/members/").json()["results"]] == ["刘芳"]
    client.force_login(users.clerk)
    assert reverse("members:detail", args=[me.pk]) in client.get(reverse("members:list")).content.decode()
