"""Demo proposals and 社情民意 items: the reports' 26 proposals and 20 items (report_cases.json),
the evaluation round at 鸠江, and a set of 相山区 proposals at every stage of the chain for the
demo users (委员 刘芳, 提案委 赵明, 城管局 孙磊, 领导 吴刚).

The reports' cases are loaded first, so the demo users' own records have later ids. Idempotent:
every record carries a `source_ref` key."""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Member
from organizations.models import OrgUnit, UnitConfig, UnitKind
from portal.audit import audit_log

from . import services
from .models import (
    Adoption,
    AdoptionLevel,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Bulletin,
    Contact,
    EvaluationResult,
    EvaluationRound,
    EvaluationStatus,
    Instruction,
    OpinionItem,
    OpinionStatus,
    Proposal,
    ProposalCategory,
    ProposalKind,
    ProposalStatus,
    Reply,
    ReplyClass,
    Verdict,
)

HOME = "huaibei-xiangshan"
CATEGORY_WORDS = [
    ("教育", ProposalCategory.EDUCATION), ("学", ProposalCategory.EDUCATION), ("卫生", ProposalCategory.HEALTH),
    ("医", ProposalCategory.HEALTH), ("脱贫", ProposalCategory.AGRICULTURE), ("乡村", ProposalCategory.AGRICULTURE),
    ("农", ProposalCategory.AGRICULTURE), ("小区", ProposalCategory.URBAN), ("交通", ProposalCategory.URBAN),
    ("公交", ProposalCategory.URBAN), ("易涝", ProposalCategory.URBAN), ("生态", ProposalCategory.ENVIRONMENT),
    ("企业", ProposalCategory.ECONOMY), ("产业", ProposalCategory.ECONOMY), ("经济", ProposalCategory.ECONOMY),
    ("长三角", ProposalCategory.ECONOMY), ("旅游", ProposalCategory.ECONOMY), ("治理", ProposalCategory.GOVERNANCE),
    ("安全", ProposalCategory.GOVERNANCE),
]
LEVELS = {"县": AdoptionLevel.COUNTY, "区": AdoptionLevel.COUNTY, "市": AdoptionLevel.CITY,
          "省": AdoptionLevel.PROVINCE, "全国": AdoptionLevel.NATIONAL}


def _category(title: str) -> str:
    return next((code for word, code in CATEGORY_WORDS if word in title), ProposalCategory.OTHER)


def _unit_for(body: str, units: list[OrgUnit]) -> OrgUnit | None:
    """The county named in the body text, else the city."""
    for kind in (UnitKind.COUNTY, UnitKind.CITY):
        for unit in units:
            if unit.kind == kind and unit.name in body:
                return unit
    return None


def _year(date: str | None) -> int:
    if date and date[:4].isdigit():
        return int(date[-4:]) if ".." in date and date[-4:].isdigit() else int(date[:4])
    return 2020


def _proposer(unit: OrgUnit, key: str) -> Member:
    """A demo member of the unit's subtree without a login (never the demo user 刘芳); a member
    is created only where the members demo has none."""
    member = (Member.objects.filter(org_path__startswith=unit.path, user__isnull=True, id_key__startswith="DEMO-0")
              .order_by("-id_key").first())
    if member is None:
        member, _created = Member.objects.get_or_create(
            id_key=f"DEMO-RC-{key}", defaults={"name": f"{unit.name}委员", "org_unit": unit, "term": "第十四届"})
    return member


def _at(year: int, month: int = 6, day: int = 15):
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def _load_report_proposals(data, units, admin, stdout) -> int:
    added = 0
    departments: dict[int, list[OrgUnit]] = {}
    for dept in OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT):
        departments.setdefault(dept.parent_id, []).append(dept)
    counters: dict[int, int] = {}
    for row in data["proposals"]:
        ref = f"report:{row['id']}"
        if Proposal.objects.filter(source_ref=ref).exists():
            continue
        unit = _unit_for(row["body"], units)
        if unit is None:
            continue
        year = _year(row["date"])
        title = row["title_or_topic"].strip("《》")
        kind = {"party": ProposalKind.PARTY, "sector": ProposalKind.SECTOR}.get(row["kind"] or "",
                                                                               ProposalKind.INDIVIDUAL)
        counters[unit.pk] = counters.get(unit.pk, 100) + 1
        outcome = row["outcome"] or ""
        proposal = Proposal.objects.create(
            proposer=_proposer(unit, row["id"]), submitted_by=admin, org_unit=unit, org_path=unit.path, kind=kind,
            title=title, case=f"{row['body']}（报告第{','.join(map(str, row['lines']))}行）",
            analysis=row.get("note") or "", suggestions=[title], category=_category(title),
            status=ProposalStatus.CLOSED if outcome else ProposalStatus.HANDLING, term=f"{year}年", session="",
            year=year, number=counters[unit.pk], review_stage=3, is_key=bool(row["key_proposal"]),
            supervision_note=(f"{row['supervisor_role']}领衔督办" if row["supervisor_role"] else ""),
            submitted_at=_at(year, 1, 10), registered_at=_at(year, 2, 1), assigned_at=_at(year, 3, 1),
            closed_at=_at(year, 9, 1) if outcome else None,
            submitted_on=datetime.date(year, 1, 10), registered_on=datetime.date(year, 2, 1),
            assigned_on=datetime.date(year, 3, 1), closed_on=datetime.date(year, 9, 1) if outcome else None,
            satisfaction_attitude="satisfied" if outcome else "", satisfaction_result="satisfied" if outcome else "",
            source_ref=ref,
        )
        handlers = []
        for name in row["handling_units"]:
            match = next((d for d in departments.get(unit.pk, []) if name.lstrip("区县") in d.name), None)
            if match:
                handlers.append(match)
        # The demo county's departments get only the demo journeys, so the demo handler's
        # inbox stays readable (and the reports' records stay outside its scope).
        if not handlers and departments.get(unit.pk) and unit.code != HOME:
            handlers = [departments[unit.pk][0]]
        for i, dept in enumerate(handlers):
            assignment = Assignment.objects.create(
                proposal=proposal, unit=dept, unit_path=dept.path,
                role=AssignmentRole.MAIN if i == 0 else AssignmentRole.CO,
                status=AssignmentStatus.REPLIED if outcome else AssignmentStatus.ASSIGNED,
                due_on=datetime.date(year, 6, 1), assigned_at=_at(year, 3, 1),
                replied_at=_at(year, 5, 20) if outcome else None, assigned_on=datetime.date(year, 3, 1),
                replied_on=datetime.date(year, 5, 20) if outcome else None)
            if outcome:
                Contact.objects.create(assignment=assignment, method="forum", contacted_on=datetime.date(year, 4, 1),
                                       note="提办双方协商", created_by=admin)
                Reply.objects.create(assignment=assignment, reply_class=ReplyClass.A, text=outcome,
                                     lines=[{"suggestion": 1, "action": outcome}], created_by=admin,
                                     replied_on=datetime.date(year, 5, 20))
        audit_log(actor=None, action="proposals.proposal.create", target=proposal,
                  note=f"报告案例 {row['id']}（第{','.join(map(str, row['lines']))}行）")
        added += 1
    return added


def _load_report_opinions(data, units, admin) -> int:
    added = 0
    bulletins: dict[tuple[int, int], Bulletin] = {}
    for row in data["public_opinion_items"]:
        ref = f"report:{row['id']}"
        if OpinionItem.objects.filter(source_ref=ref).exists():
            continue
        unit = _unit_for(row["body"], units)
        if unit is None:
            continue
        year = _year(row["date"])
        levels = [LEVELS[level] for level in (row["adopted_levels"] or []) if level in LEVELS]
        status = (OpinionStatus.ADOPTED if levels else
                  OpinionStatus.REPORTED if row["instruction_by_role"] or row["follow_up"] else OpinionStatus.COMPILED)
        key = (unit.pk, year)
        if key not in bulletins:
            bulletins[key] = Bulletin.objects.get_or_create(
                org_unit=unit, year=year, issue=1,
                defaults={"org_path": unit.path, "published_on": datetime.date(year, 3, 1)})[0]
        item = OpinionItem.objects.create(
            title=(row["title"] or f"{row['source_point'] or row['body']}反映的社情民意")[:200].strip("《》"), content=row.get("note") or row.get("follow_up") or row["title"],
            submitter=admin, source_point=row["source_point"] or row["body"][:100], org_unit=unit,
            org_path=unit.path, status=status, bulletin=bulletins[key],
            reported_to="省政协" if status != OpinionStatus.COMPILED else "", source_ref=ref,
            submitted_on=datetime.date(year, 2, 1), used_on=datetime.date(year, 3, 1))
        for level in levels:
            Adoption.objects.get_or_create(item=item, level=level, defaults={"adopted_on": datetime.date(year, 5, 1)})
        if row["instruction_by_role"]:
            Instruction.objects.create(item=item, leader=row["instruction_by_role"], given_on=datetime.date(year, 5, 10),
                                       text=row["follow_up"] or "阅示", handling=row["follow_up"] or "")
        audit_log(actor=None, action="proposals.opinion.submit", target=item, note=f"报告案例 {row['id']}")
        added += 1
    return added


def _load_jiujiang_evaluation(admin) -> None:
    """The two-way evaluation at 鸠江 (L916): ranked units, top praised, bottom rectify."""
    unit = OrgUnit.objects.filter(name="鸠江区", kind=UnitKind.COUNTY).first()
    if unit is None or EvaluationRound.objects.filter(org_unit=unit, year=2020).exists():
        return
    rnd = EvaluationRound.objects.create(org_unit=unit, org_path=unit.path, year=2020, title="鸠江区2020年提案办理评议",
                                         top_n=3, bottom_n=2, status=EvaluationStatus.CLOSED)
    depts = list(OrgUnit.objects.filter(parent=unit, kind=UnitKind.DEPARTMENT).order_by("sort_order"))
    scores = [96.5, 94.0, 92.25, 90.0, 88.5, 85.0, 81.75, 78.0]
    for i, (dept, score) in enumerate(zip(depts, scores, strict=False), start=1):
        verdict = Verdict.PRAISED if i <= 3 else Verdict.RECTIFY if i > len(depts) - 2 else Verdict.NONE
        EvaluationResult.objects.create(round=rnd, unit=dept, rank=i, score=score, verdict=verdict,
                                        rectification_report="已提交整改报告，明确专人负责提案办理。"
                                        if verdict == Verdict.RECTIFY else "")
    audit_log(actor=admin, action="proposals.evaluation.close", target=rnd, note="报告案例 鸠江 L916")


def _home_journeys(stdout) -> int:
    """相山区 proposals at every stage, driven through the real services by the demo users."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["member", "proposal", "dept", "leader",
                                                                      "clerk"])}
    member = Member.objects.filter(user__username="member").first()
    home = OrgUnit.objects.filter(code=HOME).first()
    if member is None or home is None or len(users) < 5:
        return 0
    if Proposal.objects.filter(source_ref__startswith="demo:").exists():
        return 0
    cgj = OrgUnit.objects.get(code=f"{HOME}-dept-cgj")
    jyj = OrgUnit.objects.get(code=f"{HOME}-dept-jyj")
    zjj = OrgUnit.objects.get(code=f"{HOME}-dept-zjj")
    staff, dept, leader = users["proposal"], users["dept"], users["leader"]
    colleague = Member.objects.filter(org_unit=home, user__isnull=True).exclude(pk=member.pk).order_by("id").first()
    for key, value in [("proposals.term", "十五届"), ("proposals.session", "四次会议")]:
        UnitConfig.objects.get_or_create(unit=home, key=key, year=None, defaults={"value": value})
    today = timezone.localdate()

    def make(ref, title, case, suggestions, category, **kw):
        p = services.proposal_create(actor=member.user, member=member, title=title, case=case,
                                     suggestions=suggestions, category=category, **kw)
        Proposal.objects.filter(pk=p.pk).update(source_ref=f"demo:{ref}")
        p.refresh_from_db()
        return p

    # 1. A joint draft: the co-signer has not confirmed yet.
    make("draft", "关于推进老旧小区加装电梯的建议", "相山区老旧小区多为六层无电梯住宅，老年居民上下楼难。",
         ["简化加装电梯审批流程", "设立区级加装电梯补贴资金", "建立业主协商调解机制"], ProposalCategory.URBAN,
         kind=ProposalKind.JOINT, cosigners=[colleague] if colleague else [])
    # 2. Submitted, first review.
    p = make("submitted", "关于加强校园周边交通安全管理的建议", "上下学高峰时段校园周边拥堵，存在安全隐患。",
             ["增设护学岗", "优化接送车辆停放", "设置限速和警示标志"], ProposalCategory.EDUCATION)
    services.proposal_submit(actor=member.user, proposal=p)
    # 3. In the three-party review.
    p = make("three-party", "关于规范社会学前教育机构办学行为的建议", "部分社会学前教育机构办学不规范。",
             ["开展专项检查", "建立扶助机制"], ProposalCategory.EDUCATION)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_review_advance(actor=staff, proposal=p, note="初审通过")
    services.proposal_review_advance(actor=staff, proposal=p, note="复审：承办单位存在争议，提交三方会审")
    # 4. Registered, waiting for assignment.
    p = make("registered", "关于发展夜间经济激发消费活力的建议", "夜间消费场景不足。",
             ["打造特色夜市街区", "延长公共交通运营时间"], ProposalCategory.ECONOMY)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    # 5. Pre-assigned: 城管局 to accept or contest.
    p = make("preassigned", "关于治理背街小巷占道经营的建议", "背街小巷占道经营影响通行和环境。",
             ["划定疏导点", "建立商户自治公约"], ProposalCategory.URBAN)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    services.proposal_preassign(actor=staff, proposal=p, main_unit=cgj, co_units=[zjj])
    # 6. Handling, key proposal supervised by the leader, reply due in ten days.
    p = make("handling-key", "关于加强城市安全领域突出问题整治的建议", "城市燃气、消防、违建等安全隐患仍较突出。",
             ["开展燃气管网隐患排查", "整治占用消防通道", "建立隐患闭环销号机制"], ProposalCategory.GOVERNANCE)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    services.proposal_preassign(actor=staff, proposal=p, main_unit=cgj, co_units=[jyj],
                                due_on=today + datetime.timedelta(days=10))
    services.proposal_assign_formally(actor=staff, proposal=p)
    services.proposal_mark_key(actor=leader, proposal=p, supervising_leader=leader, note="区委书记领衔督办1号提案")
    services.supervision_add(actor=leader, proposal=p, kind="visit", held_on=today, note="实地查看燃气管网改造现场")
    # 7. Overdue: assigned, deadline passed (set directly, services refuse a past date).
    p = make("overdue", "关于完善社区垃圾分类设施的建议", "部分社区垃圾分类设施不足、分类效果差。",
             ["增设分类投放点", "引入第三方运营"], ProposalCategory.ENVIRONMENT)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    services.proposal_preassign(actor=staff, proposal=p, main_unit=cgj)
    services.proposal_assign_formally(actor=staff, proposal=p)
    Assignment.objects.filter(proposal=p).update(due_on=today - datetime.timedelta(days=5))
    # 8. Replied with class B, waiting for the proposer's rating.
    p = make("replied", "关于增设城区公共停车位的建议", "城区停车难问题突出。",
             ["挖潜增设停车位", "推行错时共享停车"], ProposalCategory.URBAN)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    services.proposal_preassign(actor=staff, proposal=p, main_unit=cgj)
    services.proposal_assign_formally(actor=staff, proposal=p)
    a = p.assignments.get()
    services.contact_add(actor=dept, assignment=a, method="in_person", contacted_on=today, note="上门听取委员意见")
    services.reply_submit(actor=dept, assignment=a, reply_class=ReplyClass.B, text="已纳入2027年停车设施建设计划。",
                          lines=["年内新增停车位300个", "试点5处错时共享停车"], document_number="相城管函〔2026〕18号",
                          follow_up_on=today + datetime.timedelta(days=60))
    # 9. Closed, satisfied.
    p = make("closed", "关于规范共享单车停放的建议", "共享单车乱停乱放。",
             ["划定停放区", "建立企业考核机制"], ProposalCategory.URBAN)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    services.proposal_preassign(actor=staff, proposal=p, main_unit=cgj)
    services.proposal_assign_formally(actor=staff, proposal=p)
    a = p.assignments.get()
    services.contact_add(actor=dept, assignment=a, method="phone", contacted_on=today)
    services.reply_submit(actor=dept, assignment=a, reply_class=ReplyClass.A, text="已全部采纳并落实。",
                          lines=["划定停放区1200处", "出台考核办法"], document_number="相城管函〔2026〕9号")
    services.proposal_rate(actor=member.user, proposal=p, attitude="satisfied", result="satisfied")
    # 10. Not registered, converted to a 社情民意 item.
    p = make("not-registered", "关于小区电动车充电难的问题", "个别小区电动车充电桩不足。",
             ["增设充电桩"], ProposalCategory.URBAN)
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_reject(actor=staff, proposal=p, reason="属于个案问题，转社情民意信息反映", conversion="opinion")
    # 社情民意 by the member: one submitted, one adopted with an instruction.
    services.opinion_submit(actor=member.user, title="关于农村独居老人助餐服务的建议", content="建议推广村级助餐点。")
    item = services.opinion_submit(actor=member.user, title="关于规范校外培训机构收费的建议", content="部分机构预收费过高。")
    services.bulletin_compile(actor=users["clerk"], unit=home, items=[item], published_on=today)
    services.opinion_report(actor=users["clerk"], item=item, reported_to="淮北市政协")
    services.opinion_adopt(actor=users["clerk"], item=item, level=AdoptionLevel.CITY, adopted_on=today, by="淮北市政协")
    services.instruction_add(actor=leader, item=item, leader="区长", given_on=today, text="请区教育局研究落实。")
    # An open evaluation round for the demo county.
    if not EvaluationRound.objects.filter(org_unit=home).exists():
        services.evaluation_round_create(actor=staff, unit=home, year=today.year, title=f"相山区{today.year}年提案办理评议")
    return 10


def load(*, stdout):
    data = json.loads((settings.PORTAL_DATA_DIR / "report_cases.json").read_text(encoding="utf-8"))
    units = list(OrgUnit.objects.filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY]).order_by("-depth", "path"))
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is None:
        stdout.write("proposals: no admin user, skipped")
        return
    added = _load_report_proposals(data, units, admin, stdout)
    opinions = _load_report_opinions(data, units, admin)
    _load_jiujiang_evaluation(admin)
    journeys = _home_journeys(stdout)
    published = _publish_demo()
    stdout.write(f"proposals: {published} proposals public on the public search")
    stdout.write(f"proposals: {added} report proposals, {opinions} report items, {journeys} demo journeys added")


# 是否公开: the report cases that were closed with an answer are public (they were published
# cases), as are two 相山区 journeys with a reply; the key proposal on city safety stays private.
PUBLIC_JOURNEYS = ("关于增设城区公共停车位的建议", "关于规范共享单车停放的建议")
PRIVATE_JOURNEYS = ("关于加强城市安全领域突出问题整治的建议",)


def _publish_demo() -> int:
    from .models import Publication

    today = datetime.date.today()
    undecided = Proposal.objects.filter(publication=Publication.UNDECIDED, publish_wish=True)
    n = undecided.filter(source_ref__startswith="report:", status=ProposalStatus.CLOSED).update(
        publication=Publication.PUBLIC, publication_decided_on=today)
    n += undecided.filter(title__in=PUBLIC_JOURNEYS, org_unit__code=HOME).update(
        publication=Publication.PUBLIC, publication_decided_on=today)
    undecided.filter(title__in=PRIVATE_JOURNEYS, org_unit__code=HOME).update(
        publication=Publication.PRIVATE, publication_decided_on=today)
    return n
