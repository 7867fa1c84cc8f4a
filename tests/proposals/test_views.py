"""Pages per role: who sees which proposal, the queues, the record page's actions, bad input."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals import services
from proposals.models import AssignmentStatus, Proposal, ProposalStatus
from tests.helpers import assert_constant_queries

from .conftest import future, make_proposal, to_state

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_permission_matrix_on_the_record_page(client, world):
    u = world.users
    p = to_state(world, "handling")
    url = reverse("proposals:detail", args=[p.pk])
    expected = {
        u.member: 200, u.proposal: 200, u.clerk: 200, u.leader: 200, u.dept: 200, world.dept2: 200,
        u.admin: 200, u.city_clerk: 200,
        world.dept_b_user: 404, u.clerk_b: 404, world.other_user: 404, world.member_b_user: 404, u.nobody: 404,
        u.secretary: 404,
    }
    for user, status in expected.items():
        assert _get(client, user, url).status_code == status, user.username


def test_drafts_are_private_to_proposer_and_cosigners(client, world):
    u = world.users
    p = make_proposal(world, kind="joint", cosigners=[world.cosigner])
    url = reverse("proposals:detail", args=[p.pk])
    assert _get(client, u.member, url).status_code == 200
    assert _get(client, world.cosigner_user, url).status_code == 200
    assert _get(client, u.proposal, url).status_code == 404
    assert _get(client, u.dept, url).status_code == 404


def test_department_sees_only_its_assignments(client, world):
    u = world.users
    mine = to_state(world, "handling", title="分给城管局和教育局")
    other = to_state(world, "registered", title="尚未交办")
    response = _get(client, u.dept, reverse("proposals:inbox"))
    assert mine.title in response.content.decode()
    assert other.title not in response.content.decode()
    assert _get(client, u.dept, reverse("proposals:detail", args=[other.pk])).status_code == 404
    assert _get(client, world.dept_b_user, reverse("proposals:inbox")).content.decode().count(mine.title) == 0
    # Department pages are not for members.
    assert _get(client, u.member, reverse("proposals:inbox")).status_code == 403


def test_department_of_another_unit_cannot_reply_by_url(client, world):
    p = to_state(world, "handling")
    main = p.assignments.get(unit=world.tree.dept_a)
    client.force_login(world.dept_b_user)
    response = client.post(reverse("proposals:assignment_act", args=[main.pk, "reply"]),
                           {f"a{main.pk}-reply_class": "A", f"a{main.pk}-text": "x"})
    assert response.status_code == 404
    client.force_login(world.dept2)  # sees the proposal as co-handler, but not the lead unit's assignment
    response = client.post(reverse("proposals:assignment_act", args=[main.pk, "reply"]),
                           {f"a{main.pk}-reply_class": "A", f"a{main.pk}-text": "x"})
    assert response.status_code == 403
    main.refresh_from_db()
    assert main.status == AssignmentStatus.ASSIGNED and not main.replies.exists()


def test_member_creates_a_draft_through_the_form(client, world):
    client.force_login(world.users.member)
    response = client.post(reverse("proposals:create"), {
        "title": "关于加强校园周边交通安全的建议", "kind": "individual", "category": "education",
        "case": "上下学高峰拥堵。", "analysis": "", "suggestions": "增设护学岗\n\n设置限速标志\n",
    })
    assert response.status_code == 302
    p = Proposal.objects.get(title="关于加强校园周边交通安全的建议")
    assert p.suggestions == ["增设护学岗", "设置限速标志"] and p.status == ProposalStatus.DRAFT
    bad = client.post(reverse("proposals:create"), {"title": "", "kind": "nope", "category": "x", "case": "",
                                                    "suggestions": "  "})
    assert bad.status_code == 400


def test_stale_form_shows_a_clear_message(client, world):
    p = make_proposal(world)
    client.force_login(world.users.member)
    data = {"title": "改", "kind": "individual", "category": "urban", "case": "c", "suggestions": "s", "version": 1}
    assert client.post(reverse("proposals:edit", args=[p.pk]), data).status_code == 302
    response = client.post(reverse("proposals:edit", args=[p.pk]), {**data, "title": "再改"})
    assert response.status_code == 400
    from django.utils import translation

    from portal.errors import StaleEdit

    with translation.override("zh-hans"):
        message = str(StaleEdit().message)[:8]
    assert message in response.content.decode()


def test_wrong_state_and_bad_input_never_500(client, world):
    u = world.users
    p = to_state(world, "registered")
    client.force_login(u.proposal)
    url = lambda action: reverse("proposals:act", args=[p.pk, action])  # noqa: E731
    assert client.post(url("register"), {"version": p.version}).status_code == 409
    assert client.post(url("preassign"), {"main_unit": world.dept_b.pk, "due_on": "2026年13月1日"}).status_code == 400
    assert client.post(url("preassign"), {"main_unit": world.tree.dept_a.pk, "due_on": "2020-01-01",
                                          "version": p.version}).status_code == 400
    assert client.post(url("preassign"), {"main_unit": world.tree.dept_a.pk, "version": 999}).status_code == 409
    assert client.post(url("nonsense")).status_code == 404
    assert client.post(url("attach"), {"file": SimpleUploadedFile("x.exe", b"MZ")}).status_code == 400
    assert client.post(reverse("proposals:act", args=[p.pk, "rate"]),
                       {"attitude": "satisfied", "result": "satisfied"}).status_code == 403
    p.refresh_from_db()
    assert p.status == ProposalStatus.REGISTERED and not p.assignments.exists()


def test_full_journey_through_the_pages(client, world):
    u = world.users
    p = to_state(world, "submitted")
    client.force_login(u.proposal)
    page = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "form-register" in page
    assert client.post(reverse("proposals:act", args=[p.pk, "register"]), {"version": p.version}).status_code == 302
    p.refresh_from_db()
    r = client.post(reverse("proposals:act", args=[p.pk, "preassign"]), {
        "main_unit": world.tree.dept_a.pk, "due_on": future(60).strftime("%Y年%m月%d日"), "version": p.version})
    assert r.status_code == 302
    p.refresh_from_db()
    assert client.post(reverse("proposals:act", args=[p.pk, "assign"]), {"version": p.version}).status_code == 302
    a = p.assignments.get()
    client.force_login(u.dept)
    pre = f"a{a.pk}"
    assert client.post(reverse("proposals:assignment_act", args=[a.pk, "contact"]), {
        f"{pre}-method": "phone", f"{pre}-contacted_on": future(0).isoformat()}).status_code == 302
    assert client.post(reverse("proposals:assignment_act", args=[a.pk, "reply"]), {
        f"{pre}-reply_class": "A", f"{pre}-text": "已采纳", f"{pre}-line_1": "已简化",
        f"{pre}-document_number": "相城管函〔2026〕1号"}).status_code == 302
    client.force_login(u.member)
    assert client.post(reverse("proposals:act", args=[p.pk, "rate"]),
                       {"attitude": "satisfied", "result": "basic"}).status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.CLOSED
    reply = a.replies.get()
    assert reply.lines == [{"suggestion": 1, "action": "已简化"}]
    docx = client.get(reverse("proposals:export_reply", args=[reply.pk]))
    assert docx.status_code == 200 and docx.getvalue()[:2] == b"PK"
    assert _get(client, world.dept_b_user, reverse("proposals:export_reply", args=[reply.pk])).status_code == 404


def test_queues_render_for_each_role(client, world):
    u = world.users
    to_state(world, "handling")
    for user, name in [(u.member, "mine"), (u.proposal, "review"), (u.dept, "inbox"), (u.leader, "supervision"),
                       (u.clerk, "list"), (u.proposal, "opinions"), (u.member, "evaluations"),
                       (u.proposal, "export_registered")]:
        assert _get(client, user, reverse(f"proposals:{name}")).status_code == 200, name
    assert _get(client, u.member, reverse("proposals:index")).url == reverse("proposals:mine")
    assert _get(client, u.dept, reverse("proposals:index")).url == reverse("proposals:inbox")
    assert _get(client, u.member, reverse("proposals:review")).status_code == 403
    assert _get(client, u.nobody, reverse("home")).status_code == 200
    assert _get(client, u.member, reverse("home")).status_code == 200


@pytest.mark.parametrize("role_name,url_name", [
    ("member", "mine"), ("proposal", "review"), ("dept", "inbox"), ("leader", "supervision"), ("clerk", "list"),
])
def test_queues_have_constant_query_counts(client, world, role_name, url_name):
    user = getattr(world.users, role_name)
    client.force_login(user)
    counter = {"n": 0}

    def add(n):
        for _ in range(n):
            counter["n"] += 1
            # the review queue lists submitted proposals, the others proposals being handled
            p = to_state(world, "submitted" if url_name == "review" else "handling", title=f"提案{counter['n']}")
            if role_name == "leader":
                services.proposal_mark_key(actor=world.users.leader, proposal=p, supervising_leader=world.users.leader)

    assert_constant_queries(lambda: client.get(reverse(f"proposals:{url_name}")), add, small=1, large=4)


def test_opinion_pages_and_scope(client, world):
    u = world.users
    client.force_login(u.member)
    r = client.post(reverse("proposals:opinion_create"), {"title": "残疾人期盼两项补贴全覆盖", "content": "建议全覆盖",
                                                               "submitted_on": "2026年1月2日"})
    assert r.status_code == 302
    from proposals.models import OpinionItem

    item = OpinionItem.objects.get()
    assert item.submitted_on == datetime.date(2026, 1, 2)  # the day on the paper, not the day typed in
    assert _get(client, u.clerk, reverse("proposals:opinion", args=[item.pk])).status_code == 200
    assert _get(client, u.clerk_b, reverse("proposals:opinion", args=[item.pk])).status_code == 404
    assert _get(client, world.other_user, reverse("proposals:opinion", args=[item.pk])).status_code == 404
    client.force_login(u.clerk)
    r = client.post(reverse("proposals:bulletin_compile", args=[world.tree.county_a.pk]), {
        f"u{world.tree.county_a.pk}-items": [item.pk], f"u{world.tree.county_a.pk}-published_on": "2026/1/5"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "compiled"
    client.force_login(u.clerk_b)
    assert client.post(reverse("proposals:bulletin_compile", args=[world.tree.county_a.pk])).status_code == 404
    client.force_login(u.clerk)
    assert client.post(reverse("proposals:opinion_act", args=[item.pk, "report"]),
                       {"reported_to": "市政协", "version": item.version}).status_code == 302
    assert client.post(reverse("proposals:opinion_act", args=[item.pk, "adopt"]),
                       {"level": "city", "adopted_on": "not a date"}).status_code == 400
    assert client.post(reverse("proposals:opinion_act", args=[item.pk, "adopt"]),
                       {"level": "city", "adopted_on": "2026-01-10"}).status_code == 302


def test_evaluation_pages(client, world):
    u = world.users
    client.force_login(u.proposal)
    r = client.post(reverse("proposals:evaluation_create"), {"year": 2026, "title": "评议", "top_n": 1, "bottom_n": 1,
                                                             "member_weight": 70})
    assert r.status_code == 302
    from proposals.models import EvaluationRound

    rnd = EvaluationRound.objects.get()
    client.force_login(u.member)
    assert client.get(reverse("proposals:evaluation", args=[rnd.pk])).status_code == 404
    r = client.post(reverse("proposals:evaluation_score"), {
        "round_id": rnd.pk, f"r{rnd.pk}-unit": world.tree.dept_a.pk, f"r{rnd.pk}-attention": 11,
        f"r{rnd.pk}-communication": 5, f"r{rnd.pk}-adoption": 5, f"r{rnd.pk}-results": 5})
    assert r.status_code == 302 and not rnd.unit_scores.exists()
    client.post(reverse("proposals:evaluation_score"), {
        "round_id": rnd.pk, f"r{rnd.pk}-unit": world.tree.dept_a.pk, f"r{rnd.pk}-attention": 9,
        f"r{rnd.pk}-communication": 5, f"r{rnd.pk}-adoption": 5, f"r{rnd.pk}-results": 5})
    assert rnd.unit_scores.count() == 1
    client.force_login(u.proposal)
    assert client.post(reverse("proposals:evaluation_close", args=[rnd.pk])).status_code == 302
    assert client.get(reverse("proposals:export_evaluation", args=[rnd.pk])).status_code == 200
    client.force_login(u.clerk_b)
    assert client.post(reverse("proposals:evaluation_close", args=[rnd.pk])).status_code == 404


def test_department_scores_a_proposal_it_handled(client, world):
    from proposals.models import ProposalScore

    p = to_state(world, "replied")
    rnd = services.evaluation_round_create(actor=world.users.proposal, unit=world.tree.county_a, year=2026, title="评议")
    a = p.assignments.get(unit=world.tree.dept_a)
    client.force_login(world.users.dept)
    page = client.get(reverse("proposals:evaluations")).content.decode()
    assert p.title in page
    data = {"round_id": rnd.pk, "assignment_id": a.pk, f"p{a.pk}-proposal": p.pk, f"p{a.pk}-accuracy": 8,
            f"p{a.pk}-foresight": 7, f"p{a.pk}-workability": 9}
    assert client.post(reverse("proposals:evaluation_score_proposal"), data).status_code == 302
    assert ProposalScore.objects.get().unit == world.tree.dept_a
    client.force_login(world.users.proposal)
    assert p.title in client.get(reverse("proposals:evaluation", args=[rnd.pk])).content.decode()
    client.force_login(world.dept_b_user)
    assert client.post(reverse("proposals:evaluation_score_proposal"), data).status_code == 404
