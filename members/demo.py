"""About 300 demo members with invented names, posted to the reports' townships. The demo
user `member` is one of them (相山区, posted to 三堤口街道)."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from organizations.models import Body, BodyKind, OrgUnit, UnitKind

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
    for i in range(TOTAL):
        key = f"DEMO-{i + 1:06d}"
        county = home if i < 80 else counties[i % len(counties)]
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        party = rng.choice(PARTIES)
        member = Member.objects.filter(id_key=key).first()
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
            Posting.objects.get_or_create(member=member, org_unit=target,
                                          defaults={"basis": rng.choice(list(PostingBasis.values))})
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
