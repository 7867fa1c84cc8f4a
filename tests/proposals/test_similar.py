"""Similar earlier proposals while drafting: the index follows every edit, the box shows only what
the user may see, answers in a constant number of queries and never fails on odd input."""

import re

import pytest

from organizations.models import Role
from portal import similarity
from portal.models import SimilarityCorpus, SimilarityTerm
from proposals import services, similar
from proposals.models import Proposal
from tests.factories import make_user
from tests.helpers import assert_constant_queries

from .conftest import make_proposal, to_state

pytestmark = pytest.mark.django_db

ELEVATOR = "关于老旧小区加装电梯财政补贴的建议"
ELEVATOR_CASE = "老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难，加装电梯资金筹措难。"


def _df(term):
    row = SimilarityTerm.objects.filter(corpus=similar.PROPOSALS, term=term).first()
    return row.df if row else 0


def test_a_new_proposal_is_indexed_with_its_words_and_counted():
    assert similarity.tokenize("老旧小区加装电梯") == ["老旧", "小区", "加装", "电梯"]
    assert "关于" not in similarity.tokenize(ELEVATOR)  # words every proposal uses say nothing


def test_index_follows_the_edit_of_a_draft(world):
    p = make_proposal(world, title=ELEVATOR)
    p.refresh_from_db()
    assert " 电梯 " in p.similarity_terms and _df("电梯") == 1
    docs = SimilarityCorpus.objects.get(corpus=similar.PROPOSALS).docs
    services.proposal_update(actor=world.users.member, proposal=p, version=p.version, title="关于发展夜间经济的建议",
                             case="夜间消费场景少，商户经营时间短。")
    p.refresh_from_db()
    assert " 夜间 " in p.similarity_terms and " 电梯 " not in p.similarity_terms
    assert _df("电梯") == 0 and _df("夜间") == 1
    assert SimilarityCorpus.objects.get(corpus=similar.PROPOSALS).docs == docs  # same record, not a new one


def test_rebuild_recounts_the_same_statistics(world):
    make_proposal(world, title=ELEVATOR)
    make_proposal(world, title="关于老旧小区改造的建议")
    before = dict(SimilarityTerm.objects.filter(corpus=similar.PROPOSALS).values_list("term", "df"))
    similarity.reindex(similarity.CORPORA[similar.PROPOSALS])
    after = dict(SimilarityTerm.objects.filter(corpus=similar.PROPOSALS).values_list("term", "df"))
    assert before == after and after["小区"] == 2


def test_registered_proposal_of_another_member_is_shown_without_private_details(world):
    earlier = to_state(world, "replied", title=ELEVATOR, member=world.other)
    to_state(world, "submitted", title="关于老旧小区加装电梯的建议（未立案）", member=world.other)
    elsewhere = to_state(world, "submitted", title=ELEVATOR, member=world.member_b)  # another county
    services.proposal_register(actor=make_user(Role.PROPOSAL_STAFF, world.tree.county_b), proposal=elsewhere)
    rows = similar.similar_proposals_for_draft(user=world.users.member, unit=world.tree.county_a,
                                               title="老旧小区加装电梯补贴", text=ELEVATOR_CASE)
    assert [r.pk for r in rows] == [earlier.pk]
    row = rows[0]
    assert row.url == "" and row.proposer == ""  # not the member's to open
    assert row.reference == earlier.number_label and row.status == earlier.get_status_display()
    assert {a["unit"] for a in row.replies} == {world.tree.dept_a.name, world.dept_a2.name}
    assert all(a["result"] and a["excerpt"] == "" for a in row.replies)  # result class, not the letter


def test_staff_see_every_earlier_proposal_of_the_unit_with_details(world):
    registered = to_state(world, "replied", title=ELEVATOR, member=world.other)
    submitted = to_state(world, "submitted", title="关于老旧小区加装电梯的建议", member=world.other)
    draft = make_proposal(world, title=ELEVATOR, member=world.cosigner)
    rows = similar.similar_proposals_for_draft(user=world.users.proposal, unit=world.tree.county_a,
                                               title="老旧小区加装电梯", text=ELEVATOR_CASE)
    assert {r.pk for r in rows} == {registered.pk, submitted.pk}  # never another's draft
    assert draft.pk not in {r.pk for r in rows}
    row = next(r for r in rows if r.pk == registered.pk)
    assert row.url and row.proposer == world.other.name and row.replies[0]["excerpt"] == "已办理。"


def test_own_earlier_proposal_is_shown_in_full(world):
    mine = to_state(world, "submitted", title=ELEVATOR)
    rows = similar.similar_proposals_for_draft(user=world.users.member, unit=world.tree.county_a,
                                               title="老旧小区加装电梯", text="")
    assert [r.pk for r in rows] == [mine.pk] and rows[0].url == mine.get_absolute_url()


def test_unrelated_text_finds_nothing(world):
    to_state(world, "registered", title=ELEVATOR, member=world.other)
    assert similar.similar_proposals_for_draft(user=world.users.member, unit=world.tree.county_a,
                                               title="关于发展夜间经济的建议", text="夜市摊位规范管理") == []


def test_similarity_reads_as_words_in_the_box(world, client):
    to_state(world, "registered", title=ELEVATOR, member=world.other)
    client.force_login(world.users.member)
    html = client.post("/proposals/similar/", {"title": ELEVATOR, "case": ELEVATOR_CASE},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "高度相似" in html or "very similar" in html
    assert not re.search(r"\b0\.\d+\b", html)  # no bare numbers


def test_similar_box_runs_a_constant_number_of_queries(world, client):
    client.force_login(world.users.member)
    titles = iter(["老旧小区加装电梯补贴", "老旧小区加装电梯审批", "老旧小区加装电梯资金", "老旧小区加装电梯协调",
                   "老旧小区加装电梯维护", "老旧小区加装电梯安全"])

    def add(n):
        for _ in range(n):
            to_state(world, "replied", title=f"关于{next(titles)}的建议", member=world.other)

    assert_constant_queries(
        lambda: client.post("/proposals/similar/", {"title": "老旧小区加装电梯"}),
        add, small=1, large=5, rows=re.compile(r'data-similar="proposal-(\d+)"'))


@pytest.mark.parametrize("data", [
    {},
    {"title": "", "case": "   "},
    {"title": "电梯" * 30_000, "case": "老旧小区" * 50_000, "suggestions": "x" * 100_000},
    {"title": "!!!???。。。", "case": "\x00\u202e<script>alert(1)</script>"},
    {"title": "老旧小区加装电梯", "proposer": "not-a-number"},
])
def test_odd_input_answers_without_error(world, client, data):
    to_state(world, "registered", title=ELEVATOR, member=world.other)
    client.force_login(world.users.member)
    answer = client.post("/proposals/similar/", data)
    assert answer.status_code == 200
    assert "<script>" not in answer.content.decode()


def test_box_refuses_what_it_should(world, client):
    other_county = to_state(world, "draft", member=world.member_b)
    assert client.post("/proposals/similar/", {"title": "电梯"}).status_code == 302  # sign in first
    client.force_login(world.users.member)
    assert client.get("/proposals/similar/").status_code == 405
    assert client.post(f"/proposals/similar/?proposal={other_county.pk}", {"title": "电梯"}).status_code == 404
    assert client.post("/proposals/similar/?proposal=x", {"title": "电梯"}).status_code == 404


def test_editing_a_draft_never_lists_the_draft_itself(world, client):
    earlier = to_state(world, "submitted", title=ELEVATOR)
    draft = make_proposal(world, title=ELEVATOR)
    client.force_login(world.users.member)
    html = client.post(f"/proposals/similar/?proposal={draft.pk}", {"title": ELEVATOR}).content.decode()
    assert f'data-similar="proposal-{earlier.pk}"' in html and f'data-similar="proposal-{draft.pk}"' not in html
    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()
    assert f'hx-post="/proposals/similar/?proposal={draft.pk}"' in page and "input changed delay:400ms" in page


def test_register_screen_lists_similar_earlier_proposals(world, client):
    earlier = to_state(world, "registered", title=ELEVATOR, member=world.other)
    p = to_state(world, "submitted", title="关于老旧小区加装电梯的建议")
    client.force_login(world.users.proposal)
    html = client.get(f"/proposals/{p.pk}/").content.decode()
    assert f'data-similar="proposal-{earlier.pk}"' in html


def test_opinion_screening_shows_similar_items_and_proposals(world, client):
    u = world.users
    earlier = services.opinion_submit(actor=u.member, title="老旧小区加装电梯难", content=ELEVATOR_CASE)
    proposal = to_state(world, "registered", title=ELEVATOR, member=world.other)
    item = services.opinion_submit(actor=u.secretary, title="居民盼老旧小区加装电梯", content=ELEVATOR_CASE,
                                   unit=world.tree.township_a1)
    client.force_login(u.clerk)
    html = client.get(f"/proposals/opinions/{item.pk}/").content.decode()
    assert f'data-similar="opinion-{earlier.pk}"' in html and f'data-similar="proposal-{proposal.pk}"' in html
    assert f'data-similar="opinion-{item.pk}"' not in html
    client.force_login(u.clerk_b)  # another county's office: the item is not theirs
    assert client.get(f"/proposals/opinions/{item.pk}/").status_code == 404
    assert f"opinion-{earlier.pk}" not in client.post("/proposals/opinions/similar/", {
        "title": "老旧小区加装电梯难", "content": ELEVATOR_CASE}).content.decode()


def test_index_queries_use_only_the_callers_scope(world):
    """The lookup ranks inside the queryset it is given: a record outside it is never a candidate."""
    p = to_state(world, "registered", title=ELEVATOR, member=world.other)
    qs = Proposal.objects.exclude(pk=p.pk)
    assert similarity.search(qs, corpus=similar.PROPOSALS, title=ELEVATOR) == []
    assert [m.pk for m in similarity.search(Proposal.objects.all(), corpus=similar.PROPOSALS, title=ELEVATOR)] == [
        p.pk]
