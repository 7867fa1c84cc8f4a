"""Writes to the org tree, roles and configuration: atomic, permission-checked, audited."""

from __future__ import annotations

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from portal.audit import audit_log, changed, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed

from . import permissions
from .models import KIND_RANK, OrgScopedModel, OrgUnit, Role, RoleAssignment, UnitConfig

UNIT_EDIT_FIELDS = ["name", "short_name", "liaison_body_name", "kind", "sort_order", "is_active"]
MAX_NAME = 100


def _require_tree_admin(actor, unit: OrgUnit | None) -> None:
    """Tree changes: the system administrator, or an office clerk inside their subtree."""
    if unit is None:
        if not permissions.is_admin(actor):
            raise permissions.NotAllowed()
        return
    permissions.require_role(actor, [Role.ADMIN, Role.OFFICE_CLERK], unit)


def _check_kind(kind: str, parent: OrgUnit | None) -> None:
    if kind not in KIND_RANK:
        raise DomainError(_("Unknown unit kind."), field="kind")
    if parent is not None and KIND_RANK[kind] <= KIND_RANK[parent.kind]:
        raise DomainError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": OrgUnit(kind=kind).get_kind_display(), "parent": parent.get_kind_display()},
            field="kind",
        )


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(_("The name may have at most %(n)d characters.") % {"n": MAX_NAME}, field="name")
    return name


def _check_unique_name(name: str, parent: OrgUnit | None, exclude_pk=None) -> None:
    qs = OrgUnit.objects.filter(parent=parent, name=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise DomainError(_("A unit with this name already exists here."), field="name")


def insert_unit(*, parent: OrgUnit | None, kind: str, name: str, code: str, **fields) -> OrgUnit:
    """Low-level insert that computes the path; no permission check and no audit. Used by
    `orgunit_create`, the demo loader and test factories only."""
    unit = OrgUnit(parent=parent, kind=kind, name=name, code=code, path=f"/tmp-{code}/",
                   depth=(parent.depth + 1) if parent else 0, **fields)
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def orgunit_create(*, actor, parent: OrgUnit | None, kind: str, name: str, code: str,
                   short_name: str = "", liaison_body_name: str = "", sort_order: int = 0,
                   source_lines: str = "") -> OrgUnit:
    _require_tree_admin(actor, parent)
    name = _clean_name(name)
    _check_kind(kind, parent)
    _check_unique_name(name, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used by another unit."), field="code")
    try:
        with transaction.atomic():
            unit = insert_unit(parent=parent, kind=kind, name=name, code=code, short_name=short_name,
                               liaison_body_name=liaison_body_name, sort_order=sort_order,
                               source_lines=source_lines)
    except IntegrityError:
        raise DomainError(_("A unit with this name or code already exists."), field="name")
    audit_log(actor=actor, action="orgunit.create", target=unit, after=snapshot(unit, ["parent", *UNIT_EDIT_FIELDS]))
    return unit


@transaction.atomic
def orgunit_update(*, actor, unit: OrgUnit, version=None, **fields) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_tree_admin(actor, unit)
    check_version(unit, version, required=True)
    unknown = set(fields) - set(UNIT_EDIT_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(unit, UNIT_EDIT_FIELDS)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
        _check_unique_name(fields["name"], unit.parent, exclude_pk=unit.pk)
    if "kind" in fields and fields["kind"] != unit.kind:
        _check_kind(fields["kind"], unit.parent)
        for child_kind in unit.children.values_list("kind", flat=True).distinct():
            if KIND_RANK[child_kind] <= KIND_RANK.get(fields["kind"], 99):
                raise DomainError(_("The units below this one do not fit under the new kind."), field="kind")
    for key, value in fields.items():
        setattr(unit, key, value)
    bump_version(unit, list(fields))
    b, a = changed(before, snapshot(unit, UNIT_EDIT_FIELDS))
    if a:
        audit_log(actor=actor, action="orgunit.update", target=unit, before=b, after=a)
    return unit


def _scoped_models():
    return [m for m in apps.get_models() if issubclass(m, OrgScopedModel)]


@transaction.atomic
def orgunit_move(*, actor, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a unit and its whole subtree under `new_parent`.

    Rewrites the paths of the subtree and the denormalized `org_path` of every record owned by
    a unit in it, each with one UPDATE, so the tree and the records never disagree."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.select_for_update().get(pk=new_parent.pk)
    _require_tree_admin(actor, unit)
    _require_tree_admin(actor, new_parent)
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise GuardFailed(_("A unit cannot be moved under itself or one of its own descendants."), field="parent")
    if unit.parent_id == new_parent.pk:
        raise GuardFailed(_("The unit is already under this parent."), field="parent")
    _check_kind(unit.kind, new_parent)
    _check_unique_name(unit.name, new_parent, exclude_pk=unit.pk)

    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.pk}/"
    depth_delta = (new_parent.depth + 1) - unit.depth
    old_len = len(old_prefix)

    def rewrite(column):
        return Concat(Value(new_prefix), Substr(column, old_len + 1, Length(column)))

    from django.db.models import F

    OrgUnit.objects.filter(path__startswith=old_prefix).update(
        path=rewrite("path"), depth=F("depth") + depth_delta
    )
    for model in _scoped_models():
        model._base_manager.filter(org_path__startswith=old_prefix).update(org_path=rewrite("org_path"))
    from portal.models import AuditEvent

    AuditEvent.objects.filter(org_path__startswith=old_prefix).update(org_path=rewrite("org_path"))
    from portal.metrics import tree_changed

    tree_changed([old_prefix, new_prefix])  # the summary tables recompute both places' ancestors
    from portal.accounts import authcache

    authcache.changed()  # the UPDATE sent no signals: the signed-in users' role paths are stale

    before = {"parent": unit.parent_id, "path": old_prefix}
    unit.refresh_from_db()
    unit.parent = new_parent
    bump_version(unit, ["parent"])
    audit_log(actor=actor, action="orgunit.move", target=unit, before=before,
              after={"parent": new_parent.pk, "path": unit.path})
    return unit


# Roles a person may take for themselves (public participation); every other role is granted by
# an administrator of the unit's tree.
SELF_GRANTABLE = frozenset({Role.RESIDENT})


@transaction.atomic
def role_assign(*, actor, user, role: str, unit: OrgUnit) -> RoleAssignment:
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if role == Role.ADMIN:
        if not permissions.is_admin(actor):
            raise permissions.NotAllowed()
    elif role in SELF_GRANTABLE and actor is not None and getattr(actor, "pk", None) == user.pk:
        pass  # a resident signing up takes the resident role at their own community (hall)
    else:
        _require_tree_admin(actor, unit)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
        created = True
    if created:
        audit_log(actor=actor, action="role.assign", target=assignment,
                  after={"user": user.pk, "role": role, "unit": unit.pk})
    permissions.clear_cache(user)
    return assignment


GRANTABLE_BY_CLERK = [r for r in Role.values if r != Role.ADMIN]


@transaction.atomic
def user_create_with_role(*, actor, username: str, display_name: str, password: str, role: str,
                          unit: OrgUnit, phone: str = ""):
    """An office clerk adds a person to a unit of their subtree (e.g. a new liaison secretary)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    _require_tree_admin(actor, unit)
    User = get_user_model()
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise DomainError(_("Enter a user name of at most 150 characters."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This user name is already taken."), field="username")
    user = User(username=username, display_name=(display_name or "").strip()[:60], phone=phone[:20])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password")
    user.set_password(password)
    user.save()
    audit_log(actor=actor, action="user.create", target=user, after={"username": username, "unit": unit.pk})
    role_assign(actor=actor, user=user, role=role, unit=unit)
    return user


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    if assignment.role == Role.ADMIN and not permissions.is_admin(actor):
        raise permissions.NotAllowed()
    _require_tree_admin(actor, assignment.unit)
    if assignment.is_active:
        assignment.is_active = False
        assignment.save(update_fields=["is_active"])
        audit_log(actor=actor, action="role.revoke", target=assignment, before={"is_active": True},
                  after={"is_active": False})
    permissions.clear_cache(assignment.user)


@transaction.atomic
def config_set(*, actor, unit: OrgUnit, key: str, value, year: int | None = None) -> UnitConfig:
    from .config import validate_config

    _require_tree_admin(actor, unit)
    value = validate_config(key, value)
    existing = UnitConfig.objects.select_for_update().filter(unit=unit, key=key, year=year).first()
    before = existing.value if existing else None
    if existing:
        existing.value = value
        existing.save(update_fields=["value", "updated_at"])
        config = existing
    else:
        config = UnitConfig.objects.create(unit=unit, key=key, year=year, value=value)
    audit_log(actor=actor, action="config.set", target=unit, before={key: before}, after={key: value},
              note=f"year={year}" if year else "")
    return config


@transaction.atomic
def two_factor_require(*, actor, unit: OrgUnit, on: bool) -> UnitConfig:
    """Turn the two-factor requirement for the staff of `unit` and its subtree on or off."""
    from .two_factor import REQUIRE_TWO_FACTOR

    return config_set(actor=actor, unit=unit, key=REQUIRE_TWO_FACTOR, value=bool(on))


@transaction.atomic
def two_factor_reset(*, actor, user) -> int:
    """An office removes a person's authenticator and backup codes (a lost or replaced phone):
    their next login asks them to enrol again. Only an office over every unit where the person
    holds a role (or the administrator) may; audited on the person."""
    from django.contrib.auth import get_user_model

    from portal.accounts.two_factor import devices_delete

    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    units = list(OrgUnit.objects.filter(role_assignments__user=user, role_assignments__is_active=True).distinct())
    if not permissions.is_admin(actor):
        if not units or getattr(actor, "pk", None) == user.pk:
            raise permissions.NotAllowed()
        for unit in units:
            _require_tree_admin(actor, unit)
    removed = devices_delete(user)
    audit_log(actor=actor, action="user.two_factor_reset", target=user,
              after={"username": user.get_username(), "devices": removed})
    return removed
