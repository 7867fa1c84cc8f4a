"""The bodies' own definitions, each against a fixture counted by hand: member participation rate
(attended ÷ invited member places), members posted per liaison group, proposals closed and the
closing rate, replies on time, key proposals' suggestions, the evaluation ranking, the online
hall's resident suggestions — and every rate carrying its numerator and denominator."""

import datetime

import pytest
from django.utils import timezone

from consultations.models import Attendance, Participant, ParticipantKind, Session, SessionStatus, Topic
from hall.models import Comment, OnlineConsultation
from members.models import Posting
from organizations.models import Role, UnitKind
from proposals.models import (
    Assignment,
    AssignmentStatus,
    EvaluationResult,
    EvaluationRound,
    EvaluationStatus,
    Proposal,
    ProposalStatus,
    Reply,
    Satisfaction,
    Verdict,
)
from reports.periods import year_period
from reports.selectors import compute_direct, dashboard_for
from tests.factories import make_member, make_unit, make_user

from .conftest import YEAR

pytestmark = pytest.mark.django_db

Y = year_period(YEAR)
DAY = datetime.date(YEAR, 6, 10)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _session(unit, members, attended: int, *, day=DAY, status=SessionStatus.HELD):
    topic = Topic.objects.create(org_unit=unit, title="议题", channel="residents")
    session = Session.objects.create(org_unit=unit, topic=topic, scheduled_on=day, status=status, venue="议事厅")
    for i, m in enumerate(members):
        Participant.objects.create(session=session, kind=ParticipantKind.MEMBER, member=m, name=m.name,
                                   attendance=Attendance.ATTENDED if i < attended else (
                                       Attendance.LEAVE if i % 2 else Attendance.ABSENT))
    # residents and experts are not member places
    Participant.objects.create(session=session, kind=ParticipantKind.RESIDENT, name="居民", attendance="attended")
    return session


# ── 委员参与率 ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def places(tree):
    """Four sessions held in 三堤口街道's community with 28 member places each, 21 attended
    (84 of 112 = 75 %); one in 临涣村 with 2 places, 1 attended. Not counted: a planned session's
    invitations and last year's held session."""
    a = [make_member(tree.county_a, name=f"委员A{i}") for i in range(28)]
    b = [make_member(tree.county_b, name=f"委员B{i}") for i in range(2)]
    for _ in range(4):
        _session(tree.village_a1a, a, 21)
    _session(tree.village_b1a, b, 1)
    _session(tree.township_a2, a, 28, status=SessionStatus.PLANNED)
    _session(tree.township_a2, a, 28, day=datetime.date(YEAR - 1, 12, 31))
    return a


def test_member_participation_rate_is_attended_over_invited_member_places(tree, places):
    units = [tree.city, tree.county_a, tree.township_a1, tree.village_a1a, tree.township_a2, tree.county_b]
    v = compute_direct(units, Y.start, Y.end)
    assert [v["consultations.member_places"][u.pk] for u in units] == [114, 112, 112, 112, 0, 2]
    assert [v["consultations.member_attendances"][u.pk] for u in units] == [85, 84, 84, 84, 0, 1]
    rate = v["consultations.member_participation_rate"]
    assert rate[tree.county_a.pk] == 75.0 and rate[tree.township_a1.pk] == 75.0
    assert rate[tree.city.pk] == round(100 * 85 / 114, 1)
    assert rate[tree.county_b.pk] == 50.0
    assert rate[tree.township_a2.pk] == 0.0  # no places: 0, not a division error


def test_a_rate_carries_its_numerator_and_denominator_on_the_dashboard_and_in_the_api(client, tree, users,
                                                                                         places):
    board = dashboard_for(unit=tree.county_a, period=Y, use_snapshot=False)
    cell = next(c for s in board.sections for c in s.cells if c.metric.key == "consultations.member_participation_rate")
    assert (cell.value, cell.numerator, cell.denominator, cell.fraction) == (75.0, 84, 112, "84 / 112")

    client.force_login(users.clerk)
    data = client.get(f"/api/v1/reports/units/{tree.county_a.pk}/?year={YEAR}").json()
    item = next(m for m in data["metrics"] if m["key"] == "consultations.member_participation_rate")
    assert item["value"] == 75.0
    assert item["numerator"] == {"key": "consultations.member_attendances", "label": item["numerator"]["label"],
                                 "value": 84.0}
    assert item["denominator"]["key"] == "consultations.member_places" and item["denominator"]["value"] == 112.0
    township = next(c for c in data["children"] if c["id"] == tree.township_a1.pk)
    assert township["parts"]["consultations.member_participation_rate"] == [84.0, 112.0]
    # a count has no parts
    assert "numerator" not in next(m for m in data["metrics"] if m["key"] == "consultations.member_places")
    listing = client.get("/api/v1/reports/metrics/").json()
    described = next(m for m in listing if m["key"] == "consultations.member_participation_rate")
    assert (described["numerator"], described["denominator"]) == ("consultations.member_attendances",
                                                                  "consultations.member_places")

    page = client.get(f"/reports/unit/{tree.county_a.pk}/?year={YEAR}").content.decode()
    assert 'data-metric="consultations.member_participation_rate" title="84 / 112"' in page


# ── Members posted per liaison group / township ─────────────────────────────────────────────


def test_members_posted_count_each_member_once_per_subtree(tree):
    """A liaison group registers no members of its own (they belong to the county): its members
    are those posted to it. A member posted to the township and to one of its communities is one
    member of the township; an ended posting or an inactive member does not count."""
    m1 = make_member(tree.county_a, posted_to=tree.township_a1)
    Posting.objects.create(member=m1, org_unit=tree.village_a1a)
    make_member(tree.county_a, posted_to=tree.village_a1a)
    make_member(tree.county_a, posted_to=tree.township_a2)
    ended = make_member(tree.county_a, posted_to=tree.township_a1)
    Posting.objects.filter(member=ended).update(is_active=False)
    make_member(tree.county_a, posted_to=tree.township_a1, is_active=False)
    make_member(tree.county_b, posted_to=tree.village_b1a)
    units = [tree.city, tree.county_a, tree.township_a1, tree.village_a1a, tree.township_a2, tree.county_b]
    v = compute_direct(units, Y.start, Y.end, {"members.posted", "members.active"})
    assert [v["members.posted"][u.pk] for u in units] == [4, 3, 2, 2, 1, 1]
    # the liaison group's members by register (members.active) stay 0: that was the bug's number
    assert v["members.active"][tree.township_a1.pk] == 0


# ── Proposals ───────────────────────────────────────────────────────────────────────────────


def _proposal(unit, proposer, user, *, submitted=DAY, registered=None, closed=None, is_key=False, suggestions=2,
              satisfaction=""):
    return Proposal.objects.create(
        org_unit=unit, proposer=proposer, submitted_by=user, title="提案", case="案由",
        suggestions=[f"建议{i + 1}" for i in range(suggestions)], is_key=is_key,
        status=ProposalStatus.CLOSED if closed else (ProposalStatus.HANDLING if registered else ProposalStatus.SUBMITTED),
        submitted_at=_at(submitted), registered_at=_at(registered) if registered else None,
        number=Proposal.objects.count() + 1 if registered else None, term="十五届", session="三次会议",
        closed_at=_at(closed) if closed else None, satisfaction_result=satisfaction,
        # the event dates the services set (proposal_submit / _register / _close); the reports count by these
        submitted_on=submitted, registered_on=registered, closed_on=closed)


@pytest.fixture
def proposals(tree, users):
    """相山区 in 2025: 6 received (5 in 2025, one on 2024-12-30), 4 registered in 2025 of which 3
    closed by 31 December, plus 1 closed in 2025 that was registered in 2024. Key: 2 received in
    2025 with 3 + 4 suggestions. 濉溪县: 1 received, registered and closed."""
    p = make_member(tree.county_a)
    u = users.proposal
    last_year = datetime.date(YEAR - 1, 12, 30)
    out = {
        "k1": _proposal(tree.county_a, p, u, registered=DAY, closed=DAY, is_key=True, suggestions=3,
                        satisfaction=Satisfaction.SATISFIED),
        "k2": _proposal(tree.county_a, p, u, registered=DAY, is_key=True, suggestions=4),
        "c2": _proposal(tree.county_a, p, u, registered=DAY, closed=datetime.date(YEAR, 12, 31),
                        satisfaction=Satisfaction.DISSATISFIED),
        "c3": _proposal(tree.county_a, p, u, registered=DAY, closed=DAY),
        "n1": _proposal(tree.county_a, p, u),
        "old": _proposal(tree.county_a, p, u, submitted=last_year, registered=last_year, closed=DAY,
                         satisfaction=Satisfaction.BASIC),
        "b": _proposal(tree.county_b, make_member(tree.county_b), u, registered=DAY, closed=DAY),
    }
    return out


def test_proposals_received_registered_closed_and_closing_rate(tree, proposals):
    units = [tree.city, tree.county_a, tree.county_b]
    v = compute_direct(units, Y.start, Y.end)
    assert [v["proposals.received"][u.pk] for u in units] == [6, 5, 1]
    assert [v["proposals.registered"][u.pk] for u in units] == [5, 4, 1]
    assert [v["proposals.closed"][u.pk] for u in units] == [5, 4, 1]  # 'old' closed this year counts here
    assert [v["proposals.registered_closed"][u.pk] for u in units] == [4, 3, 1]  # …but not in the cohort
    assert v["proposals.closing_rate"][tree.county_a.pk] == 75.0
    assert v["proposals.closing_rate"][tree.city.pk] == 80.0
    assert v["proposals.registered_rate"][tree.county_a.pk] == 80.0  # 4 of the 5 received got a number
    # satisfied or basically: k1 (satisfied) and old (basic) of the 3 rated closed in 2025
    assert (v["proposals.satisfied"][tree.county_a.pk], v["proposals.rated"][tree.county_a.pk]) == (2, 3)
    assert v["proposals.satisfied_rate"][tree.county_a.pk] == round(100 * 2 / 3, 1)


def test_replies_on_time_and_key_proposals_suggestions_done(tree, users, proposals):
    k1, k2, c2 = proposals["k1"], proposals["k2"], proposals["c2"]

    def assign(proposal, due, replied, role="main"):
        return Assignment.objects.create(proposal=proposal, unit=tree.dept_a, unit_path=tree.dept_a.path, role=role,
                                         status=AssignmentStatus.REPLIED, due_on=due, replied_at=_at(replied),
                                         assigned_at=_at(DAY), assigned_on=DAY, replied_on=replied)

    a1 = assign(k1, DAY + datetime.timedelta(days=90), DAY + datetime.timedelta(days=30))
    assign(k2, DAY + datetime.timedelta(days=90), DAY + datetime.timedelta(days=91))  # one day late
    assign(c2, DAY + datetime.timedelta(days=90), DAY + datetime.timedelta(days=90))  # on the due day
    co = Assignment.objects.create(proposal=k1, unit=tree.dept_a, unit_path=tree.dept_a.path, role="co",
                                   status=AssignmentStatus.ASSIGNED, due_on=DAY)
    # k1 (closed, key, 3 suggestions): the lead unit's class A reply acts on suggestions 1 and 2,
    # the co-handler's also on 2 (counted once); a class B reply on 3 does not make it done.
    Reply.objects.create(assignment=a1, reply_class="A", text="答复", created_by=users.dept,
                         replied_on=a1.replied_on, lines=[{"suggestion": 1, "action": "已落实"}, {"suggestion": 2, "action": "已办"},
                                {"suggestion": 3, "action": " "}])
    Reply.objects.create(assignment=co, reply_class="A", text="协办", created_by=users.dept, replied_on=DAY,
                         lines=[{"suggestion": 2, "action": "配合"}])
    Reply.objects.create(assignment=co, round=2, reply_class="B", text="计划", created_by=users.dept,
                         replied_on=DAY, lines=[{"suggestion": 3, "action": "列入计划"}])
    v = compute_direct([tree.county_a, tree.county_b], Y.start, Y.end)
    a = tree.county_a.pk
    assert (v["proposals.replied_on_time"][a], v["proposals.replied"][a]) == (2, 3)
    assert v["proposals.replied_on_time_rate"][a] == round(100 * 2 / 3, 1)
    assert v["proposals.key"][a] == 2
    assert v["proposals.key_suggestions"][a] == 7
    assert v["proposals.key_suggestions_done"][a] == 2
    assert v["proposals.key_suggestions_done"][tree.county_b.pk] == 0


def test_evaluation_ranking_and_praised_and_rectified_units_on_the_dashboard(client, tree, users):
    depts = [make_unit(f"局{i}", UnitKind.DEPARTMENT, tree.county_a) for i in range(4)]
    closed = EvaluationRound.objects.create(org_unit=tree.county_a, year=YEAR, title="2025年评议",
                                            status=EvaluationStatus.CLOSED, top_n=1, bottom_n=1)
    for rank, (dept, verdict) in enumerate(zip(depts, [Verdict.PRAISED, "", "", Verdict.RECTIFY], strict=True), 1):
        EvaluationResult.objects.create(round=closed, unit=dept, rank=rank, score=100 - rank * 5, verdict=verdict)
    still_open = EvaluationRound.objects.create(org_unit=tree.county_a, year=YEAR, title="未结束")
    EvaluationResult.objects.create(round=still_open, unit=depts[0], rank=1, score=90, verdict=Verdict.PRAISED)
    last_year = EvaluationRound.objects.create(org_unit=tree.county_a, year=YEAR - 1, title="去年",
                                               status=EvaluationStatus.CLOSED)
    EvaluationResult.objects.create(round=last_year, unit=depts[1], rank=1, score=90, verdict=Verdict.PRAISED)

    v = compute_direct([tree.city, tree.county_a, tree.county_b], Y.start, Y.end)
    assert [v["proposals.units_evaluated"][u] for u in (tree.city.pk, tree.county_a.pk, tree.county_b.pk)] == [4, 4, 0]
    assert v["proposals.units_praised"][tree.county_a.pk] == 1
    assert v["proposals.units_rectify"][tree.county_a.pk] == 1

    client.force_login(users.clerk)
    data = client.get(f"/api/v1/reports/units/{tree.county_a.pk}/?year={YEAR}").json()
    ranking = next(t for t in data["tables"] if t["key"] == "proposals.evaluation_ranking")
    assert [r[1:3] for r in ranking["rows"]] == [["1", "局0"], ["2", "局1"], ["3", "局2"], ["4", "局3"]]
    page = client.get(f"/reports/unit/{tree.county_a.pk}/?year={YEAR}").content.decode()
    assert 'data-table="proposals.evaluation_ranking"' in page and "局3" in page
    # county B's dashboard shows no one else's ranking
    client.force_login(users.clerk_b)
    data = client.get(f"/api/v1/reports/units/{tree.county_b.pk}/?year={YEAR}").json()
    assert next(t for t in data["tables"] if t["key"] == "proposals.evaluation_ranking")["rows"] == []


# ── Online hall ────────────────────────────────────────────────────────────────────────────


def test_online_suggestions_count_residents_only_and_the_answered_share(tree, users):
    consultation = OnlineConsultation.objects.create(
        org_unit=tree.village_a1a, title="网上协商", background="背景", opens_at=_at(DAY), status="published",
        closes_at=_at(DAY + datetime.timedelta(days=30)))
    residents = [make_user(None, None) for _ in range(5)]
    member = make_user(Role.MEMBER, tree.county_a)

    def comment(author, kind=Comment.Kind.RESIDENT, reply_to=None, status=Comment.Status.VISIBLE, day=DAY):
        return Comment.objects.create(consultation=consultation, author=author, author_label="x", kind=kind, body="b",
                                      reply_to=reply_to, status=status, created_at=_at(day))

    s = [comment(r) for r in residents]  # 5 residents' suggestions
    comment(residents[0], status=Comment.Status.PENDING)  # waiting for moderation still counts (6)
    comment(residents[1], status=Comment.Status.HIDDEN)  # hidden: not counted
    comment(residents[2], day=datetime.date(YEAR - 1, 12, 31))  # last year: not counted
    comment(users.secretary)  # staff trying the page, stored as a resident's comment: not counted
    comment(member, kind=Comment.Kind.MEMBER)  # a member's post: a 留言, not a resident suggestion
    for target in s[:3]:
        comment(users.dept, kind=Comment.Kind.OFFICIAL, reply_to=target)  # official answers to 3 of them
    comment(users.dept, kind=Comment.Kind.OFFICIAL, reply_to=s[3], status=Comment.Status.HIDDEN)  # hidden answer

    v = compute_direct([tree.county_a, tree.county_b], Y.start, Y.end)
    a = tree.county_a.pk
    assert v["hall.resident_suggestions"][a] == 6
    assert v["hall.resident_suggestions_answered"][a] == 3
    assert v["hall.answered_share"][a] == 50.0
    # 网上留言数: 6 residents' + the staff's + the member's; neither official answers nor hidden ones
    assert v["hall.comments"][a] == 8
    assert v["hall.resident_suggestions"][tree.county_b.pk] == 0
