"""How this app's audit keys read on a timeline (portal/audit_text.py)."""

from django.utils.translation import gettext_lazy as _

from portal.audit_text import field_of, register_audit_model

from .models import Comment, LiveQuestion, LiveSession, OnlineConsultation, Submission


def register():
    register_audit_model(Submission, hidden={"contact_phone", "tracking_code"},
                         labels={"submitter": _("submitter"), "screened_by": _("screened by")})
    register_audit_model(OnlineConsultation)
    register_audit_model(Comment, labels={"consultation": _("online consultation"), "reply_to": _("reply to"),
                                          "author": _("author"), "support_count": _("supports"),
                                          "report_count": _("reports")})
    # An answered live question is logged on its session.
    register_audit_model(LiveSession, keys={"answer": field_of(LiveQuestion, "answer")})
