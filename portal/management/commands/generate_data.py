"""Generate a province-sized data set for benchmarks and load tests (PostgreSQL only).

    python manage.py generate_data --scale 1.0 --seed 7

Scale 1.0 is a province with 16 cities, ~100 counties, ~1,500 townships, ~16,000 villages, 50,000
members; apps add their own records through a `generate.py` module with
`generate(*, ctx, stdout)` (run in INSTALLED_APPS order; `ctx` carries the units and members made
here). Rows are written with bulk inserts in batches, so memory stays bounded whatever the scale;
each step reports rows per second. The data lives under its own province root (code `gen-…`), so
it can sit beside the demo data, and a second run with the same seed is refused unless --force
drops the previous set."""

from __future__ import annotations

import importlib
import random
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from members.models import Member, MemberLevel, Posting
from organizations.models import OrgUnit, UnitKind
from portal.bulk import Progress

BATCH = 5000


@dataclass
class GenerationContext:
    seed: int
    scale: float
    rng: random.Random
    root: OrgUnit | None = None
    counties: list[tuple[int, str]] = field(default_factory=list)  # (id, path)
    townships: list[tuple[int, str]] = field(default_factory=list)
    villages: list[tuple[int, str]] = field(default_factory=list)
    departments: list[tuple[int, str]] = field(default_factory=list)
    member_ids_by_county: dict[int, list[int]] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)

    def count(self, base: int) -> int:
        return max(1, int(base * self.scale))


def reserve_ids(model, n: int) -> list[int]:
    """Take n ids from the table's sequence so paths can be computed before inserting."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
        return [row[0] for row in cursor.fetchall()]


def bulk_units(ctx, parents, kind, per_parent, name_fmt, stdout, label):
    """Create `per_parent()` children of `kind` under each parent, in batches."""
    plan = [(parent, per_parent(i)) for i, parent in enumerate(parents)]
    progress = Progress(stdout, label, sum(n for _, n in plan))
    created: list[tuple[int, str]] = []
    pending: list[OrgUnit] = []
    ids = iter(reserve_ids(OrgUnit, sum(n for _, n in plan)))
    for (parent_id, parent_path), n in plan:
        depth = parent_path.count("/") - 1
        for j in range(n):
            pk = next(ids)
            path = f"{parent_path}{pk}/"
            pending.append(OrgUnit(id=pk, parent_id=parent_id, kind=kind, name=name_fmt.format(j + 1, pk=pk),
                                   code=f"gen{ctx.seed}-{pk}", path=path, depth=depth, sort_order=j))
            created.append((pk, path))
            if len(pending) >= BATCH:
                OrgUnit.objects.bulk_create(pending)
                progress.add(len(pending))
                pending = []
    if pending:
        OrgUnit.objects.bulk_create(pending)
        progress.add(len(pending))
    progress.finish()
    return created


class Command(BaseCommand):
    help = "Generate a large, deterministic data set for benchmarks (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the full province (default)")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--force", action="store_true", help="Drop a previous set with this seed first.")
        parser.add_argument("--only", default="", help="Comma-separated app labels to generate (default: all).")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("generate_data needs PostgreSQL (set DATABASE_URL).")
        scale, seed = opts["scale"], opts["seed"]
        if scale <= 0 or scale > 5:
            raise CommandError("--scale must be in (0, 5].")
        root_code = f"gen{seed}-root"
        if OrgUnit.objects.filter(code=root_code).exists():
            if not opts["force"]:
                raise CommandError(f"A data set with seed {seed} exists; use --force to replace it.")
            self._drop(root_code)
        ctx = GenerationContext(seed=seed, scale=scale, rng=random.Random(seed))
        started = time.monotonic()
        self._org_tree(ctx)
        self._members(ctx)
        only = {s for s in opts["only"].split(",") if s}
        for config in apps.get_app_configs():
            if only and config.label not in only:
                continue
            try:
                module = importlib.import_module(f"{config.name}.generate")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.generate":
                    raise
                continue
            self.stdout.write(f"{config.label}:")
            module.generate(ctx=ctx, stdout=self.stdout)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        from portal.accounts import authcache

        authcache.changed()  # units and their role assignments were replaced without signals
        self.stdout.write(self.style.SUCCESS(f"Generated in {time.monotonic() - started:.0f} s."))

    def _drop(self, root_code):
        """Delete the previous set: every row under the root (by `org_path`, and the units by
        `path`) and, first, every row pointing at one of them, transitively. One transaction;
        PostgreSQL checks Django's (deferred) foreign keys at commit."""
        root = OrgUnit.objects.get(code=root_code)
        self.stdout.write(f"Dropping the previous set under {root.path} …")
        prefix = root.path + "%"
        models = apps.get_models(include_auto_created=True)
        done: set[tuple[str, str]] = set()

        def delete(model, where: str, stack: tuple = ()):
            table = model._meta.db_table
            if (table, where) in done or table in stack:
                return
            done.add((table, where))
            for other in models:
                for f in other._meta.concrete_fields:
                    if f.is_relation and f.many_to_one and f.related_model is model and other is not model:
                        delete(other, f'"{f.column}" IN (SELECT "{model._meta.pk.column}" FROM "{table}" WHERE {where})',
                               (*stack, table))
            cursor.execute(f'DELETE FROM "{table}" WHERE {where}', [prefix] * where.count("%s"))

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in models:
                if model is not OrgUnit and "org_path" in {f.name for f in model._meta.concrete_fields}:
                    delete(model, "org_path LIKE %s")
            delete(OrgUnit, "path LIKE %s")

    @transaction.atomic
    def _org_tree(self, ctx):
        self.stdout.write("org tree:")
        root = OrgUnit(kind=UnitKind.PROVINCE, name=f"压测省{ctx.seed}", code=f"gen{ctx.seed}-root", path="/tmp/", depth=0)
        root.save()
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        ctx.root = root
        rng = ctx.rng
        cities = bulk_units(ctx, [(root.pk, root.path)], UnitKind.CITY, lambda i: 16, "第{}市", self.stdout, "cities")
        ctx.counties = bulk_units(ctx, cities, UnitKind.COUNTY, lambda i: ctx.count(6 + (i % 2)), "第{}县区",
                                  self.stdout, "counties")
        ctx.departments = bulk_units(ctx, ctx.counties, UnitKind.DEPARTMENT, lambda i: 8, "承办单位{}",
                                     self.stdout, "departments")
        ctx.townships = bulk_units(ctx, ctx.counties, UnitKind.TOWNSHIP, lambda i: 15, "第{}乡镇街道",
                                   self.stdout, "townships")
        ctx.villages = bulk_units(ctx, ctx.townships, UnitKind.VILLAGE, lambda i: 10 + rng.randint(0, 1),
                                  "第{}村社区", self.stdout, "villages")

    @transaction.atomic
    def _members(self, ctx):
        self.stdout.write("members:")
        total = ctx.count(50000)
        rng = ctx.rng
        progress = Progress(self.stdout, "members", total)
        townships_by_county: dict[int, list[tuple[int, str]]] = {}
        for tid, tpath in ctx.townships:
            county_id = int(tpath.strip("/").split("/")[-2])
            townships_by_county.setdefault(county_id, []).append((tid, tpath))
        ids = reserve_ids(Member, total)
        members, postings = [], []
        for n, pk in enumerate(ids):
            county_id, county_path = ctx.counties[n % len(ctx.counties)]
            members.append(Member(id=pk, name=f"委员{pk}", id_key=f"gen{ctx.seed}-{pk}", org_unit_id=county_id,
                                  org_path=county_path, level=MemberLevel.COUNTY, term="第十五届",
                                  expertise=rng.choice(["法律", "教育", "医疗卫生", "农业", "城市管理"])))
            ctx.member_ids_by_county.setdefault(county_id, []).append(pk)
            tid, tpath = rng.choice(townships_by_county[county_id])
            postings.append(Posting(member_id=pk, org_unit_id=tid, org_path=tpath))
            if len(members) >= BATCH:
                Member.objects.bulk_create(members)
                Posting.objects.bulk_create(postings)
                progress.add(len(members))
                members, postings = [], []
        if members:
            Member.objects.bulk_create(members)
            Posting.objects.bulk_create(postings)
            progress.add(len(members))
        progress.finish()
