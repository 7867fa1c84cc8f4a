"""Event dates and back-entry (补录): what happened is counted when it happened, entered late
through the page, the API or a ledger file, all or nothing, with clear errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from consultations import services
from consultations.backentry import BackEntry, BackSuggestion, consultation_back_enter
from consultations.models import Attendance, Channel, Route, Session, Suggestion, Topic, TopicStatus
from portal.errors import DomainError, NotAllowed
from portal.models import AuditEvent
from reports.selectors import compute_direct

from ..factories import make_member

D = datetime.date
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def entry(tree, members=(), **overrides) -> BackEntry:
    """A township's consultation of last spring, ended and reviewed."""
    y = LAST_YEAR
    values = BackEntry(
        org_unit=tree.township_a1, title="小区停车难", raised_on=D(y, 3, 2), approved_on=D(y, 3, 10),
        research_done_on=D(y, 3, 20), research_findings="走访三个小区", held_on=D(y, 4, 8), venue="社区协商议事厅",
        members_attended=list(members), residents_count=12, outcome_summary="启用地下车库", outcome_recorded_on=D(y, 4, 8),
        suggestions=[BackSuggestion(text="协调开发商启用地下停车场", route=Route.COMMUNITY, routed_on=D(y, 4, 10),
                                    accepted_on=D(y, 4, 12), ending="solved", feedback="已补增300个车位",
                                    closed_on=D(y, 6, 30))],
        closed_on=D(y, 7, 1), followup_done_on=D(y, 10, 15), followup_findings="车位运行良好",
    )
    for name, value in overrides.items():
        setattr(values, name, value)
    return values


@pytest.fixture(autouse=True)
def english(client):
    """Messages are checked in English here (their Chinese is checked by the catalog test)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def members(tree):
    return [make_member(tree.county_a, posted_to=tree.township_a1, name=n) for n in ("张三", "李四")]


# ----------------------------------------------------------------------------- event dates

def test_back_entered_consultation_keeps_its_dates_and_is_marked(users, tree, members):
    topic = consultation_back_enter(actor=users.secretary, entry=entry(tree, members))
    assert topic.back_entered and topic.status == TopicStatus.REVIEWED
    assert (topic.raised_on, topic.approved_on, topic.closed_on) == (D(LAST_YEAR, 3, 2), D(LAST_YEAR, 3, 10),
                                                                    D(LAST_YEAR, 7, 1))
    session = topic.sessions.get()
    assert session.scheduled_on == D(LAST_YEAR, 4, 8)
    assert session.participants.filter(attendance=Attendance.ATTENDED).count() == 2
    s = topic.suggestions.get()
    assert (s.routed_on, s.accepted_on, s.closed_on) == (D(LAST_YEAR, 4, 10), D(LAST_YEAR, 4, 12), D(LAST_YEAR, 6, 30))
    assert topic.followups.get().done_on == D(LAST_YEAR, 10, 15)
    # the members' duty file counts the session on the day it was held
    assert set(members[0].duty_records.values_list("occurred_on", flat=True)) == {D(LAST_YEAR, 4, 8)}
    # the audit trail records who entered which date
    hold = AuditEvent.objects.get(action="consultations.session.hold")
    assert hold.actor == users.secretary and hold.after["scheduled_on"] == f"{LAST_YEAR}-04-08"
    assert AuditEvent.objects.filter(action="consultations.topic.back_entered", actor=users.secretary).exists()


def test_metrics_count_back_entered_work_in_the_year_it_happened(users, tree, members):
    consultation_back_enter(actor=users.secretary, entry=entry(tree, members))
    keys = {"consultations.sessions_held", "consultations.topics", "consultations.suggestions_solved",
            "consultations.participants", "consultations.member_attendances", "consultations.followups_done"}
    units = [tree.township_a1, tree.county_a, tree.city]
    last = compute_direct(units, D(LAST_YEAR, 1, 1), D(LAST_YEAR, 12, 31), keys)
    this = compute_direct(units, D(TODAY.year, 1, 1), D(TODAY.year, 12, 31), keys)
    for unit in units:
        assert last["consultations.sessions_held"][unit.pk] == 1
        assert last["consultations.topics"][unit.pk] == 1
        assert last["consultations.suggestions_solved"][unit.pk] == 1
        assert last["consultations.participants"][unit.pk] == 2 + 12  # two members and 12 residents
        assert last["consultations.member_attendances"][unit.pk] == 2
        assert last["consultations.followups_done"][unit.pk] == 1
        assert all(this[key][unit.pk] == 0 for key in keys)


@pytest.mark.parametrize(("override", "field", "words"), [
    ({"raised_on": D(TODAY.year + 2, 1, 1)}, "raised_on", "future"),  # (not "tomorrow": collected before midnight, run after)
    ({"raised_on": D(1949, 9, 30)}, "raised_on", "1949"),
    ({"approved_on": D(LAST_YEAR, 3, 1)}, "approved_on", "before"),  # approved before it was raised
    ({"held_on": D(LAST_YEAR, 3, 15)}, "held_on", "before"),  # a session before its research
    ({"outcome_recorded_on": D(LAST_YEAR, 4, 7)}, "outcome_recorded_on", "before"),
    ({"followup_done_on": D(LAST_YEAR, 6, 1)}, "followup_done_on", "before"),  # 回头看 before closing
])
def test_impossible_dates_are_refused_and_nothing_is_written(users, tree, members, override, field, words):
    with pytest.raises(DomainError) as info:
        consultation_back_enter(actor=users.secretary, entry=entry(tree, members, **override))
    assert info.value.field == field and words in str(info.value.message)
    assert not Topic.objects.exists() and not Session.objects.exists()


def test_feedback_before_the_suggestion_was_routed_names_the_suggestion(users, tree, members):
    bad = entry(tree, members)
    bad.suggestions[0].closed_on = D(LAST_YEAR, 4, 9)
    with pytest.raises(DomainError) as info:
        consultation_back_enter(actor=users.secretary, entry=bad)
    assert info.value.field == "s0_closed_on"
    assert not Suggestion.objects.exists()


def test_research_a_year_before_approval_is_allowed_when_back_entered(users, tree, members):
    topic = consultation_back_enter(actor=users.secretary, entry=entry(
        tree, members, research_done_on=D(LAST_YEAR - 2, 5, 1)))
    assert topic.research.get().done_on == D(LAST_YEAR - 2, 5, 1)


def test_other_townships_secretary_cannot_back_enter(users, tree, members):
    with pytest.raises(NotAllowed):
        consultation_back_enter(actor=users.secretary_b, entry=entry(tree, members))


def test_live_services_default_to_today_and_accept_a_date(users, tree):
    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="t", description="d",
                                  channel=Channel.RESIDENT, raised_on=D(LAST_YEAR, 12, 30))
    assert topic.raised_on == D(LAST_YEAR, 12, 30)
    services.topic_submit(actor=users.secretary, topic=topic)
    topic = services.topic_approve(actor=users.approver, topic=topic)
    today = timezone.localdate()  # now, not at collection: a run may cross midnight (Asia/Shanghai)
    assert topic.approved_on == today
    with pytest.raises(DomainError, match="future"):
        services.research_add(actor=users.secretary, topic=topic, kind="visit", findings="x",
                              done_on=today + datetime.timedelta(days=2))


# ------------------------------------------------------------------------- the page and the API

def _page_data(tree, members, **overrides):
    y = LAST_YEAR
    data = {
        "org_unit": tree.township_a1.pk, "title": "路灯不亮", "channel": "resident", "raised_on": f"{y}/05/02",
        "approved_on": f"{y}年5月6日", "research_done_on": f"{y}-05-10", "research_kind": "visit",
        "research_findings": "夜间走访", "held_on": f"{y}-05-20", "session_form": "council", "venue": "社区议事厅",
        "members_attended": [m.pk for m in members], "residents_count": "8", "consensus": "1",
        "outcome_summary": "增设路灯", "closed_on": f"{y}-07-01",
        "s-TOTAL_FORMS": "3", "s-INITIAL_FORMS": "0", "s-MIN_NUM_FORMS": "0", "s-MAX_NUM_FORMS": "30",
        "s-0-text": "增设路灯10盏", "s-0-route": "community", "s-0-routed_on": f"{y}-05-21", "s-0-ending": "solved",
        "s-0-feedback": "已安装", "s-0-closed_on": f"{y}-06-15",
    }
    data.update(overrides)
    return data


def test_secretary_back_enters_a_consultation_on_one_page(client, users, tree, members):
    client.force_login(users.secretary)
    assert client.get(reverse("consultations:back_entry")).status_code == 200
    r = client.post(reverse("consultations:back_entry"), _page_data(tree, members))
    assert r.status_code == 302, r.content.decode()[:2000]
    topic = Topic.objects.get()
    assert topic.back_entered and topic.status == TopicStatus.CLOSED
    assert topic.raised_on == D(LAST_YEAR, 5, 2) and topic.approved_on == D(LAST_YEAR, 5, 6)
    assert topic.suggestions.get().closed_on == D(LAST_YEAR, 6, 15)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("held_on", "2025-13-45", "2026-11-25"),  # garbage date: the three accepted styles are named
    ("held_on", "yesterday", "2026-11-25"),
    ("held_on", f"{TODAY.year + 1}-01-01", "future"),
    ("s-0-closed_on", f"{LAST_YEAR}-05-01", "before"),  # feedback before the suggestion was routed
])
def test_back_entry_page_shows_errors_and_writes_nothing(client, users, tree, members, field, value, message):
    client.force_login(users.secretary)
    r = client.post(reverse("consultations:back_entry"), _page_data(tree, members, **{field: value}))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Topic.objects.exists()


@pytest.mark.parametrize("who", ["member", "dept", "approver"])
def test_back_entry_page_is_for_secretaries_and_clerks(client, users, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("consultations:back_entry")).status_code == 403  # not theirs (refusal policy)
    assert client.get(reverse("consultations:ledger_import")).status_code == 403


def _api_payload(tree, members, **overrides):
    y = LAST_YEAR
    payload = {
        "org_unit": tree.township_a1.pk, "title": "垃圾分类", "raised_on": f"{y}-08-01", "approved_on": f"{y}/08/03",
        "research_done_on": f"{y}年8月5日", "research_findings": "入户调查", "held_on": f"{y}-08-20",
        "venue": "居民小组", "members_attended": [m.pk for m in members], "residents_count": 30,
        "outcome_summary": "设置分类亭",
        "suggestions": [{"text": "设置分类亭", "route": "community", "routed_on": f"{y}-08-21", "ending": "solved",
                         "feedback": "已设置", "closed_on": f"{y}-09-30"}],
        "closed_on": f"{y}-10-01",
    }
    payload.update(overrides)
    return payload


def test_api_back_entry_all_or_nothing(client, users, tree, members):
    client.force_login(users.secretary)
    url = "/api/v1/consultation-topics/back-entry/"
    bad = client.post(url, _api_payload(tree, members, held_on=f"{LAST_YEAR}-08-02"), content_type="application/json")
    assert bad.status_code == 400 and "before" in bad.content.decode()
    assert not Topic.objects.exists()
    foreign = client.post(url, _api_payload(tree, members, org_unit=tree.township_b1.pk),
                          content_type="application/json")
    assert foreign.status_code == 400 and not Topic.objects.exists()
    garbage = client.post(url, _api_payload(tree, members, raised_on="next tuesday"), content_type="application/json")
    assert garbage.status_code == 400 and "2026-11-25" in garbage.content.decode()
    ok = client.post(url, _api_payload(tree, members), content_type="application/json")
    assert ok.status_code == 201, ok.content.decode()
    assert ok.json()["back_entered"] is True and ok.json()["raised_on"] == f"{LAST_YEAR}-08-01"


# -------------------------------------------------------------------------------- ledger import

HEADER = ("单位,议题,渠道,类别,提出日期,定题日期,调研日期,调研情况,协商日期,协商形式,地点,参加委员,缺席委员,群众人次,"
          "协商成果,成果日期,建议,责任方,承办单位,报送日期,办理结果,反馈,反馈日期,办结日期,回头看日期,回头看情况")


def _row(title="小区停车难", unit="三堤口街道", members="张三、李四", held=None, suggestion="启用地下车库",
         closed=None, y=LAST_YEAR):
    held = held or f"{y}-04-08"
    closed = closed or f"{y}-06-30"
    return (f"{unit},{title},群众出题,民生,{y}-03-02,{y}/03/10,{y}年3月20日,走访,{held},协商议事会,议事厅,{members},,12,"
            f"补划车位,,{suggestion},社区两委,,{y}-04-10,解决,已补增,{closed},{y}-07-01,,")


def _upload(client, text, *, encoding="gb18030", name="台账.csv", step="preview"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("consultations:ledger_import"),
                       {"step": step, "file": SimpleUploadedFile(name, text.encode(encoding))})


def test_ledger_gbk_csv_preview_then_import(client, users, tree, members):
    client.force_login(users.secretary)
    text = "\n".join([HEADER, _row(), _row(suggestion="增设充电桩"), _row(title="路灯不亮", held=f"{LAST_YEAR}-04-09")])
    r = _upload(client, text)
    assert r.status_code == 200 and "2" in r.content.decode()
    assert not Topic.objects.exists()  # the preview writes nothing
    r = client.post(reverse("consultations:ledger_import"), {"step": "import"})
    assert r.status_code == 302
    assert Topic.objects.filter(back_entered=True).count() == 2
    parking = Topic.objects.get(title="小区停车难")
    assert parking.suggestions.count() == 2 and parking.raised_on == D(LAST_YEAR, 3, 2)


def test_ledger_template_downloads_and_imports(client, users, tree, members):
    client.force_login(users.secretary)
    xlsx = client.get(reverse("consultations:ledger_template", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.getvalue().startswith(b"PK")
    csv_file = client.get(reverse("consultations:ledger_template", args=["csv"]))
    assert csv_file.getvalue().decode("utf-8-sig").startswith("单位,议题")
    assert client.get("/consultations/back-entry/template.pdf").status_code == 404


def test_ledger_rows_with_problems_are_named_by_row_and_column(client, users, tree, members):
    client.force_login(users.secretary)
    text = "\n".join([
        HEADER,
        _row(),
        _row(),  # duplicate of row 2
        _row(title="甲", unit="不存在的街道"),
        _row(title="乙", members="张三、王五"),
        _row(title="丙", held="2025-13-45"),
    ])
    r = _upload(client, text)
    body = r.content.decode()
    assert r.status_code == 400
    assert "Duplicate of row 2" in body
    for row, column in ((4, "单位"), (5, "参加委员"), (6, "协商日期")):
        assert f"<td>{row}</td><td>{column}</td>" in body
    assert not Topic.objects.exists()


def test_ledger_import_is_all_or_nothing_when_a_service_refuses_a_row(client, users, tree, members):
    client.force_login(users.secretary)
    # row 3: feedback dated before the suggestion was routed — only the services can tell
    text = "\n".join([HEADER, _row(), _row(title="路灯不亮", closed=f"{LAST_YEAR}-04-01")])
    r = _upload(client, text)
    assert r.status_code == 400
    assert "<td>3</td><td>反馈日期</td>" in r.content.decode()
    assert client.post(reverse("consultations:ledger_import"), {"step": "import"}).status_code == 400
    assert not Topic.objects.exists()


@pytest.mark.parametrize(("content", "name", "message"), [
    ("单位,题目\n三堤口街道,x", "a.csv", "do not match"),
    ("", "a.csv", "empty"),  # Django's own message for an empty upload
    ("not a spreadsheet", "a.xlsx", "damaged"),
    ("x", "a.pdf", "Excel"),
])
def test_ledger_file_errors(client, users, tree, content, name, message):
    client.force_login(users.secretary)
    r = _upload(client, content, name=name, encoding="utf-8")
    assert r.status_code == 400 and message in r.content.decode()


def test_ledger_of_ten_thousand_rows_is_checked_and_more_are_refused(client, users, tree, members):
    client.force_login(users.secretary)
    rows = [_row(title=f"议题{i}", unit="不存在的街道") for i in range(10_000)]
    r = _upload(client, "\n".join([HEADER, *rows]), encoding="utf-8")
    assert r.status_code == 400 and "10000 problems found" in r.content.decode()
    errors = r.context["result"].errors
    assert len(errors) == 10_000 and (errors[-1].row, errors[-1].column) == (10_001, "单位")
    r = _upload(client, "\n".join([HEADER, *rows, _row(title="one more")]), encoding="utf-8")
    assert r.status_code == 400 and "10000" in r.content.decode().replace(",", "")
    assert not Topic.objects.exists()


# ----------------------------------------------------------------------------- summary tables

def test_summary_tables_equal_recomputation_after_back_entry_into_last_year(users, tree, members):
    from reports.periods import year_period
    from reports.selectors import numbers_for
    from reports.services import facts_refresh

    facts_refresh()
    consultation_back_enter(actor=users.secretary, entry=entry(tree, members))
    facts_refresh()
    units = [tree.township_a1, tree.county_a, tree.city, tree.province]
    period = year_period(LAST_YEAR)
    snapshot = numbers_for(units, period)
    direct = compute_direct(units, period.start, period.end)
    assert snapshot.from_snapshot
    assert snapshot.values == direct
    assert snapshot.values["consultations.sessions_held"][tree.city.pk] == 1
