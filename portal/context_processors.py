from django.conf import settings

from . import identity, nav


def shell(request):
    """Navigation for the signed-in user's roles (one cached query for the roles)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "portal_languages": settings.LANGUAGES}
    roles = identity.roles_of(user)
    return {
        "nav_items": nav.items_for(roles, is_superuser=user.is_superuser),
        "user_roles": roles,
        "portal_languages": settings.LANGUAGES,
    }
