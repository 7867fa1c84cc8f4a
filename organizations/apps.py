from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self):
        from portal.accounts.two_factor import register_requirement
        from portal.identity import Identity, register_identity
        from portal.nav import NavItem, register

        from . import audit_keys, traffic, two_factor
        from .permissions import home_identity, roles_of

        register_identity(Identity(roles_of=roles_of, home=home_identity))
        audit_keys.register()
        traffic.register_keys()
        two_factor.register_keys()
        register_requirement(two_factor.required_for)
        # A steady request takes the user's roles from the cross-request cache; these writes
        # decide them (roles, units' paths and activity, per-unit grants, the two-factor setting).
        from portal.accounts import authcache

        from .models import OrgUnit, OrgUnitUserObjectPermission, RoleAssignment, UnitConfig
        from .permissions import _CACHE_ATTR as ROLE_PATHS_ATTR
        from .permissions import _role_paths

        authcache.carry(ROLE_PATHS_ATTR, _role_paths)
        authcache.invalidate_on(RoleAssignment, OrgUnitUserObjectPermission, UnitConfig)
        # a new unit (and insert_unit's save of its path) is nobody's yet; a move rewrites paths with
        # an UPDATE and calls authcache.changed() itself
        authcache.invalidate_on(OrgUnit, ignore_new=True, ignore_updates=("path",))
        from portal.audit import register_action_labels

        register_action_labels({
            "orgunit.create": _("Unit added to the tree"),
            "orgunit.update": _("Unit edited"),
            "orgunit.move": _("Unit moved in the tree"),
            "role.assign": _("Role assigned"),
            "role.revoke": _("Role revoked"),
            "user.create": _("Account created"),
            "config.set": _("Setting changed"),
            "user.two_factor_reset": _("Two-factor login reset by the office"),
        })

        register(NavItem("home", _("Home"), "home", icon="house", order=0))
        register(NavItem("org-tree", _("Organisation tree"), "organizations:tree", icon="diagram-3", order=90))
