"""The queue tabs, showing each user only the queues of their roles."""

from django import template
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.permissions import roles_of

register = template.Library()

STAFF = {Role.ADMIN, Role.PROPOSAL_STAFF, Role.OFFICE_CLERK}
TABS = [
    ("mine", _("My proposals"), "proposals:mine", {Role.MEMBER}),
    ("review", _("Review queue"), "proposals:review", STAFF),
    ("enter", _("Enter a paper proposal (代录)"), "proposals:enter", STAFF),
    ("inbox", _("Department inbox"), "proposals:inbox", {Role.DEPARTMENT}),
    ("supervision", _("Supervision"), "proposals:supervision", STAFF | {Role.LEADER}),
    ("list", _("All"), "proposals:list", None),
    ("opinions", _("Public opinion"), "proposals:opinions", None),
    ("evaluations", _("Evaluation"), "proposals:evaluations", None),
]


@register.inclusion_tag("proposals/_tabs.html", takes_context=True)
def proposal_tabs(context, active=""):
    roles = roles_of(context["request"].user)
    tabs = [(key, label, url) for key, label, url, wanted in TABS if wanted is None or roles & wanted]
    return {"tabs": tabs, "active": active}
