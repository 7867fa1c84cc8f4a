"""The reply letter and the register read right when opened in Word."""

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Proposal

from ..documents.text import docx_lines, download_name, repeated
from .conftest import make_proposal, to_state

pytestmark = pytest.mark.django_db


def test_reply_letter_numbers_its_list_once_and_page_shows_the_class_once(client, world):
    p = to_state(world, "replied")
    reply = p.assignments.get(unit=world.tree.dept_a).replies.get()
    client.force_login(world.users.proposal)
    r = client.get(reverse("proposals:export_reply", args=[reply.pk]))
    lines = docx_lines(r.getvalue())
    assert "1. 已简化" in lines and "2. 已设立" in lines
    assert not any(line.startswith("1. 1.") for line in lines)
    assert "办理结果：A类（已解决或采纳）。" in lines
    assert f"关于政协{p.number_label}提案的答复" in lines
    assert lines[-2:] == [world.tree.dept_a.name, lines[-1]] and lines[-1].endswith("日")
    assert repeated(lines) == []
    assert download_name(r) == f"答复函-{p.number_label}-{world.tree.dept_a.name}.docx"
    page = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "A A——" not in page and "A</span> 已解决或采纳" in page


def test_register_groups_by_session_and_lists_unassigned_apart(client, world):
    u = world.users
    handled = to_state(world, "handling")
    waiting = services.proposal_register(actor=u.proposal, proposal=services.proposal_submit(
        actor=world.member.user, proposal=make_proposal(world, title="关于增设公交站点的建议")))
    # a proposal of an earlier session, numbered there
    earlier = services.proposal_register(actor=u.proposal, proposal=services.proposal_submit(
        actor=world.member.user, proposal=make_proposal(world, title="关于规范夜市管理的建议")))
    Proposal.objects.filter(pk__in=[handled.pk, waiting.pk]).update(term="十五届", session="三次会议")
    Proposal.objects.filter(pk=earlier.pk).update(term="十五届", session="二次会议", year=(handled.year or 2026) - 1)
    services.proposal_preassign(actor=u.proposal, proposal=Proposal.objects.get(pk=earlier.pk),
                                main_unit=world.tree.dept_a)
    client.force_login(u.proposal)
    r = client.get(reverse("proposals:export_registered"))
    lines = docx_lines(r.getvalue())
    text = "\n".join(lines)
    earlier.refresh_from_db()
    handled.refresh_from_db()
    first, second = f"{earlier.term}{earlier.session}（1件）", f"{handled.term}{handled.session}（1件）"
    assert first in lines and second in lines and lines.index(first) < lines.index(second), text
    assert "尚未确定承办单位的提案（1件）" in lines
    tail = lines[lines.index("尚未确定承办单位的提案（1件）"):]
    assert any("关于增设公交站点的建议" in line for line in tail)
    assert not any("关于增设公交站点的建议" in line for line in lines[:lines.index("尚未确定承办单位的提案（1件）")])
    assert any(f"第{handled.number}号 | 关于加强老旧小区加装电梯的建议" in line and "（主办）" in line
               for line in lines)
    assert waiting.number and download_name(r).endswith("立案提案目录.docx")


def test_bulletin_issue_in_the_official_format_for_the_staff_only(client, world):
    """《社情民意》 issue (社情民意专报): masthead, issue, issuing office and date, each item once with
    its paragraphs and its source; downloadable from the item's page by the unit's staff only."""
    from django.utils import timezone

    u = world.users
    today = timezone.localdate()
    first = services.opinion_submit(actor=u.member, title="种粮大户期盼惠农政策倾斜",
                                    content="建议补贴向种粮大户倾斜。\n\n建议简化申领手续。")
    second = services.opinion_submit(actor=u.member, title="老旧小区停车难", content="建议错时共享停车。")
    bulletin = services.bulletin_compile(actor=u.clerk, unit=world.tree.county_a, items=[first, second],
                                         published_on=today)
    client.force_login(u.clerk)
    page = client.get(reverse("proposals:opinion", args=[first.pk])).content.decode()
    url = reverse("proposals:export_bulletin", args=[bulletin.pk])
    assert url in page
    r = client.get(url)
    assert r.status_code == 200
    assert download_name(r) == f"社情民意-{world.tree.county_a.name}-{bulletin.year}年第{bulletin.issue}期.docx"
    lines = docx_lines(r.getvalue())
    assert lines[:2] == ["社情民意", f"{bulletin.year}年第{bulletin.issue}期"]
    issuer = f"政协{world.tree.county_a.name}委员会办公室"
    assert lines[-2:] == [issuer, f"{today.year}年{today.month}月{today.day}日"]
    assert lines[3:-2] == ["一、种粮大户期盼惠农政策倾斜", "刘芳委员反映：建议补贴向种粮大户倾斜。", "建议简化申领手续。",
                           "二、老旧小区停车难", "刘芳委员反映：建议错时共享停车。"]
    assert repeated(lines) == []
    # the member who wrote the item sees the issue named, not the download; another county: 404
    client.force_login(u.member)
    assert url not in client.get(reverse("proposals:opinion", args=[first.pk])).content.decode()
    assert client.get(url).status_code == 404
    client.force_login(u.clerk_b)
    assert client.get(url).status_code == 404
