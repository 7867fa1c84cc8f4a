"""About 300 demo members with invented names, posted to the reports' townships. The demo
user `member` is one of them (相山区, posted to 三堤口街道)."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from organizations.models import Body, BodyKind, OrgUnit, UnitKind
from portal.metrics import records_changed

from .models import Member, MemberLevel, Posting, PostingBasis

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲兰飞鹏辉建国志文海燕婷雪梅琳晨宇浩然子轩欣怡思远佳慧"
PARTIES = ["中共党员", "民革", "民盟", "民建", "民进", "农工党", "九三学社", "无党派人士", "群众"]
WORK_UNITS = ["区人民医院", "第一中学", "市律师事务所", "农业合作社", "街道卫生服务中心", "建筑设计院", "供电公司",
              "社区服务中心", "商会", "职业技术学院", "文化馆", "科技公司", "会计师事务所", "家庭农场"]
EXPERTISE = ["法律", "教育", "医疗卫生", "城市管理", "农业", "财会", "规划建设", "社会工作", "文化", "企业经营",
             "生态环保", "信息技术"]
TOTAL = 300
HOME_COUNTY = "huaibei-xiangshan"


def load(*, stdout):
    if Member.objects.filter(id_key__startswith="DEMO-").count() >= TOTAL:
        stdout.write("members: 0 added")
        load_workrooms(stdout=stdout)
        return
    rng = random.Random(2020)
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY, code__contains="-").exclude(code__contains="-dept-")
                    .order_by("path"))
    townships_of = {}
    for t in OrgUnit.objects.filter(kind=UnitKind.TOWNSHIP).order_by("path"):
        townships_of.setdefault(t.parent_id, []).append(t)
    sectors_of, committees_of = {}, {}
    for b in Body.objects.filter(is_active=True):
        if b.kind == BodyKind.SECTOR:
            sectors_of.setdefault(b.unit_id, []).append(b)
        elif b.kind == BodyKind.COMMITTEE:
            committees_of.setdefault(b.unit_id, []).append(b)
    home = next(c for c in counties if c.code == HOME_COUNTY)
    added = 0
    User = get_user_model()
    existing = {m.id_key: m for m in Member.objects.filter(id_key__startswith="DEMO-")}
    posted = set(Posting.objects.values_list("member_id", "org_unit_id"))  # get_or_create, answered once
    for i in range(TOTAL):
        key = f"DEMO-{i + 1:06d}"
        county = home if i < 80 else counties[i % len(counties)]
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        party = rng.choice(PARTIES)
        member = existing.get(key)
        if member is None:
            member = Member.objects.create(
                id_key=key, name=name, org_unit=county, gender=rng.choice(["m", "f"]),
                level=MemberLevel.CITY if i % 9 == 0 else MemberLevel.COUNTY, term="第十五届",
                sector=rng.choice(sectors_of[county.pk]) if county.pk in sectors_of else None,
                party=party, work_unit=county.name + rng.choice(WORK_UNITS),
                expertise=",".join(rng.sample(EXPERTISE, 2)), phone=f"139{rng.randint(10000000, 99999999)}",
                is_standing=(i % 15 == 0),
            )
            if county.pk in committees_of:
                member.committees.add(rng.choice(committees_of[county.pk]))
            added += 1
        townships = townships_of.get(county.pk, [])
        if townships:
            sandikou_first = sorted(townships, key=lambda t: t.code != "huaibei-xiangshan-sandikou")
            others = sandikou_first[1:] or sandikou_first
            target = sandikou_first[0] if (county == home and i < 14) else rng.choice(others)
            basis = rng.choice(list(PostingBasis.values))  # drawn whether or not the posting exists
            if (member.pk, target.pk) not in posted:
                Posting.objects.create(member=member, org_unit=target, basis=basis)
                posted.add((member.pk, target.pk))
    demo_user = User.objects.filter(username="member").first()
    first = Member.objects.get(id_key="DEMO-000001")
    if demo_user and first.user_id is None:
        first.name = "刘芳"
        first.user = demo_user
        first.save(update_fields=["name", "user"])
        sandikou = OrgUnit.objects.filter(code="huaibei-xiangshan-sandikou").first()
        if sandikou:
            Posting.objects.get_or_create(member=first, org_unit=sandikou, defaults={"basis": PostingBasis.RESIDENCE})
    stdout.write(f"members: {added} added")
    load_workrooms(stdout=stdout)


# ---------------------------------------------------------------------------------------------
# Workrooms (the reports' 33), scoring rules, checklist, duty entries and the talent pool.

FIVE_HAVES = ["有场所", "有标志", "有制度", "有活动", "有台账"]
LEAD_TYPES = {"liaison_group": "liaison_group", "sector_group": "sector_group", "individual": "individual",
              "employer": "employer"}
NOTABLE_NAMES = ["退休教师", "老党员", "返乡企业家", "村医", "律师", "退役军人", "网格员", "楼栋长"]


def _kind_of(name: str) -> str:
    from .models import WorkroomKind

    if "之家" in name:
        return WorkroomKind.HOME
    if "工作站" in name or "服务站" in name:
        return WorkroomKind.STATION
    if "活动室" in name or "茶室" in name:
        return WorkroomKind.ACTIVITY_ROOM
    return WorkroomKind.WORKROOM


def _place_unit(text: str, units: list[OrgUnit]) -> OrgUnit | None:
    best = None
    for unit in units:
        names = {unit.name, unit.short_name} - {""}
        stem = unit.name
        for suffix in ("街道", "县", "区", "市", "镇", "乡") if unit.kind != UnitKind.VILLAGE else ():
            if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
                names.add(stem[: -len(suffix)])
                break
        if any(n and len(n) >= 2 and n in text for n in names) and (best is None or unit.depth > best.depth):
            best = unit
    return best


def load_workrooms(*, stdout, today=None):
    import datetime
    import json

    from django.conf import settings
    from django.utils import timezone

    from .models import (
        ChecklistItem,
        DutyRecord,
        DutyStatus,
        Notable,
        NotableCategory,
        ScoringPlan,
        ScoringRule,
        Workroom,
        WorkroomActivity,
        WorkroomStatus,
    )

    today = today or timezone.localdate()
    rng = random.Random(2026)
    province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
    if province and not ChecklistItem.objects.filter(org_unit=province).exists():
        for i, label in enumerate(FIVE_HAVES):
            ChecklistItem.objects.create(org_unit=province, label=label, order=i)
    home = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    if home and not ScoringPlan.objects.filter(org_unit=home, year=today.year).exists():
        plan = ScoringPlan.objects.create(org_unit=home, year=today.year, annual_minimum=15)
        from .scoring import DEFAULT_POINTS

        for kind, points in DEFAULT_POINTS.items():
            ScoringRule.objects.create(plan=plan, kind=kind, points=points, valid_from=datetime.date(today.year, 1, 1))

    data = json.loads((settings.PORTAL_DATA_DIR / "report_cases.json").read_text(encoding="utf-8"))
    units = list(OrgUnit.objects.exclude(kind=UnitKind.DEPARTMENT).filter(is_active=True))
    members_by_county: dict[str, list[Member]] = {}
    for m in Member.objects.filter(is_active=True).order_by("pk"):
        members_by_county.setdefault(m.org_path, []).append(m)
    added = 0
    for index, row in enumerate(data["workrooms"]):
        if Workroom.objects.filter(source_ref=row["id"]).exists():
            continue
        unit = _place_unit(f"{row['body']} {row['place']}", units)
        if unit is None:
            continue
        pool = [m for path, ms in members_by_county.items() if unit.path.startswith(path) or path.startswith(unit.path)
                for m in ms]
        status = (WorkroomStatus.APPLIED if index % 11 == 5 else WorkroomStatus.REVIEWED if index % 11 == 8
                  else WorkroomStatus.PLAQUED)
        chosen = rng.sample(pool, min(len(pool), rng.randint(3, 6))) if pool else []
        lead_type = LEAD_TYPES.get(row["lead_type"] or "", "liaison_group")
        workroom = Workroom.objects.create(
            source_ref=row["id"], org_unit=unit, name=row["name"][:120], kind=_kind_of(row["name"]),
            lead_type=lead_type, lead_member=chosen[0] if chosen and lead_type == "individual" else None,
            place=row["place"][:200], standard=(row["checklist_standard"] or "")[:300],
            description=row["activities"], status=status, opening_hours="周一至周五 9:00-17:00",
            reception_days=rng.choice(["每周三", "每月15日", "每周五下午", "每月第一个周一"]),
            plaqued_on=today - datetime.timedelta(days=rng.randint(200, 700)) if status == WorkroomStatus.PLAQUED
            else None,
        )
        workroom.members.add(*chosen)  # a new workroom: nothing to replace
        added += 1
        if status != WorkroomStatus.PLAQUED:
            continue
        idle = index % 4 == 3
        parts = [p.strip("。 ") for p in row["activities"].replace("；", "。").split("。") if p.strip("。 ")][:3]
        for n, part in enumerate(parts or [row["name"]]):
            days_ago = rng.randint(120, 300) if idle else rng.randint(3, 80) + n * 20
            on = max(datetime.date(today.year - 1, 6, 1), today - datetime.timedelta(days=days_ago))
            activity = WorkroomActivity.objects.create(workroom=workroom, occurred_on=on, title=part[:60],
                                                       summary=part, residents=rng.randint(5, 60))
            participants = rng.sample(chosen, min(len(chosen), 2)) if chosen else []
            activity.participants.add(*participants)  # a new activity: nothing to replace
            if workroom.last_activity_on is None or on > workroom.last_activity_on:
                workroom.last_activity_on = on
            for m in participants:
                # The activity was created just above: no entry names it yet (no get_or_create's look-up).
                DutyRecord.objects.create(
                    member=m, kind="workroom_activity", source_type=_content_type(WorkroomActivity),
                    source_id=str(activity.pk), occurred_on=on, title=f"{workroom.name}：{activity.title}"[:200],
                    org_unit_id=m.org_unit_id, org_path=m.org_path, activity_unit=unit, status=DutyStatus.AUTO)
        workroom.save(update_fields=["last_activity_on"])
    stdout.write(f"members: {added} workrooms added")

    if not DutyRecord.objects.filter(note="[demo]").exists():
        kinds = ["session_attended", "research", "reception_shift", "speech", "golden_idea", "volunteer", "deed",
                 "proposal_submitted", "opinion_submitted", "opinion_adopted"]
        start = datetime.date(today.year, 1, 1)
        span = max(1, (today - start).days)
        rows = []
        for m in Member.objects.filter(id_key__startswith="DEMO-").select_related("org_unit").order_by("pk"):
            for _n in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8])):
                kind = rng.choice(kinds)
                rows.append(DutyRecord(
                    member=m, kind=kind, occurred_on=start + datetime.timedelta(days=rng.randrange(span)),
                    title=_demo_title(kind, rng), note="[demo]",
                    status=DutyStatus.VERIFIED, org_unit_id=m.org_unit_id, org_path=m.org_path))
        DutyRecord.objects.bulk_create(rows)
        records_changed(DutyRecord.objects.filter(note="[demo]"))  # bulk_create sends no signals
        demo = Member.objects.filter(id_key="DEMO-000001").first()
        if demo:
            DutyRecord.objects.create(member=demo, kind="volunteer", occurred_on=today - datetime.timedelta(days=2),
                                      title="为庆相桥社区老人义诊", note="[demo] 待核实", status=DutyStatus.PENDING,
                                      org_unit_id=demo.org_unit_id, org_path=demo.org_path)
        stdout.write(f"members: {len(rows)} duty entries added")

    if home and not Notable.objects.filter(org_path__startswith=home.path).exists():
        townships = list(OrgUnit.objects.filter(parent=home, kind=UnitKind.TOWNSHIP).order_by("path"))
        for i in range(40):
            t = townships[i % len(townships)] if townships else home
            Notable.objects.create(
                org_unit=t, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                category=rng.choice(list(NotableCategory.values)),
                expertise=",".join(rng.sample(EXPERTISE, 2)) + f",{rng.choice(NOTABLE_NAMES)}",
                phone=f"138{rng.randint(10000000, 99999999)}")
        stdout.write("members: 40 talent-pool people added")


DEMO_TITLES = {
    "session_attended": ["参加“有事好商量”协商议事会", "参加小区加装电梯协商会"],
    "research": ["参与老旧小区改造专题调研", "参与农村人居环境调研"],
    "reception_shift": ["委员接待日值班"],
    "speech": ["在政协全会上作大会发言"],
    "golden_idea": ["提出停车难治理“金点子”"],
    "volunteer": ["参加社区志愿服务", "开展义诊活动"],
    "deed": ["为群众办实事：修缮路灯", "协调解决小区积水问题"],
    "proposal_submitted": ["提交关于养老服务的提案"],
    "opinion_submitted": ["报送社情民意信息"],
    "opinion_adopted": ["社情民意信息被采用"],
}


def _demo_title(kind, rng):
    return rng.choice(DEMO_TITLES.get(kind, ["履职活动"]))


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)
