"""Factories for tests. Units are built through the same insert the services use, so paths
are always right."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from members.models import Member, Posting
from organizations.models import OrgUnit, RoleAssignment, UnitKind
from organizations.services import insert_unit
from portal.accounts import authcache

_codes = itertools.count(1)


def make_unit(name: str, kind: str = UnitKind.TOWNSHIP, parent: OrgUnit | None = None, **fields) -> OrgUnit:
    return insert_unit(parent=parent, kind=kind, name=name, code=f"t{next(_codes)}", **fields)


def make_units(specs: dict[str, tuple]) -> dict[str, OrgUnit]:
    """Many units at once, the rows `make_unit` (insert_unit) writes one by one, in a query per
    tree level plus one for the paths: `{key: (name, kind, parent_key or None, {fields})}` in
    parent-before-child order. The summary tables are told, as the save signals would."""
    from portal.metrics import records_changed

    codes = {key: f"t{next(_codes)}" for key in specs}
    units: dict[str, OrgUnit] = {}
    pending = dict(specs)
    while pending:
        level = {k: spec for k, spec in pending.items() if spec[2] is None or spec[2] in units}
        assert level, f"parents missing for {sorted(pending)}"
        rows = []
        for key, (name, kind, parent_key, *rest) in level.items():
            parent = units[parent_key] if parent_key else None
            code = codes[key]
            rows.append(OrgUnit(parent=parent, kind=kind, name=name, code=code, path=f"/tmp-{code}/",
                                depth=(parent.depth + 1) if parent else 0, **(rest[0] if rest else {})))
        for key, unit in zip(level, OrgUnit.objects.bulk_create(rows), strict=True):
            units[key] = unit
            pending.pop(key)
    for unit in units.values():
        unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    OrgUnit.objects.bulk_update(units.values(), ["path"])
    authcache.changed()
    records_changed(OrgUnit.objects.filter(pk__in=[u.pk for u in units.values()]))
    return units


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(role: str | None = None, unit: OrgUnit | None = None, **fields):
    user = UserFactory(**fields)
    if role:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def make_users(specs: dict[str, tuple]) -> dict[str, object]:
    """Many users at once, the rows `make_user` writes one by one, in two queries:
    `{key: (role or None, unit or None, {fields})}`."""
    built = {key: UserFactory.build(**(rest[0] if rest else {})) for key, (_role, _unit, *rest) in specs.items()}
    get_user_model().objects.bulk_create(built.values())
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=built[key], role=role, unit=unit) for key, (role, unit, *_rest) in specs.items() if role])
    authcache.changed()  # bulk_create sends no signals: no signed-in user keeps the roles they had
    return built


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"委员{n}")
    id_key = factory.Sequence(lambda n: f"KEY{n:08d}")
    # members of the fixtures have served for years (a member who joined today has a pro rata minimum)
    joined_on = datetime.date(2015, 1, 1)


def make_member(unit: OrgUnit, *, posted_to: OrgUnit | None = None, user=None, **fields) -> Member:
    member = MemberFactory(org_unit=unit, user=user, **fields)
    if posted_to is not None:
        Posting.objects.create(member=member, org_unit=posted_to)
    return member
