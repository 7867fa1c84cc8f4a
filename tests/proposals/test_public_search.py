"""是否公开 and the public search of proposals and replies: only proposals the proposer agreed to
publish and the office marked public, never private fields, by keyword, year, category and
handling unit; the office's decision is scoped and audited."""

import re

import pytest
from django.urls import reverse

from portal.audit import timeline_for
from portal.errors import GuardFailed, NotAllowed
from proposals import services
from proposals.models import Proposal, Publication
from tests.helpers import assert_constant_queries

from .conftest import make_proposal, to_state

pytestmark = pytest.mark.django_db

SEARCH = "/public/proposals/"


def _public(world, title="关于加强老旧小区加装电梯的建议", state="replied", show_proposer=True, **kw):
    p = to_state(world, state, title=title, **kw)
    return services.proposal_set_publication(actor=world.users.proposal, proposal=p, publication="public",
                                             show_proposer=show_proposer)


def test_a_public_proposal_and_its_reply_are_found_and_a_private_one_is_not(client, world):
    public = _public(world)
    private = to_state(world, "replied", title="关于加强老旧小区消防通道的建议")
    services.proposal_set_publication(actor=world.users.proposal, proposal=private, publication="private")
    undecided = to_state(world, "replied", title="关于加强老旧小区停车管理的建议")
    page = client.get(SEARCH, {"q": "老旧小区"})
    html = page.content.decode()
    assert page.status_code == 200
    assert public.title in html and "已办理。" in html and public.number_label in html
    assert private.title not in html and undecided.title not in html
    assert client.get(reverse("proposals_public:detail", args=[public.pk])).status_code == 200
    for hidden in (private, undecided):
        assert client.get(reverse("proposals_public:detail", args=[hidden.pk])).status_code == 404


def test_never_personal_data_and_the_name_only_where_the_office_keeps_it(client, world):
    world.member.phone = "13812345678"
    world.member.save()
    named = _public(world, title="关于社区养老服务的建议")
    anonymous = _public(world, title="关于社区托育服务的建议", show_proposer=False)
    html = client.get(SEARCH).content.decode()
    assert "13812345678" not in html and world.member.id_key not in html
    detail = client.get(reverse("proposals_public:detail", args=[named.pk])).content.decode()
    assert "刘芳" in detail and "13812345678" not in detail
    detail = client.get(reverse("proposals_public:detail", args=[anonymous.pk])).content.decode()
    assert "刘芳" not in detail and "满意" not in detail  # no name, no rating
    assert "/proposals/replies/" not in detail and "/proposals/attachments/" not in detail  # no files


def test_drafts_and_proposals_under_review_are_never_public(client, world):
    draft = make_proposal(world, title="草稿提案")
    Proposal.objects.filter(pk=draft.pk).update(publication=Publication.PUBLIC)  # even if forced in the data
    assert "草稿提案" not in client.get(SEARCH).content.decode()
    submitted = to_state(world, "submitted", title="审查中提案")
    with pytest.raises(GuardFailed):
        services.proposal_set_publication(actor=world.users.proposal, proposal=submitted, publication="public")


def test_the_proposers_no_is_respected(client, world):
    p = make_proposal(world, title="不愿公开的提案")
    services.proposal_update(actor=world.users.member, proposal=p, version=p.version, publish_wish=False)
    p = services.proposal_submit(actor=world.users.member, proposal=Proposal.objects.get(pk=p.pk))
    with pytest.raises(GuardFailed):
        services.proposal_register(actor=world.users.proposal, proposal=p, publication="public")
    p = services.proposal_register(actor=world.users.proposal, proposal=Proposal.objects.get(pk=p.pk))
    with pytest.raises(GuardFailed):
        services.proposal_set_publication(actor=world.users.proposal, proposal=p, publication="public")
    assert "不愿公开的提案" not in client.get(SEARCH).content.decode()


def test_the_member_chooses_on_the_form_and_the_office_decides_when_registering(client, world):
    client.force_login(world.users.member)
    response = client.post(reverse("proposals:create"), {
        "title": "关于公交线路优化的建议", "kind": "individual", "category": "urban", "case": "公交不便",
        "suggestions": "增开线路", "publish_wish": ""})
    assert response.status_code == 302
    p = Proposal.objects.get(title="关于公交线路优化的建议")
    assert p.publish_wish is False
    services.proposal_update(actor=world.users.member, proposal=p, version=p.version, publish_wish=True)
    p = services.proposal_submit(actor=world.users.member, proposal=Proposal.objects.get(pk=p.pk))
    client.force_login(world.users.proposal)
    response = client.post(reverse("proposals:act", args=[p.pk, "register"]),
                           {"version": p.version, "publication": "public", "show_proposer": "on"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.publication == "public" and p.is_public and p.publish_proposer_name
    assert "proposals.proposal.publication" in {e.action for e in timeline_for(p)}
    response = client.post(reverse("proposals:act", args=[p.pk, "publish"]),
                           {"version": p.version, "publication": "private"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.publication == "private" and not p.is_public
    response = client.post(reverse("proposals:act", args=[p.pk, "publish"]),
                           {"version": p.version, "publication": "everyone"})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["member", "dept", "leader", "secretary", "clerk_b", "nobody"])
def test_only_proposal_staff_of_the_unit_decide_on_publication(client, world, who):
    p = to_state(world, "registered")
    actor = getattr(world.users, who)
    with pytest.raises(NotAllowed):
        services.proposal_set_publication(actor=actor, proposal=p, publication="public")
    client.force_login(actor)
    response = client.post(reverse("proposals:act", args=[p.pk, "publish"]),
                           {"version": p.version, "publication": "public"})
    assert response.status_code in (403, 404)
    p.refresh_from_db()
    assert p.publication == ""


def test_filters_by_year_category_and_handling_unit(client, world):
    a = _public(world, title="城建提案甲")
    b = _public(world, title="教育提案乙", state="registered")
    Proposal.objects.filter(pk=b.pk).update(category="education", year=2025)
    html = client.get(SEARCH, {"category": "education"}).content.decode()
    assert "教育提案乙" in html and "城建提案甲" not in html
    html = client.get(SEARCH, {"year": 2025}).content.decode()
    assert "教育提案乙" in html and "城建提案甲" not in html
    html = client.get(SEARCH, {"unit": world.dept_a2.pk}).content.decode()
    assert "城建提案甲" in html and "教育提案乙" not in html
    html = client.get(SEARCH, {"q": "已办理"}).content.decode()  # words of the reply
    assert "城建提案甲" in html and "教育提案乙" not in html
    assert a.pk


@pytest.mark.parametrize("params", [{"year": "abc"}, {"year": "1800"}, {"unit": "999999"}, {"unit": "x"},
                                    {"category": "nonsense"}, {"q": "x" * 101}, {"page": "abc"}])
def test_bad_search_input_gets_a_clear_error_not_a_500(client, world, params):
    _public(world)
    response = client.get(SEARCH, params)
    assert response.status_code in (200, 400)
    if "page" not in params:
        assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert client.get("/public/proposals/abc/").status_code == 404


def test_the_search_is_paginated_with_a_constant_number_of_queries(client, world):
    def add(n):
        for i in range(n):
            _public(world, title=f"公开提案{i:03d}")

    def rows(response):
        return len(re.findall(r'class="card mb-2 public-proposal"', response.content.decode()))

    from proposals import public_views

    old = public_views.PAGE_SIZE
    public_views.PAGE_SIZE = 40  # one page holds every row while counting queries
    try:
        assert_constant_queries(lambda: client.get(SEARCH), add, rows=rows, large=8)
        public_views.PAGE_SIZE = 5  # then 8 rows make two pages
        first, second = client.get(SEARCH, {"q": "公开提案"}), client.get(SEARCH, {"q": "公开提案", "page": 2})
        assert rows(first) == 5 and rows(second) == 3
        assert "q=%E5%85%AC%E5%BC%80%E6%8F%90%E6%A1%88&amp;page=2" in first.content.decode()
    finally:
        public_views.PAGE_SIZE = old
