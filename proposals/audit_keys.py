"""How this app's audit keys read on a timeline (portal/audit_text.py). Fields of the audited
model describe themselves; registered here are the keys a service logs about a related record
(an assignment, a reply, a score …) on the proposal, item or round it belongs to."""

from django.utils.translation import gettext_lazy as _

from portal.audit_text import (
    choice,
    date,
    field_of,
    number,
    plain,
    ref,
    register_audit_model,
)

from .models import (
    Adoption,
    Contact,
    EvaluationRound,
    Instruction,
    OpinionItem,
    Proposal,
    ProposalKind,
    ProposalScore,
    Reply,
    Satisfaction,
    SupervisionKind,
    UnitScore,
)


def register():
    register_audit_model(Proposal, hidden={"source_ref"}, keys={
        # "kind" is the proposal's kind on creation and the supervision's kind when supervised.
        "kind": choice(_("kind"), [*ProposalKind.choices, *SupervisionKind.choices]),
        "cosigner": plain(_("co-signer")),
        "stage": plain(_("review stage")),
        "main": plain(_("main handling unit")),
        "co": plain(_("co-handling units")),
        "due_on": date(_("reply due")),
        "unit": plain(_("handling unit")),
        "units": plain(_("handling units")),
        "method": field_of(Contact, "method"),
        "date": date(_("date")),
        "class": field_of(Reply, "reply_class"),
        "document_number": field_of(Reply, "document_number"),
        "attitude": choice(Proposal._meta.get_field("satisfaction_attitude").verbose_name, Satisfaction.choices),
        "result": choice(Proposal._meta.get_field("satisfaction_result").verbose_name, Satisfaction.choices),
        "file": plain(_("file")),
        "satisfaction_attitude": choice(Proposal._meta.get_field("satisfaction_attitude").verbose_name,
                                        Satisfaction.choices),
        "satisfaction_result": choice(Proposal._meta.get_field("satisfaction_result").verbose_name,
                                      Satisfaction.choices),
    })
    register_audit_model(EvaluationRound, keys={
        "unit": plain(_("handling unit")),
        "units": number(_("units evaluated")),
        "proposal": ref(Proposal, _("proposal")),
        **{name: field_of(UnitScore, name) for name in ("attention", "communication", "adoption", "results")},
        **{name: field_of(ProposalScore, name) for name in ("accuracy", "foresight", "workability")},
    })
    register_audit_model(OpinionItem, hidden={"source_ref"}, labels={"from_proposal": _("from proposal")}, keys={
        "bulletin": plain(_("bulletin")),
        "level": field_of(Adoption, "level"),
        "date": date(_("date")),
        "leader": field_of(Instruction, "leader"),
    })



