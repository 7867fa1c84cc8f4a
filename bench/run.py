"""Run the benchmark suite and write bench/RESULTS.md.

    DATABASE_URL=postgres://… python bench/run.py [--cases a,b] [--scale 1.0] [--no-write]

Generates the data set first if it is missing (manage.py generate_data). See bench/README.md."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores, {cpu}, {mem}, Python {platform.python_version()}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default="")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-generate", action="store_true",
                        help="measure the data already there (e.g. the demo data), generate nothing")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from organizations.models import OrgUnit

    if connection.vendor != "postgresql":
        sys.exit("Benchmarks need PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    if not args.no_generate and not OrgUnit.objects.filter(code=f"gen{args.seed}-root").exists():
        call_command("generate_data", scale=args.scale, seed=args.seed)
    data = describe_data(args.seed)
    print(f"data: {data}", flush=True)  # measured from the data, not --scale

    from bench import harness

    for module in sorted((ROOT / "bench").glob("cases_*.py")):
        __import__(f"bench.{module.stem}")
    wanted = [c for c in args.cases.split(",") if c] or list(harness.CASES)
    results = []
    for name in wanted:
        print(f"… {name}", flush=True)
        try:
            result = harness.CASES[name](seed=args.seed)
        except Exception as exc:  # noqa: BLE001 - a broken case is reported, the others still run
            connection.close()
            result = harness.Result(name, "failed", "—", 0.0, "—", False, f"{type(exc).__name__}: {exc}"[:300])
        results.append(result)
        print(f"  {result.figure} | floor {result.floor} | ratio {result.ratio:.2f} | target {result.target} | "
              f"{'OK' if result.ok else 'MISSED'} {result.note}", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    lines = [
        "# Benchmark results", "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}, PostgreSQL {pg}",
        f"- command: `{' '.join(['python', 'bench/run.py', *sys.argv[1:]])}`",
        f"- data: {data}",
        f"- commit: {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}",
        "", "| case | figure | floor (same run) | ratio | target | met |", "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r.name} | {r.figure} | {r.floor} | {r.ratio:.2f} | {r.target} | {'yes' if r.ok else '**no**'} {r.note} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_results(ROOT / "bench" / "RESULTS.md", text)


def describe_data(seed: int) -> str:
    """What the database holds, measured (not the --scale asked for): scale 1.0 is 1,000,000
    topics under the generated root."""
    from consultations.models import Topic
    from organizations.models import OrgUnit

    root = OrgUnit.objects.filter(code=f"gen{seed}-root").first()
    if root is None:
        return (f"no generated data; {OrgUnit.objects.count():,} units, {Topic.objects.count():,} topics "
                "(e.g. the demo data of manage.py load_demo)")
    topics = Topic.objects.filter(org_path__startswith=root.path).count()
    units = OrgUnit.objects.filter(path__startswith=root.path).count()
    scale = topics / 1_000_000
    shown = f"{scale:.2f}" if scale >= 0.01 else f"{scale:.3g}"  # a tiny test set is not "scale 0.00"
    return (f"`manage.py generate_data --seed {seed}` at scale {shown} "
            f"({topics:,} topics, {units:,} units under {root.name})")


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_results(path: Path, table: str) -> None:
    """Replace the generated block of RESULTS.md; notes written around it by hand stay."""
    block = f"{START}\n{table}{END}"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        text = old[: old.index(START)] + block + old[old.index(END) + len(END):]
    else:
        text = block + "\n" + old
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
