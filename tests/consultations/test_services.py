import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations import selectors, services
from consultations.models import Attendance, FollowUp, Route, SessionForm, TopicStatus
from members.models import DutyRecord
from organizations.models import UnitConfig
from portal.audit import timeline_for
from portal.errors import DomainError, GuardFailed, NotAllowed, StaleEdit

from ..factories import make_member
from .conftest import advance

pytestmark = pytest.mark.django_db


def test_secretary_records_a_topic_and_it_is_audited(topic, users):
    assert topic.status == TopicStatus.DRAFT
    assert topic.org_path.endswith(f"/{topic.org_unit_id}/")
    assert [e.action for e in timeline_for(topic)] == ["consultations.topic.create"]


def test_the_full_loop_reaches_reviewed(topic, users, tree):
    topic = advance(topic, users, tree, to="reviewed")
    assert topic.status == TopicStatus.REVIEWED
    assert topic.is_public and topic.published_at
    actions = {e.action for e in timeline_for(topic)}
    assert {"consultations.topic.approve", "consultations.research.add", "consultations.outcome.record",
            "consultations.topic.close", "consultations.followup.record"} <= actions


def test_attending_member_gets_a_duty_record(topic, users, tree):
    advance(topic, users, tree, to="consulted")
    session = topic.sessions.get()
    assert DutyRecord.objects.filter(kind="session_attended", source_id=str(session.pk)).count() == 1


def test_other_township_secretary_cannot_create_or_submit(topic, users, tree):
    with pytest.raises(NotAllowed):
        services.topic_create(actor=users.secretary_b, org_unit=tree.township_a1, title="x", description="y",
                              channel="resident")
    with pytest.raises(NotAllowed):
        services.topic_submit(actor=users.secretary_b, topic=topic)


def test_member_and_department_cannot_create_topics(users, tree):
    for actor in (users.member, users.dept, users.leader, users.approver):
        with pytest.raises(NotAllowed):
            services.topic_create(actor=actor, org_unit=tree.township_a1, title="x", description="y",
                                  channel="hall")


def test_secretary_cannot_approve(topic, users):
    services.topic_submit(actor=users.secretary, topic=topic)
    with pytest.raises(NotAllowed):
        services.topic_approve(actor=users.secretary, topic=topic)


def test_approve_needs_submitted(topic, users):
    with pytest.raises(GuardFailed):
        services.topic_approve(actor=users.approver, topic=topic)


def test_reject_needs_reason_and_resubmit_works(topic, users):
    services.topic_submit(actor=users.secretary, topic=topic)
    with pytest.raises(DomainError):
        services.topic_reject(actor=users.approver, topic=topic, reason="  ")
    services.topic_reject(actor=users.approver, topic=topic, reason="不属于社区事务")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REJECTED and not topic.is_public
    services.topic_submit(actor=users.secretary, topic=topic)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.SUBMITTED


def test_submit_needs_description(users, tree):
    t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="x", description="",
                              channel="hall", source_ref="hall:1")
    with pytest.raises(GuardFailed):
        services.topic_submit(actor=users.secretary, topic=t)


def test_no_session_without_research(topic, users, tree, today):
    advance(topic, users, tree, to="approved")
    with pytest.raises(GuardFailed, match="不调研不协商"):
        services.session_schedule(actor=users.secretary, topic=topic, scheduled_on=today, form="hall", venue="议事厅")


def test_research_waiver_only_where_configured(topic, users, tree, today):
    advance(topic, users, tree, to="approved")
    with pytest.raises(GuardFailed):
        services.research_waive(actor=users.secretary, topic=topic, reason="紧急")
    UnitConfig.objects.create(unit=tree.county_a, key="consultations.research_waiver_allowed", value=True)
    services.research_waive(actor=users.secretary, topic=topic, reason="紧急事项")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RESEARCHED and topic.research_waived
    assert timeline_for(topic).filter(action="consultations.research.waive", note="紧急事项").exists()


def test_session_cannot_be_dated_before_research(topic, users, tree, today):
    advance(topic, users, tree, to="researched")
    with pytest.raises(DomainError) as exc:
        services.session_schedule(actor=users.secretary, topic=topic, scheduled_on=today - datetime.timedelta(days=10),
                                  form=SessionForm.HALL, venue="议事厅")
    assert exc.value.field == "scheduled_on"


def test_research_cannot_be_in_future(topic, users, tree, today):
    advance(topic, users, tree, to="approved")
    with pytest.raises(DomainError):
        services.research_add(actor=users.secretary, topic=topic, kind="visit",
                              done_on=today + datetime.timedelta(days=1), findings="x")


def test_unknown_member_cannot_be_invited(topic, users, tree):
    advance(topic, users, tree, to="scheduled")
    stranger = make_member(tree.county_b, posted_to=tree.township_b1)
    with pytest.raises(DomainError, match="Unknown members|不属于本单位"):
        services.participant_add(actor=users.secretary, session=topic.sessions.get(), kind="member", member=stranger)


def test_member_invited_twice_is_refused(topic, users, tree):
    advance(topic, users, tree, to="scheduled")
    session = topic.sessions.get()
    member = session.participants.get(kind="member").member
    with pytest.raises(DomainError):
        services.participant_add(actor=users.secretary, session=session, kind="member", member=member)


def test_future_session_cannot_be_held(topic, users, tree, today):
    advance(topic, users, tree, to="researched")
    s = services.session_schedule(actor=users.secretary, topic=topic, scheduled_on=today + datetime.timedelta(days=5),
                                  form="hall", venue="议事厅")
    with pytest.raises(GuardFailed):
        services.session_hold(actor=users.secretary, session=s, version=s.version, attendance={}, residents_count=3)


def test_hold_with_stranger_in_attendance_is_refused(topic, users, tree):
    advance(topic, users, tree, to="scheduled")
    s = topic.sessions.get()
    with pytest.raises(DomainError):
        services.session_hold(actor=users.secretary, session=s, version=s.version,
                              attendance={987654: Attendance.ATTENDED})
    s.refresh_from_db()
    assert s.status == "planned"


def test_stale_session_hold_is_refused(topic, users, tree):
    advance(topic, users, tree, to="scheduled")
    s = topic.sessions.get()
    with pytest.raises(StaleEdit):
        services.session_hold(actor=users.secretary, session=s, version=s.version - 1 if s.version > 1 else 99,
                              attendance={}, residents_count=3)


def test_stakeholder_share_is_recorded_and_warned(topic, users, tree):
    UnitConfig.objects.create(unit=tree.county_a, key="consultations.stakeholder_min_percent", value=99)
    advance(topic, users, tree, to="consulted")
    s = topic.sessions.get()
    assert s.stakeholder_ratio is not None
    event = timeline_for(s).get(action="consultations.session.hold")
    assert "below" in event.note or "低于" in event.note


def test_outcome_needs_a_held_session(topic, users, tree):
    advance(topic, users, tree, to="scheduled")
    with pytest.raises(GuardFailed):
        services.outcome_record(actor=users.secretary, topic=topic, consensus=True, summary="x")


def test_two_secretaries_editing_the_outcome(topic, users, tree):
    advance(topic, users, tree, to="handling")
    outcome = topic.outcome
    v = outcome.version
    services.outcome_update(actor=users.secretary, outcome=outcome, version=v, consensus=True, summary="A")
    with pytest.raises(StaleEdit):
        services.outcome_update(actor=users.clerk, outcome=outcome, version=v, consensus=True, summary="B")
    outcome.refresh_from_db()
    assert outcome.summary == "A"


def test_no_closing_without_feedback(topic, users, tree):
    advance(topic, users, tree, to="handling")
    with pytest.raises(GuardFailed, match="feedback|反馈"):
        services.topic_close(actor=users.secretary, topic=topic)
    s = topic.suggestions.get()
    with pytest.raises(DomainError):
        services.suggestion_close(actor=users.secretary, suggestion=s, ending="solved", feedback=" ")


def test_department_handles_only_what_is_routed_to_it(topic, users, tree, today):
    advance(topic, users, tree, to="handling")
    s = topic.suggestions.get()
    services.suggestion_accept(actor=users.dept, suggestion=s)
    services.suggestion_progress(actor=users.dept, suggestion=s, text="已与开发商对接")
    services.suggestion_close(actor=users.dept, suggestion=s, ending="explained", feedback="地下车库需改造，争取理解")
    other = services.suggestion_add(actor=users.secretary, topic=topic, text="社区自行划线", route=Route.COMMUNITY,
                                    handling_unit=tree.village_a1a)
    with pytest.raises(NotAllowed):
        services.suggestion_accept(actor=users.dept, suggestion=other)
    assert list(selectors.suggestions_for_department(user=users.dept)) == [s]


def test_handling_unit_outside_the_area_is_refused(topic, users, tree):
    advance(topic, users, tree, to="handling")
    with pytest.raises(DomainError):
        services.suggestion_add(actor=users.secretary, topic=topic, text="x", route=Route.COMMUNITY,
                                handling_unit=tree.village_b1a)


def test_closing_schedules_followup_with_configured_interval(topic, users, tree, today):
    UnitConfig.objects.create(unit=tree.township_a1, key="consultations.followup_days", value=30)
    advance(topic, users, tree, to="closed")
    fu = FollowUp.objects.get(topic=topic)
    assert fu.due_on == today + datetime.timedelta(days=30)


def test_followup_can_reopen(topic, users, tree, today):
    advance(topic, users, tree, to="closed")
    services.followup_record(actor=users.secretary, followup=topic.followups.get(), done_on=today,
                             findings="车位又被占用", reopen=True)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.HANDLING and topic.closed_at is None


def test_evaluation_only_after_closing_and_scores_1_to_5(topic, users, tree):
    advance(topic, users, tree, to="handling")
    with pytest.raises(GuardFailed):
        services.evaluation_add(actor=users.approver, topic=topic, rater_kind="residents", score=5)
    advance(topic, users, tree, to="closed")
    with pytest.raises(DomainError):
        services.evaluation_add(actor=users.approver, topic=topic, rater_kind="residents", score=9)
    services.evaluation_add(actor=users.approver, topic=topic, rater_kind="residents", score=5)


def test_instruction_recorded(topic, users, tree, today):
    advance(topic, users, tree, to="handling")
    services.instruction_add(actor=users.leader, topic=topic, leader="区委书记", given_on=today, text="抓紧落实")
    with pytest.raises(NotAllowed):
        services.instruction_add(actor=users.member, topic=topic, leader="x", given_on=today, text="y")


def test_stale_topic_edit_is_refused(topic, users):
    v = topic.version
    services.topic_update(actor=users.secretary, topic=topic, version=v, title="新标题")
    with pytest.raises(StaleEdit):
        services.topic_update(actor=users.clerk, topic=topic, version=v, title="别的标题")


@pytest.mark.parametrize("name,content,ok", [
    ("a.pdf", b"%PDF-1.4 hello", True),
    ("a.png", b"\x89PNG\r\n\x1a\nxxxx", True),
    ("a.txt", "纪要".encode(), True),
    ("a.pdf", b"MZ\x90\x00 not a pdf", False),
    ("a.exe", b"MZ\x90\x00", False),
    ("a.docx", b"", False),
])
def test_upload_type_checks(topic, users, name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        a = services.attachment_add(actor=users.secretary, topic=topic, upload=upload)
        assert a.size == len(content)
    else:
        with pytest.raises(DomainError):
            services.attachment_add(actor=users.secretary, topic=topic, upload=upload)


def test_oversized_upload_is_refused(topic, users, monkeypatch):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(DomainError, match="too large|太大"):
        services.attachment_add(actor=users.secretary, topic=topic, upload=SimpleUploadedFile("a.pdf", b"%PDF" + b"x" * 20))


def test_public_selectors_show_only_published(topic, users, tree):
    assert not selectors.public_topics(tree.county_a.path).exists()
    advance(topic, users, tree, to="approved")
    assert list(selectors.public_topics(tree.county_a.path)) == [topic]
    assert not selectors.public_topics(tree.county_b.path).exists()
    assert selectors.public_topic(topic.pk).title == topic.title
    services.topic_set_public(actor=users.approver, topic=topic, public=False)
    from django.http import Http404
    with pytest.raises(Http404):
        selectors.public_topic(topic.pk)
