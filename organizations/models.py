"""The organisation tree, the bodies inside a 政协, role assignments and per-unit configuration."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.concurrency import VersionedModel


class UnitKind(models.TextChoices):
    """Levels of the tree, top to bottom. `department` is a handling unit (承办单位) of a city or
    county government; it hangs under that city or county so its office can see it."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")
    COMPOUND = "compound", _("Residential compound")
    GRID = "grid", _("Grid")
    GROUP = "group", _("Villager group")
    DEPARTMENT = "department", _("Handling department")


# Lower rank = higher in the tree; a child must rank strictly below its parent.
KIND_RANK = {
    UnitKind.PROVINCE: 0,
    UnitKind.CITY: 1,
    UnitKind.COUNTY: 2,
    UnitKind.DEPARTMENT: 3,
    UnitKind.TOWNSHIP: 3,
    UnitKind.VILLAGE: 4,
    UnitKind.COMPOUND: 5,
    UnitKind.GRID: 6,
    UnitKind.GROUP: 6,
}


class OrgUnit(VersionedModel):
    """One node of the tree, at any level.

    `path` is the materialized path of primary keys, e.g. ``/1/2/17/``; "everything under this
    county" is ``path LIKE '/1/2/%'`` on an index built with varchar_pattern_ops. Paths change
    only through ``organizations.services.orgunit_move``, which also rewrites the denormalized
    ``org_path`` of every record under the moved subtree."""

    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("official name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    liaison_body_name = models.CharField(
        _("liaison body"), max_length=100, blank=True,
        help_text=_("Local name of the CPPCC body here, e.g. 政协联络组, 联络委, 工委, 委员联络室, 召集人."),
    )
    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("Stable key used by imports."))
    path = models.CharField(_("unit path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("tree depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    source_lines = models.CharField(_("source lines"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_under_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def display_body(self) -> str:
        if not self.liaison_body_name:
            return self.name
        if self.liaison_body_name.startswith(self.name):
            return self.liaison_body_name
        return f"{self.name}{self.liaison_body_name}"

    def is_descendant_of(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk


class OrgScopedModel(models.Model):
    """Abstract base for every record owned by a unit. The unit's path is copied onto the
    record so scoping and roll-ups are one indexed prefix predicate; `orgunit_move` keeps it
    current for every concrete subclass."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(_("unit path"), max_length=255, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Keeping the copy in step is bookkeeping, not a business rule.
        if self.org_unit_id:
            cached = self._state.fields_cache.get("org_unit")
            path = cached.path if cached is not None and cached.pk == self.org_unit_id else None
            if path is None and not self.org_path.endswith(f"/{self.org_unit_id}/"):
                path = OrgUnit.objects.values_list("path", flat=True).get(pk=self.org_unit_id)
            if path and path != self.org_path:
                self.org_path = path
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "org_path"}
        super().save(*args, **kwargs)

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        # get_status_display() & co.: each field's labels translated once per language (portal/choices.py)
        from portal.choices import choice_label

        return choice_label(field, getattr(self, field.attname))


class BodyKind(models.TextChoices):
    COMMITTEE = "committee", _("Special committee (专门委员会)")
    SECTOR = "sector", _("Sector (界别)")
    SECTOR_GROUP = "sector_group", _("Sector activity group (界别活动组)")
    OFFICE = "office", _("Office")


class Body(models.Model):
    """A body inside a 政协 (city or county unit): 专门委员会, 界别, 界别活动组 or an office.
    Sectors may belong to a sector activity group (`group`)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("CPPCC unit"), on_delete=models.PROTECT, related_name="bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    group = models.ForeignKey(
        "self", verbose_name=_("activity group"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="sectors", limit_choices_to={"kind": BodyKind.SECTOR_GROUP},
    )
    is_active = models.BooleanField(_("active"), default=True)
    source_lines = models.CharField(_("source lines"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("CPPCC body")
        verbose_name_plural = _("CPPCC bodies")
        ordering = ["unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "name"], name="body_unique_name_per_unit"),
        ]

    def __str__(self):
        return self.name


class OfficerRole(models.TextChoices):
    CHAIR = "chair", _("Director / convener")
    VICE_CHAIR = "vice_chair", _("Deputy director")
    SECRETARY = "secretary", _("Secretary")


class BodyOfficer(models.Model):
    body = models.ForeignKey(Body, verbose_name=_("CPPCC body"), on_delete=models.CASCADE, related_name="officers")
    person_name = models.CharField(_("name"), max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=OfficerRole.choices)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self):
        return f"{self.body} {self.get_role_display()} {self.person_name}"


class Role(models.TextChoices):
    """What a person does in a unit. Scope is always the subtree of the assignment's unit."""

    ADMIN = "admin", _("System administrator")
    OFFICE_CLERK = "office_clerk", _("CPPCC office clerk")
    PROPOSAL_STAFF = "proposal_staff", _("Proposal committee staff")
    SECRETARY = "secretary", _("Liaison-group secretary")
    APPROVER = "approver", _("Approver (liaison-group head / Party organisation)")
    MEMBER = "member", _("Committee member")
    DEPARTMENT = "department", _("Department handler")
    LEADER = "leader", _("Leader")
    RESIDENT = "resident", _("Resident")


class RoleAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class UnitConfig(models.Model):
    """One configuration value for a unit, optionally for one year. Values are inherited down
    the tree: the nearest ancestor's value applies unless a unit overrides it (see
    ``organizations.config``). Keys and their validation live in that module's registry."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="configs")
    key = models.CharField(_("setting"), max_length=80)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit setting")
        verbose_name_plural = _("unit settings")
        constraints = [
            models.UniqueConstraint(fields=["unit", "key", "year"], name="unitconfig_unique_with_year",
                                    condition=Q(year__isnull=False)),
            models.UniqueConstraint(fields=["unit", "key"], name="unitconfig_unique_without_year",
                                    condition=Q(year__isnull=True)),
        ]

    def __str__(self):
        return f"{self.unit} {self.key} {self.year or ''}".strip()


# django-guardian with direct foreign keys (no generic object-id tables) for explicit grants on
# units beyond a user's role assignments, e.g. a leader who follows one extra township.
class OrgUnitUserObjectPermission(UserObjectPermissionBase):
    # guardian's fields again, only to name them in the admin
    permission = models.ForeignKey(Permission, verbose_name=_("permission"), on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    content_object = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user's permission on a unit")
        verbose_name_plural = _("users' permissions on units")


class OrgUnitGroupObjectPermission(GroupObjectPermissionBase):
    permission = models.ForeignKey(Permission, verbose_name=_("permission"), on_delete=models.CASCADE)
    group = models.ForeignKey(Group, verbose_name=_("user group"), on_delete=models.CASCADE)
    content_object = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group's permission on a unit")
        verbose_name_plural = _("groups' permissions on units")
