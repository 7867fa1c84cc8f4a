from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

from . import identity, nav

# The menu's HTML per (language, entries, URL prefix and configuration): the same for every user
# with the same entries, so rendered once per process instead of a `{% url %}` and a translation
# per entry on every page.
_NAV_HTML: dict[tuple, str] = {}


def _clear(**_kwargs):
    _NAV_HTML.clear()


setting_changed.connect(_clear, dispatch_uid="portal.context_processors.nav_html")


def nav_html(items: list[nav.NavItem]) -> str:
    key = (translation.get_language(), tuple(item.key for item in items), nav.version(), get_script_prefix(),
           get_urlconf(), settings.ROOT_URLCONF)
    html = _NAV_HTML.get(key)
    if html is None:
        html = _NAV_HTML[key] = render_to_string("portal/_nav_items.html", {"nav_items": items})
    return html


def shell(request):
    """Navigation for the signed-in user's roles (one cached query for the roles)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_html": "", "portal_languages": settings.LANGUAGES}
    roles = identity.roles_of(user)
    items = nav.items_for(roles, is_superuser=user.is_superuser)
    return {
        "nav_items": items,
        "nav_html": nav_html(items),
        "user_roles": roles,
        "portal_languages": settings.LANGUAGES,
    }
