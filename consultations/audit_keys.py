"""How this app's audit keys read on a timeline (portal/audit_text.py). Fields of the audited
model describe themselves; registered here are only the keys a service logs about a related record
(a suggestion, a research, a follow-up …) on the topic or session it belongs to."""

from django.utils.translation import gettext_lazy as _

from organizations.models import OrgUnit
from portal.audit_text import (
    date,
    field_of,
    hidden,
    month,
    number,
    plain,
    ref,
    register_audit_display,
    register_audit_model,
)

from .models import (
    Attachment,
    DocumentTemplate,
    Evaluation,
    FollowUp,
    Instruction,
    Outcome,
    Participant,
    Research,
    Session,
    Suggestion,
    Topic,
)


def register():
    register_audit_model(Topic, hidden={"source_ref"}, keys={
        "planned_month": month(Topic._meta.get_field("planned_month").verbose_name),
        "research": hidden(),  # the research is described by its kind and date logged beside it
        "kind": field_of(Research, "kind"),
        "done_on": field_of(Research, "done_on", _("done on")),
        "members": field_of(Research, "members"),
        "consensus": field_of(Outcome, "consensus"),
        "summary": field_of(Outcome, "summary"),
        "minutes": field_of(Outcome, "minutes"),
        "session": ref(Session, _("consultation session")),
        "suggestion": ref(Suggestion, _("suggestion")),
        "text": field_of(Suggestion, "text"),
        "route": field_of(Suggestion, "route"),
        "handling_unit": field_of(Suggestion, "handling_unit"),
        "handler_name": field_of(Suggestion, "handler_name"),
        "deadline": field_of(Suggestion, "deadline"),
        "held_on": date(_("held on")),
        "recorded_on": field_of(Outcome, "recorded_on"),
        "is_typical": field_of(Outcome, "is_typical"),
        "routed_on": field_of(Suggestion, "routed_on"),
        "accepted_on": field_of(Suggestion, "accepted_on"),
        "adopted": field_of(Suggestion, "adopted"),
        "progress": field_of(Suggestion, "progress"),
        "ending": field_of(Suggestion, "ending"),
        "feedback": field_of(Suggestion, "feedback"),
        "leader": field_of(Instruction, "leader"),
        "given_on": field_of(Instruction, "given_on"),
        "followup": hidden(),  # described by its due date / done date logged beside it
        "due_on": field_of(FollowUp, "due_on"),
        "reopened": field_of(FollowUp, "reopened"),
        "findings": field_of(FollowUp, "findings"),
        "rater_kind": field_of(Evaluation, "rater_kind"),
        "score": field_of(Evaluation, "score"),
        "comment": field_of(Evaluation, "comment"),
        "attachment": hidden(),  # the file's name is logged beside it
        "name": plain(_("file")),
        "stage": field_of(Attachment, "stage"),
        "size": hidden(),
    })
    register_audit_model(Session, labels={"topic": _("topic")}, keys={
        "participant": plain(_("participant")),
        "kind": field_of(Participant, "kind"),
        "attendance": field_of(Participant, "attendance"),
        "attended": number(_("attended")),
    })
    register_audit_model(DocumentTemplate, keys={"unit": ref(OrgUnit, _("unit"))})
    register_audit_display(Suggestion, lambda s: s.text[:40])
