import io

from django.core.management import call_command

from members.models import Member, Posting
from organizations.models import Body, OrgUnit, RoleAssignment, UnitKind
from portal.models import AuditEvent, User


def _counts():
    from consultations.models import Topic
    from hall.models import LiveSession, OnlineConsultation, Submission
    from proposals.models import OpinionItem, Proposal

    return {
        "units": OrgUnit.objects.count(), "bodies": Body.objects.count(), "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(), "members": Member.objects.count(),
        "postings": Posting.objects.count(), "audit": AuditEvent.objects.count(),
        "topics": Topic.objects.count(), "proposals": Proposal.objects.count(),
        "opinions": OpinionItem.objects.count(), "submissions": Submission.objects.count(),
        "online": OnlineConsultation.objects.count(), "live": LiveSession.objects.count(),
    }


def test_demo_data_loads_the_report_units_and_is_idempotent(demo):
    """The demo (loaded once per run, tests/demo_db.py) loaded again changes nothing in any app."""
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first
    assert OrgUnit.objects.filter(kind=UnitKind.CITY).count() == 16
    assert OrgUnit.objects.get(code="huaibei-xiangshan-sandikou").liaison_body_name == "三堤口街道政协联络组"
    assert 280 <= Member.objects.count() <= 320
    for username in ["admin", "clerk", "secretary", "member", "dept", "leader", "proposal", "approver"]:
        assert User.objects.get(username=username).check_password("demo2026")
    for unit in OrgUnit.objects.select_related("parent"):
        assert unit.path == f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
