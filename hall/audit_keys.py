"""How this app's audit keys read on a timeline (portal/audit_text.py)."""

from django.utils.translation import gettext_lazy as _

from portal.audit_text import field_of, register_audit_model

from .models import (
    CodeMessage,
    Comment,
    ContactCode,
    LiveQuestion,
    LiveSession,
    OnlineConsultation,
    Submission,
)


def register():
    register_audit_model(Submission, hidden={"contact_phone", "tracking_code"},
                         labels={"submitter": _("submitter"), "screened_by": _("screened by")})
    register_audit_model(OnlineConsultation)
    register_audit_model(Comment, labels={"consultation": _("online consultation"), "reply_to": _("reply to"),
                                          "author": _("author"), "support_count": _("supports"),
                                          "report_count": _("reports"),
                                          "adopted_by": _("adoption decided by")})
    # An answered live question is logged on its session.
    register_audit_model(LiveSession, keys={"answer": field_of(LiveQuestion, "answer")})
    register_audit_model(CodeMessage, hidden={"contact_phone", "contact_name", "tracking_code"},
                         labels={"submitter": _("submitter"), "answered_by": _("answered by"),
                                 "code": _("member or workroom code")})
    register_audit_model(ContactCode, hidden={"slug"})
