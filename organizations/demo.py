"""Demo org tree from data/anhui_units.json (the reports' 176 real units), with communities,
handling departments, committees and sectors, and one demo user per role."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from portal.metrics import records_changed

from .models import Body, BodyKind, BodyOfficer, OfficerRole, OrgUnit, Role, RoleAssignment, UnitKind
from .services import insert_unit

LEVEL_TO_KIND = {
    "province": UnitKind.PROVINCE,
    "city": UnitKind.CITY,
    "county": UnitKind.COUNTY,
    "township": UnitKind.TOWNSHIP,
    "community": UnitKind.VILLAGE,
    "village": UnitKind.VILLAGE,
    "compound": UnitKind.COMPOUND,
    "grid": UnitKind.GRID,
    "villager_group": UnitKind.GROUP,
}

DEMO_PASSWORD = "demo2026"

# One user per role; the places are the reports' best-documented ones (淮北市相山区三堤口街道).
DEMO_USERS = [
    # username, display name, role, unit code
    ("admin", "系统管理员", Role.ADMIN, "anhui"),
    ("city_clerk", "淮北市政协办公室 王文", Role.OFFICE_CLERK, "huaibei"),
    ("clerk", "相山区政协办公室 李静", Role.OFFICE_CLERK, "huaibei-xiangshan"),
    ("proposal", "相山区政协提案委 赵明", Role.PROPOSAL_STAFF, "huaibei-xiangshan"),
    ("secretary", "三堤口街道联络组秘书 陈红", Role.SECRETARY, "huaibei-xiangshan-sandikou"),
    ("approver", "三堤口街道党工委 周强", Role.APPROVER, "huaibei-xiangshan-sandikou"),
    ("member", "委员 刘芳", Role.MEMBER, "huaibei-xiangshan"),
    ("dept", "相山区城管局 孙磊", Role.DEPARTMENT, "huaibei-xiangshan-dept-cgj"),
    ("leader", "相山区领导 吴刚", Role.LEADER, "huaibei-xiangshan"),
    ("secretary2", "笔架山街道联络组秘书 郑丽", Role.SECRETARY, "hefei-shushan-bijiashan"),
]

DEPARTMENTS = [
    ("cgj", "城市管理局"), ("zjj", "住房和城乡建设局"), ("jyj", "教育局"), ("jtj", "交通运输局"),
    ("nyj", "农业农村局"), ("mzj", "民政局"), ("sthj", "生态环境分局"), ("wjw", "卫生健康委员会"),
]

STANDARD_COMMITTEES = ["提案委员会", "经济委员会", "社会和法制委员会", "文化文史和学习委员会",
                       "农业和农村委员会", "人口资源环境委员会", "委员联络委员会"]
STANDARD_SECTORS = ["中共界", "民革界", "民盟界", "民建界", "民进界", "农工党界", "九三学社界", "无党派界",
                    "共青团界", "工商联界", "科技界", "教育界", "文化艺术界", "医药卫生界", "经济界",
                    "农业界", "社会福利和社会保障界", "特邀界"]

EXTRA_COMMUNITIES = ["{}社区", "{}村"]


class _Tree:
    """The units already there, read once, and the new ones, inserted together (`insert`): which
    codes exist and which names each parent has are answered from memory, by code (a new unit has
    no id until then) instead of a query per unit."""

    def __init__(self):
        existing = list(OrgUnit.objects.all())
        code_of = {u.pk: u.code for u in existing}
        self.by_code: dict[str, OrgUnit] = {u.code: u for u in existing}
        self.names: set[tuple[str | None, str]] = {(code_of.get(u.parent_id), u.name) for u in existing}
        self.parents: set[str] = {code_of[u.parent_id] for u in existing if u.parent_id}
        self.new: list[OrgUnit] = []

    def has_children(self, unit: OrgUnit) -> bool:
        return unit.code in self.parents

    def has_child_named(self, unit: OrgUnit, name: str) -> bool:
        return (unit.code, name) in self.names

    def unit(self, code, *, parent, kind, name, liaison="", lines="", order=0):
        unit = self.by_code.get(code)
        if unit is not None:
            return unit, False
        unit = OrgUnit(parent=parent, kind=kind, name=name, code=code, liaison_body_name=liaison, source_lines=lines,
                       sort_order=order, depth=(parent.depth + 1) if parent else 0)
        self.by_code[code] = unit
        self.new.append(unit)
        self.names.add((parent.code if parent else None, name))
        if parent is not None:
            self.parents.add(parent.code)
        return unit, True

    def insert(self) -> None:
        """Insert the new units, parents first, as `insert_unit` would one by one: the same ids
        (the next values of the table's sequence, in order) and paths, and the same summary marks of
        the units' paths — but in one INSERT. (insert_unit's row under a temporary path, renamed at
        once, leaves nothing behind but a mark of that path, which no unit has.)"""
        new, self.new = self.new, []
        if not new:
            return
        if connection.vendor != "postgresql":
            for unit in new:  # no sequence to draw from: one by one
                parent = unit.parent
                if parent is not None:
                    unit.parent = parent  # its id, now that it has one
                saved = insert_unit(code=unit.code, parent=parent, kind=unit.kind, name=unit.name,
                                    liaison_body_name=unit.liaison_body_name, source_lines=unit.source_lines,
                                    sort_order=unit.sort_order)
                unit.pk, unit.path = saved.pk, saved.path
                unit._state.adding, unit._state.db = False, saved._state.db
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [OrgUnit._meta.db_table, len(new)])
            ids = sorted(row[0] for row in cursor.fetchall())
        for unit, pk in zip(new, ids, strict=True):  # parents come before their children
            parent = unit.parent
            unit.pk = pk
            unit.path = f"{parent.path if parent is not None else '/'}{pk}/"
            if parent is not None:
                unit.parent = parent  # its id, now that it has one
        OrgUnit.objects.bulk_create(new)
        records_changed(OrgUnit.objects.filter(pk__in=ids))  # bulk_create sends no signals


def load(*, stdout):
    data = json.loads((settings.PORTAL_DATA_DIR / "anhui_units.json").read_text(encoding="utf-8"))
    tree = _Tree()
    by_key: dict[str, OrgUnit] = {}
    created = 0
    for order, row in enumerate(data["units"]):
        parent = by_key.get(row["parent"]) if row["parent"] else None
        unit, new = tree.unit(
            row["key"], parent=parent, kind=LEVEL_TO_KIND[row["level"]], name=row["name"],
            liaison=row.get("liaison_body", ""), lines=",".join(str(n) for n in row.get("lines", []))[:100],
            order=order,
        )
        by_key[row["key"]] = unit
        created += new

    # Every township gets communities so the lower levels are visible everywhere.
    for unit in [u for u in by_key.values() if u.kind == UnitKind.TOWNSHIP]:
        if tree.has_children(unit) and not unit.code.startswith("huaibei-xiangshan-sandikou"):
            continue
        stem = unit.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        for i, pattern in enumerate(EXTRA_COMMUNITIES):
            if tree.has_child_named(unit, pattern.format(stem)):
                continue
            _, new = tree.unit(f"{unit.code}-demo{i + 1}", parent=unit, kind=UnitKind.VILLAGE, name=pattern.format(stem),
                           order=i)
            created += new

    # Handling departments of every county, and the standard bodies of the demo counties.
    for unit in [u for u in by_key.values() if u.kind == UnitKind.COUNTY]:
        for i, (suffix, dept) in enumerate(DEPARTMENTS):
            _, new = tree.unit(f"{unit.code}-dept-{suffix}", parent=unit, kind=UnitKind.DEPARTMENT,
                           name=f"{unit.name}{dept}", order=900 + i)
            created += new

    tree.insert()

    known = {(b.unit_id, b.kind, b.name): b for b in Body.objects.all()}

    def body_get_or_create(*, unit, kind, name, **defaults):
        """Body.objects.get_or_create, answered from the bodies read once."""
        body = known.get((unit.pk, kind, name))
        if body is not None:
            return body, False
        body = known[(unit.pk, kind, name)] = Body.objects.create(unit=unit, kind=kind, name=name, **defaults)
        return body, True

    bodies = 0
    for row in data["bodies"]:
        unit = by_key.get(row["unit"])
        if unit is None:
            continue
        kind = BodyKind.COMMITTEE if row["kind"] == "committee" else BodyKind.SECTOR
        _, new = body_get_or_create(unit=unit, kind=kind, name=row["name"],
                                    source_lines=",".join(map(str, row.get("lines", []))))
        bodies += new
    for code in ["huaibei-xiangshan", "suzhou-lingbi", "hefei-shushan"]:
        unit = by_key.get(code)
        if unit is None:
            continue
        for name in STANDARD_COMMITTEES:
            _, new = body_get_or_create(unit=unit, kind=BodyKind.COMMITTEE, name=name)
            bodies += new
        group, _ = body_get_or_create(unit=unit, kind=BodyKind.SECTOR_GROUP, name="第一界别活动组")
        for name in STANDARD_SECTORS:
            body, new = body_get_or_create(unit=unit, kind=BodyKind.SECTOR, name=name)
            if new and name in STANDARD_SECTORS[:6]:
                body.group = group
                body.save(update_fields=["group"])
            bodies += new
        chair = known[(unit.pk, BodyKind.COMMITTEE, "提案委员会")]
        BodyOfficer.objects.get_or_create(body=chair, role=OfficerRole.CHAIR, defaults={"person_name": "马建国"})
        BodyOfficer.objects.get_or_create(body=group, role=OfficerRole.CHAIR, defaults={"person_name": "何晓光"})
        BodyOfficer.objects.get_or_create(body=group, role=OfficerRole.SECRETARY, defaults={"person_name": "宋佳"})

    User = get_user_model()
    users = 0
    for username, display, role, code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display, is_staff=(role == Role.ADMIN),
                        is_superuser=(role == Role.ADMIN), email=f"{username}@demo.invalid")
            user.set_password(DEMO_PASSWORD)
            user.save()
            users += 1
        RoleAssignment.objects.get_or_create(user=user, role=role, unit=by_key.get(code) or OrgUnit.objects.get(code=code))
    stdout.write(f"org tree: {created} units, {bodies} bodies, {users} users added")
