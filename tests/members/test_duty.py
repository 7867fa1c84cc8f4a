"""Manual duty entries: who may add them, evidence checks, verification, withdrawal, audit."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members import services
from members.models import DutyRecord, DutyStatus
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.models import AuditEvent

from ..factories import make_member
from .conftest import png

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


def submit(actor, member, **kw):
    data = {"kind": "volunteer", "occurred_on": TODAY, "title": "义诊", "evidence": png(), "today": TODAY}
    data.update(kw)
    return services.duty_record_submit(actor=actor, member=member, **data)


def test_member_adds_own_entry_pending_and_audited(users, me):
    record = submit(users.member, me)
    assert record.status == DutyStatus.PENDING and record.evidence.name.endswith(".png")
    assert record.org_path == me.org_path
    assert AuditEvent.objects.filter(action="members.duty.submit", target_id=str(record.pk)).exists()


def test_clerk_entry_is_verified(users, me):
    record = submit(users.clerk, me, evidence=None, kind="absence_unexcused", title="无故缺席全会")
    assert record.status == DutyStatus.VERIFIED and record.reviewed_by == users.clerk


@pytest.mark.parametrize("actor", ["leader", "secretary", "clerk_b", "proposal", "nobody"])
def test_others_cannot_add_entries(users, me, actor):
    with pytest.raises(NotAllowed):
        submit(getattr(users, actor), me)


def test_member_cannot_add_for_another_member(users, me, tree):
    other = make_member(tree.county_a)
    with pytest.raises(NotAllowed):
        submit(users.member, other)


@pytest.mark.parametrize("kw,field", [
    ({"kind": "proposal_adopted"}, "kind"),  # recorded automatically by the proposals app
    ({"kind": "session_attended"}, "kind"),
    ({"kind": "absence_unexcused"}, "kind"),  # only the office records penalties
    ({"occurred_on": TODAY + datetime.timedelta(days=1)}, "occurred_on"),
    ({"occurred_on": datetime.date(2024, 12, 31)}, "occurred_on"),
    ({"title": "   "}, "title"),
    ({"evidence": None}, "evidence"),
    ({"evidence": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, "evidence"),
    ({"evidence": SimpleUploadedFile("fake.png", b"<html>not a png</html>")}, "evidence"),
    ({"evidence": SimpleUploadedFile("empty.pdf", b"")}, "evidence"),
    ({"evidence": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))}, "evidence"),
])
def test_bad_entries_are_refused_and_nothing_written(users, me, kw, field):
    with pytest.raises(DomainError) as exc:
        submit(users.member, me, **kw)
    assert exc.value.field == field
    assert not DutyRecord.objects.exists()


def test_verification_flow(users, me):
    record = submit(users.member, me)
    with pytest.raises(NotAllowed):
        services.duty_record_review(actor=users.clerk_b, record=record, approve=True)
    with pytest.raises(NotAllowed):
        services.duty_record_review(actor=users.leader, record=record, approve=True)
    with pytest.raises(DomainError):
        services.duty_record_review(actor=users.clerk, record=record, approve=False, note=" ")
    services.duty_record_review(actor=users.clerk, record=record, approve=True)
    record.refresh_from_db()
    assert record.status == DutyStatus.VERIFIED and record.reviewed_by == users.clerk
    with pytest.raises(GuardFailed):  # already decided
        services.duty_record_review(actor=users.clerk, record=record, approve=False, note="重复")
    assert AuditEvent.objects.filter(action="members.duty.verify").count() == 1


def test_city_clerk_can_verify_and_reject(users, me):
    record = submit(users.member, me)
    services.duty_record_review(actor=users.city_clerk, record=record, approve=False, note="照片与活动不符")
    record.refresh_from_db()
    assert record.status == DutyStatus.REJECTED and record.review_note == "照片与活动不符"


def test_clerk_cannot_verify_own_entry(users, tree):
    own = make_member(tree.county_a, user=users.clerk)
    record = submit(users.clerk, own)
    assert record.status == DutyStatus.PENDING  # a clerk's own entry still needs someone else
    with pytest.raises(GuardFailed):
        services.duty_record_review(actor=users.clerk, record=record, approve=True)


def test_member_withdraws_pending_entry(users, me):
    record = submit(users.member, me)
    with pytest.raises(NotAllowed):
        services.duty_record_cancel(actor=users.clerk, record=record)
    services.duty_record_cancel(actor=users.member, record=record)
    record.refresh_from_db()
    assert record.status == DutyStatus.WITHDRAWN
    with pytest.raises(GuardFailed):
        services.duty_record_cancel(actor=users.member, record=record)


def test_automatic_entries_keep_their_contract(users, me, tree):
    """Other apps call duty_record_add with their record as the source: idempotent, withdrawable."""
    source = tree.township_a1  # any model instance works as a source
    first = services.duty_record_add(member=me, kind="session_attended", source=source, occurred_on=TODAY,
                                     title="议事会", actor=users.secretary)
    again = services.duty_record_add(member=me, kind="session_attended", source=source, occurred_on=TODAY,
                                     title="议事会", actor=users.secretary)
    assert first.pk == again.pk and first.status == DutyStatus.AUTO
    assert services.duty_record_withdraw(member=me, kind="session_attended", source=source) == 1
    restored = services.duty_record_add(member=me, kind="session_attended", source=source, occurred_on=TODAY,
                                        title="议事会")
    assert restored.pk == first.pk and restored.status == DutyStatus.AUTO


def test_phone_form_upload_and_bad_file(client, users, me):
    client.force_login(users.member)
    response = client.post("/members/me/new/", {"kind": "volunteer", "occurred_on": "2026年1月5日", "title": "义诊",
                                                "evidence": SimpleUploadedFile("a.png", b"GIF89a....")})
    assert response.status_code == 200
    assert "does not match" in response.content.decode() or "不符" in response.content.decode()
    assert not DutyRecord.objects.exists()
    response = client.post("/members/me/new/", {"kind": "volunteer", "occurred_on": "2026-01-05", "title": "义诊",
                                                "evidence": png()})
    assert response.status_code == 302
    assert DutyRecord.objects.get().status == DutyStatus.PENDING
