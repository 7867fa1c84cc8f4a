"""Factories for tests. Units are built through the same insert the services use, so paths
are always right."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from members.models import Member, Posting
from organizations.models import OrgUnit, RoleAssignment, UnitKind
from organizations.services import insert_unit

_codes = itertools.count(1)


def make_unit(name: str, kind: str = UnitKind.TOWNSHIP, parent: OrgUnit | None = None, **fields) -> OrgUnit:
    return insert_unit(parent=parent, kind=kind, name=name, code=f"t{next(_codes)}", **fields)


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
