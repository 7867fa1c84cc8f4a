"""Demo data of the online hall, from the reports: residents' topics in 庆相桥社区 (L144–150) waiting
for the 三堤口 secretary, 黄山区's two network consultations (L1348–1354), 宣城's 网络议政 on the
digital economy (L972) and 笔架山's monthly live-streamed 小区事务大家谈 (L74). Idempotent: keyed
by titles."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.models import OrgUnit, Role, RoleAssignment

from .models import Comment, LiveQuestion, LiveSession, OnlineConsultation, Question, Rating, Submission

SUBMISSIONS = [
    ("huaibei-xiangshan-sandikou-qingxiangqiao", "濉河岸边有人违规养殖，气味很大",
     "濉河河堤下有几户散养鸡鸭，夏天气味大、污水直排河里，希望协商解决。", "濉河岸边 3 号闸口附近"),
    ("huaibei-xiangshan-sandikou-qingxiangqiao", "小区雨污不分流，下雨就返水",
     "老小区雨水污水走一根管，下大雨时一楼院子返水，希望列入雨污分流改造。", "庆相桥北区 5 栋"),
    ("huaibei-xiangshan-sandikou-qingxiangqiao", "停车位太少，晚上车停到消防通道",
     "晚上车位不够，很多车停在消防通道上，希望增加停车位。", "社区南门"),
    ("huaibei-xiangshan-sandikou-qingxiangqiao", "绿化带被种上了菜", "公共绿地被个别居民种菜，影响环境。", "中心花园"),
    ("huaibei-xiangshan-sandikou-hushanbeilu", "文明遛狗", "晚上遛狗不牵绳，老人小孩害怕，希望定个公约。", ""),
]

CONSULTATIONS = [
    # unit code, title, background, days from now (opens, closes), result, questions
    ("huangshan-huangshanqu", "水电气计价与安全管理网络协商",
     "黄山区政协围绕水电气计价与安全管理开展提案办理网络协商：职能部门深入调研、制定预案，委员走访群众。"
     "欢迎网友就计价方式、老旧小区天然气管道改造和用气安全提出意见建议。",
     (-40, -10), "协商建议被《老旧小区天然气管道接入改造计划》吸纳并写入政府工作报告；所有网友建议均已答复。",
     [("您最关心哪一项？", ["水价", "电价", "燃气价格", "用气安全"])]),
    ("huangshan-huangshanqu", "城区交通拥堵网络协商",
     "城区上下学、节假日高峰拥堵明显。请就错峰、停车、公交线路和交通组织提出建议，交通、城管等部门在线答复。",
     (-3, 12), "",
     [("您平时主要怎么出行？", ["步行", "公交", "电动车", "私家车"]),
      ("您认为最需要改进的是？", ["学校周边", "景区道路", "停车管理", "公交线路"])]),
    ("xuancheng", "大力发展数字经济网络议政",
     "市政协资政会前制作 10 分钟专题片，会议同步开展网络议政，欢迎就电商产业科技园建设等提出建议。",
     (-200, -170), "会后提出加快电商产业科技园建设等 5 条意见建议，市委书记批示要求研究采纳，纳入“十四五”规划重点培育。",
     []),
]

LIVE = [
    ("hefei-shushan-bijiashan", "小区事务大家谈：公共收益怎么赚、怎么管", -1,
     "1. 社区通报公共收益情况\n2. 政协委员、物业、业委会发言\n3. 网友提问与互动\n4. 形成共识"),
    ("hefei-shushan-bijiashan", "小区事务大家谈：小区电梯谁维修、谁给钱", 20,
     "1. 通报电梯维修资金使用情况\n2. 住建部门答疑\n3. 网友提问"),
]


def _resident(username, name, unit):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
    if created:
        user.set_password("demo2026")
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.RESIDENT, unit=unit)
    return user


def load(*, stdout):
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={
        *(c for c, *_ in SUBMISSIONS), *(c for c, *_ in CONSULTATIONS), *(c for c, *_ in LIVE)})}
    now = timezone.now()
    added = 0
    resident = None
    home = units.get("huaibei-xiangshan-sandikou-qingxiangqiao")
    if home is not None:
        resident = _resident("resident", "居民 张兰", home)
    for code, title, body, location in SUBMISSIONS:
        unit = units.get(code)
        if unit is None or Submission.objects.filter(title=title, org_unit=unit).exists():
            continue
        Submission.objects.create(org_unit=unit, title=title, body=body, location=location,
                                  contact_name="张女士", contact_phone="13800000000", submitter=resident)
        added += 1
    # One topic a resident proposed and the secretary took up: the consultations demo's 庆相桥
    # elevator topic (its tracking page shows the topic and its progress).
    from consultations.models import Topic

    elevator = Topic.objects.filter(source_ref="demo:sandikou-elevator").first()
    title = "老旧小区加装电梯，费用怎么分摊？"
    if home is not None and elevator is not None and not Submission.objects.filter(title=title).exists():
        Submission.objects.create(
            org_unit=home, title=title, body="我们楼 6 层没有电梯，老人上下楼困难，希望协商加装电梯和费用分摊。",
            location="庆相桥小区 12 栋", submitter=resident, status=Submission.Status.ACCEPTED, topic=elevator,
            reply="已列入庆相桥社区协商议题，将组织居民、委员和住建部门协商。", screened_at=now)
        added += 1
    for code, title, background, (opens, closes), result, questions in CONSULTATIONS:
        unit = units.get(code)
        if unit is None or OnlineConsultation.objects.filter(title=title, org_unit=unit).exists():
            continue
        c = OnlineConsultation.objects.create(
            org_unit=unit, title=title, background=background, opens_at=now + datetime.timedelta(days=opens),
            closes_at=now + datetime.timedelta(days=closes), status=OnlineConsultation.Status.PUBLISHED,
            published_at=now + datetime.timedelta(days=opens), result=result, view_count=1500 if result else 320)
        for i, (text, choices) in enumerate(questions):
            Question.objects.create(consultation=c, text=text, choices=choices, position=i)
        if resident is not None:
            Comment.objects.create(consultation=c, author=resident, author_label="张**",
                                   body="建议在上下学高峰时段增设临时停车点，并加开接驳公交。", support_count=12)
            if result:
                Rating.objects.get_or_create(consultation=c, user=resident, defaults={"value": Rating.Value.SATISFIED})
        added += 1
    for code, title, days, agenda in LIVE:
        unit = units.get(code)
        if unit is None or LiveSession.objects.filter(title=title, org_unit=unit).exists():
            continue
        starts = now + datetime.timedelta(days=days)
        s = LiveSession.objects.create(
            org_unit=unit, title=title, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
            stream_url="https://live.example.invalid/bijiashan", agenda=agenda, status=LiveSession.Status.PUBLISHED,
            published_at=now, view_count=10200 if days < 0 else 0, participant_count=960 if days < 0 else 0)
        if days < 0:
            LiveQuestion.objects.create(session=s, asker_label="李**", body="公共收益每年能公示几次？",
                                        answer="每季度在小区公告栏和微信群公示一次。", status=LiveQuestion.Status.SHOWN)
        added += 1
    added += _load_code_messages()
    stdout.write(f"hall: {added} added")


# Residents' messages sent by scanning the demo member's code (委员码) and a 三堤口 workroom's code
# (工作室码): one waiting, one answered, one turned into a 社情民意 item by the member, one turned
# into a consultation topic by the secretary. Keyed by title.
CODE_MESSAGES = [
    ("member", "小区门口积水，下雨天出行难", "庆相桥小区南门一下雨就积水，老人孩子出行不便，希望委员帮忙反映。", None, ""),
    ("member", "公交站没有遮雨棚", "人民路公交站没有遮雨棚，夏天晒、雨天淋，建议加装。", "answer",
     "已与区交通运输局沟通，计划年内加装遮雨棚。"),
    ("member", "多个老旧小区缺少充电桩", "附近几个老旧小区电动车充电难，飞线充电安全隐患大。", "opinion",
     "已作为社情民意信息报送区政协，感谢您的反映。"),
    ("workroom", "社区健身器材损坏", "中心花园的健身器材坏了好几件，希望维修并增加适老设施。", "topic",
     "已列入三堤口街道协商议题，将组织居民和相关部门协商。"),
]


def _load_code_messages() -> int:
    from members.models import Member, Workroom, WorkroomStatus

    from .codes import services as codes
    from .models import CodeMessage, ContactCode

    member = Member.objects.filter(user__username="member").select_related("user").first()
    secretary = get_user_model().objects.filter(username="secretary").first()
    workroom = (Workroom.objects.filter(org_unit__code__startswith="huaibei-xiangshan-sandikou",
                                        status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED])
                .order_by("pk").first())
    added = 0
    for target, title, body, action, reply in CODE_MESSAGES:
        addressee = {"member": member} if target == "member" else {"workroom": workroom}
        if None in addressee.values() or CodeMessage.objects.filter(title=title, **addressee).exists():
            continue
        code = ContactCode.objects.filter(is_active=True, **addressee).first() or ContactCode.objects.create(
            **addressee)
        message = codes.message_create(code=code, title=title, body=body, contact_name="李先生",
                                       contact_phone="13800000001")
        if action == "answer":
            codes.message_answer(actor=member.user, message=message, reply=reply)
        elif action == "opinion":
            codes.message_to_opinion(actor=member.user, message=message, title=title, content=body, reply=reply)
        elif action == "topic" and secretary is not None:
            codes.message_to_topic(actor=secretary, message=message, title=title, description=body, reply=reply)
        added += 1
    return added
