"""How this app's audit keys read on a timeline (portal/audit_text.py): only the keys a service
logs about a related record (a posting, an activity, a checklist item …) are registered here."""

from django.utils.translation import gettext_lazy as _

from organizations.models import OrgUnit
from portal.audit_text import field_of, flag, hidden, number, plain, ref, register_audit_model

from .models import (
    ChecklistItem,
    DutyRecord,
    Member,
    Posting,
    ScoringPlan,
    Workroom,
    WorkroomActivity,
)


def register():
    register_audit_model(Member, labels={"user": _("login account")}, hidden={"id_key"}, keys={
        "unit": ref(OrgUnit, _("posted to")),
        "unit_name": hidden(),  # the unit above, by name, kept for the record
        "basis": field_of(Posting, "basis"),
        "started_on": field_of(Posting, "started_on"),
    })
    register_audit_model(DutyRecord, labels={"member": _("member"), "reviewed_at": _("reviewed at")},
                         keys={"source": hidden()})  # "kind:id" of the record that earned the entry
    register_audit_model(ScoringPlan)
    register_audit_model(Workroom, keys={
        "passed": flag(_("check passed")),
        "on": field_of(Workroom, "last_checked_on"),
        "activity": hidden(),  # its title and date are logged beside it
        "title": field_of(WorkroomActivity, "title"),
        "occurred_on": field_of(WorkroomActivity, "occurred_on"),
        "participants": field_of(WorkroomActivity, "participants"),
        "item": plain(_("checklist item")),
        "file": plain(_("file")),
    })
    register_audit_model(ChecklistItem)
    register_audit_model(OrgUnit, keys={"created": number(_("members imported")), "file": plain(_("file"))})
