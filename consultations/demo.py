"""Demo consultations: the 68 cases of data/report_cases.json, placed on the units the reports name,
moved through the loop by the real services to realistic stages so every state is visible.
Dates are relative to today (the reports' own dates are 2019–2020). Idempotent: each case is
recorded once, keyed by ``source_ref = "report:<id>"``."""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.models import Member
from organizations.models import OrgUnit, Role, RoleAssignment, UnitKind

from . import services
from .models import Attendance, Channel, ParticipantKind, Route, SessionForm, Suggestion, Topic

CHANNELS = {"群众出题": Channel.RESIDENT, "委员荐题": Channel.MEMBER, "社情民意": Channel.OPINION,
            "党委政府点题": Channel.PARTY_GOV, "一组一会": Channel.RESIDENT}
FORMS = [("直播", SessionForm.LIVE), ("网络", SessionForm.ONLINE), ("线上", SessionForm.ONLINE),
         ("现场", SessionForm.ON_SITE), ("议事会", SessionForm.COUNCIL), ("恳谈", SessionForm.DIALOGUE),
         ("听证", SessionForm.HEARING), ("板凳", SessionForm.BENCH)]
# Stages for cases whose ending the report leaves open, cycling so every state appears.
OPEN_STAGES = ["draft", "submitted", "rejected", "approved", "researched", "scheduled", "consulted", "handling"]


def _unit_for(case, units_by_name, counties):
    """The deepest unit of the case's county (or city) whose name appears in its body or place."""
    text = f"{case.get('body') or ''} {case.get('place') or ''}"
    root = counties.get(case.get("county")) or counties.get(case.get("city"))
    best = None
    for name, units in units_by_name.items():
        if name and name in text:
            for unit in units:
                if root is not None and not unit.path.startswith(root.path):
                    continue
                if unit.kind == UnitKind.DEPARTMENT:
                    continue
                if best is None or unit.depth > best.depth:
                    best = unit
    return best or root


def _participant_kind(label: str):
    if "委员" in label:
        return ParticipantKind.MEMBER
    if any(k in label for k in ("局", "办", "所", "委", "中心", "队", "政府", "街道")):
        return ParticipantKind.DEPARTMENT
    if any(k in label for k in ("开发商", "物业", "公司", "施工")):
        return ParticipantKind.PROPERTY
    if "专家" in label:
        return ParticipantKind.EXPERT
    if any(k in label for k in ("居民", "群众", "村民", "业主", "商户")):
        return ParticipantKind.RESIDENT
    return ParticipantKind.STAKEHOLDER


def _stage(case, index):
    """`index` counts the cases with the same ending, so each ending's stages cycle fully."""
    ending = case.get("ending")
    if ending == "solved":
        return "reviewed" if index % 3 else "closed"
    if ending == "explained":
        return "closed"
    if ending == "in_progress":
        return ["handling", "consulted", "scheduled", "handling"][index % 4]
    return OPEN_STAGES[index % len(OPEN_STAGES)]


def load(*, stdout):
    data = json.loads((settings.PORTAL_DATA_DIR / "report_cases.json").read_text(encoding="utf-8"))
    cases = data["consultations"]
    done_refs = set(Topic.objects.filter(source_ref__startswith="report:").values_list("source_ref", flat=True))
    if all(f"report:{c['id']}" in done_refs for c in cases) and Topic.objects.filter(
            source_ref="demo:sandikou-elevator").exists():
        stdout.write("consultations: 0 topics added")
        return
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        stdout.write("consultations: no administrator, skipped")
        return
    units = list(OrgUnit.objects.filter(is_active=True).exclude(kind=UnitKind.DEPARTMENT))
    units_by_name: dict[str, list[OrgUnit]] = {}
    for u in units:
        units_by_name.setdefault(u.name, []).append(u)
    counties = {u.name: u for u in units if u.kind in (UnitKind.COUNTY, UnitKind.CITY)}
    secretaries = {path: uid for uid, path in RoleAssignment.objects.filter(role=Role.SECRETARY, is_active=True)
                   .values_list("user_id", "unit__path")}
    approvers = {path: uid for uid, path in RoleAssignment.objects.filter(role=Role.APPROVER, is_active=True)
                 .values_list("user_id", "unit__path")}
    users = {u.pk: u for u in User.objects.filter(pk__in=[*secretaries.values(), *approvers.values()])}
    demo_member = Member.objects.filter(user__username="member").first()
    added = 0
    seen_endings: dict[str, int] = {}
    for index, case in enumerate(cases):
        nth = seen_endings.get(case.get("ending"), 0)
        seen_endings[case.get("ending")] = nth + 1
        ref = f"report:{case['id']}"
        if ref in done_refs:
            continue
        unit = _unit_for(case, units_by_name, counties)
        if unit is None:
            continue
        secretary = next((users[uid] for path, uid in secretaries.items() if unit.path.startswith(path)), admin)
        approver = next((users[uid] for path, uid in approvers.items() if unit.path.startswith(path)), admin)
        with transaction.atomic():
            _play(case, index, _stage(case, nth), unit, secretary, approver, demo_member)
        added += 1
    # The demo member (刘芳, posted to 三堤口街道) gets an invitation to answer.
    sandikou = OrgUnit.objects.filter(code="huaibei-xiangshan-sandikou").first()
    if sandikou and demo_member and not Topic.objects.filter(source_ref="demo:sandikou-elevator").exists():
        extra = {"id": "x", "topic": "老旧小区加装电梯费用分摊", "place": "三堤口街道 庆相桥社区",
                 "participants": ["居民代表", "物业公司", "区住建局"], "form": "协商议事会",
                 "platform": "庆相桥社区协商议事厅", "source_channel": "群众出题", "topic_zh_category": "民生"}
        secretary = next((users[uid] for path, uid in secretaries.items() if sandikou.path.startswith(path)), admin)
        approver = next((users[uid] for path, uid in approvers.items() if sandikou.path.startswith(path)), admin)
        with transaction.atomic():
            _play(extra, 1, "scheduled", sandikou, secretary, approver, demo_member, ref="demo:sandikou-elevator")
        added += 1
    stdout.write(f"consultations: {added} topics added")


def _play(case, index, stage, unit, secretary, approver, demo_member, ref=None):
    today = timezone.localdate()
    topic = services.topic_create(
        actor=secretary, org_unit=unit, title=case["topic"][:200],
        description=f"{case.get('place') or unit.name}：{case['topic']}。{case.get('note') or ''}".strip(),
        channel=CHANNELS.get(case.get("source_channel"), [Channel.RESIDENT, Channel.MEMBER, Channel.PARTY_GOV,
                                                          Channel.PUBLIC_CALL, Channel.RECEPTION][index % 5]),
        source_ref=ref or f"report:{case['id']}", category=(case.get("topic_zh_category") or "")[:40],
        planned_month=today.replace(day=1) + datetime.timedelta(days=31 * (index % 6)),
        raised_on=today - datetime.timedelta(days=40),
    )
    order = ["draft", "submitted", "approved", "researched", "scheduled", "consulted", "handling", "closed",
             "reviewed"]
    if stage == "draft":
        return
    services.topic_submit(actor=secretary, topic=topic)
    if stage == "submitted":
        return
    if stage == "rejected":
        services.topic_reject(actor=approver, topic=topic, reason="属于个人诉求，建议转信访渠道办理。")
        return
    services.topic_approve(actor=approver, topic=topic, publish=True, approved_on=today - datetime.timedelta(days=30))
    if stage == "approved":
        return
    members = list(Member.objects.filter(is_active=True).filter(
        services.models_q_member_near(topic, unit.ancestor_ids)).distinct().order_by("pk")[:3])
    research_day = today - datetime.timedelta(days=25)
    services.research_add(actor=secretary, topic=topic, kind="visit", done_on=research_day,
                          findings=case.get("research") or f"走访{case.get('place') or unit.name}，听取群众意见，"
                                                           "梳理问题清单。",
                          team="委员调研组", members=members[:2], respondents=10 + index)
    if stage == "researched":
        return
    upcoming = stage == "scheduled"
    day = today + datetime.timedelta(days=3 if index % 2 else 1) if upcoming else today - datetime.timedelta(days=12)
    form = next((f for key, f in FORMS if key in (case.get("form") or "")), SessionForm.COUNCIL)
    session = services.session_schedule(actor=secretary, topic=topic, scheduled_on=day, form=form,
                                        venue=(case.get("place") or f"{unit.name}协商议事厅")[:200],
                                        agenda="通报情况、提出意见、互动协商、确认共识、结果报送")
    invited = list(members)
    if demo_member is not None and unit.path.startswith(demo_member.org_path) and demo_member not in invited:
        try:
            services._check_members_known(topic, [demo_member])
            invited.append(demo_member)
        except services.DomainError:
            pass
    for m in invited:
        services.participant_add(actor=secretary, session=session, kind=ParticipantKind.MEMBER, member=m)
    for label in case.get("participants") or []:
        kind = _participant_kind(label)
        if kind == ParticipantKind.MEMBER:
            continue
        services.participant_add(actor=secretary, session=session, kind=kind, name=label[:60],
                                 organisation=label[:100] if kind == ParticipantKind.DEPARTMENT else "")
    if upcoming:
        return
    services.session_hold(actor=secretary, session=session, version=session.version,
                          attendance={p.pk: Attendance.ATTENDED if i % 5 else Attendance.LEAVE
                                      for i, p in enumerate(session.participants.all(), start=1)},
                          steps_done=["brief", "opinions", "interaction", "consensus", "report"],
                          residents_count=8 + index % 20, summary="各方充分发表意见，形成共识。")
    if stage == "consulted":
        return
    outcome_text = case.get("outcome") or "经协商形成共识，问题交由相关方办理。"
    services.outcome_record(actor=secretary, topic=topic, consensus=True, summary=outcome_text,
                            minutes=f"会议围绕“{case['topic']}”通报了前期调研情况，与会委员、部门和群众代表"
                                    "逐一发表意见，经互动协商，对解决办法和责任分工形成一致意见。")
    dept = OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, parent__path__in=_ancestor_paths(unit)).order_by(
        "path").first()
    lead = dept or unit
    lines = [(f"由{lead.name}牵头，按协商结果落实“{case['topic']}”有关事项，按期反馈办理情况。"[:300],
              Route.DEPARTMENT if dept else Route.COMMUNITY, lead),
             ("社区两委跟踪落实，定期向居民公示进展。", Route.COMMUNITY, unit)]
    suggestions = [services.suggestion_add(actor=secretary, topic=topic, text=text, route=route, handling_unit=hu,
                                           deadline=today + datetime.timedelta(days=20 + index % 10))
                   for text, route, hu in lines]
    if stage == "handling":
        services.suggestion_accept(actor=secretary, suggestion=suggestions[0])
        services.suggestion_progress(actor=secretary, suggestion=suggestions[0], text="已召开现场推进会")
        if index % 2:
            # demo: time has passed since the deadline was set
            Suggestion.objects.filter(pk=suggestions[1].pk).update(deadline=today - datetime.timedelta(days=5))
        return
    ending = "explained" if case.get("ending") == "explained" else "solved"
    for s in suggestions:
        services.suggestion_close(actor=secretary, suggestion=s, ending=ending,
                                  feedback=outcome_text[:300] if ending == "solved" else "暂不具备条件，已向群众解释。")
    services.topic_close(actor=secretary, topic=topic)
    if ending == "solved" and case.get("outcome"):
        # the reports' solved cases are the ones offices cite: typical cases for the report pack
        services.outcome_mark_typical(actor=secretary, outcome=topic.outcome, typical=True)
    if order.index(stage) < order.index("reviewed"):
        return
    services.followup_record(actor=secretary, followup=topic.followups.get(), done_on=today,
                             findings="回头看：整改成果保持良好，群众满意。")
    services.evaluation_add(actor=approver, topic=topic, rater_kind="residents", score=4 + index % 2,
                            comment="群众满意")


def _ancestor_paths(unit):
    parts = unit.path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
