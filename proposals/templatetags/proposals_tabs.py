"""The queue tabs, showing each user only the queues of their roles."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.permissions import roles_of
from portal.templatetags.portal_fixed import fixed_key

from ..workflows import ASSIGNMENT, PROPOSAL

register = template.Library()


def _holders(row) -> set[str]:
    """The roles of a transition-table row; an administrator holds every role."""
    return {r for r in row.roles if not r.startswith("@")} | {Role.ADMIN}


# A queue is shown to the roles that may act on what it lists (the rows of proposals/workflows.py).
TABS = [
    ("mine", _("My proposals"), "proposals:mine", {Role.MEMBER}),
    ("review", _("Review queue"), "proposals:review", _holders(PROPOSAL["register"])),
    ("enter", _("Enter a paper proposal (代录)"), "proposals:enter", _holders(PROPOSAL["register"])),
    ("inbox", _("Department inbox"), "proposals:inbox", set(ASSIGNMENT["reply"].roles)),
    ("supervision", _("Supervision"), "proposals:supervision", _holders(PROPOSAL["supervise"])),
    ("list", _("All"), "proposals:list", None),
    ("opinions", _("Public opinion"), "proposals:opinions", None),
    ("evaluations", _("Evaluation"), "proposals:evaluations", None),
]


# The tabs' HTML per set of tabs, active tab and what literal translations and URLs depend on
# (portal.templatetags.portal_fixed.fixed_key): the same for every user with the same tabs.
_HTML: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def proposal_tabs(context, active=""):
    """proposals/_tabs.html for the user's roles (what an inclusion tag of it printed)."""
    roles = roles_of(context["request"].user)
    tabs = [(key, label, url) for key, label, url, wanted in TABS if wanted is None or roles & wanted]
    key = (tuple(t[0] for t in tabs), str(active), fixed_key(context))
    html = _HTML.get(key)
    if html is None:
        if len(_HTML) > 256:
            _HTML.clear()
        html = _HTML[key] = get_template("proposals/_tabs.html").template.render(
            context.new({"tabs": tabs, "active": active}))
    return mark_safe(html)
