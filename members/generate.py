"""Members' duty records at province scale for `manage.py generate_data` (PostgreSQL COPY).

Scale 1.0: 500,000 duty records (ten per member on average) over two years, across the registered
activity kinds, mostly recorded automatically or verified, some awaiting verification."""

from __future__ import annotations

import datetime

from portal.bulk import Copier, Progress, at, bulk_transaction, spread

from .duty import kinds
from .models import DutyRecord, DutyStatus

CHUNK = 20_000
TITLES = {"session_attended": "参加协商议事会", "research": "参加专题调研", "reception_shift": "委员接待日值班",
          "speech": "会议发言", "golden_idea": "提出金点子", "volunteer": "志愿服务", "deed": "为民办实事",
          "workroom_activity": "委员工作室活动"}
STATUSES = [DutyStatus.AUTO] * 5 + [DutyStatus.VERIFIED] * 4 + [DutyStatus.PENDING, DutyStatus.REJECTED]


def generate(*, ctx, stdout):
    rng = ctx.rng
    total = ctx.count(500_000)
    codes = [c for c, k in kinds().items() if k.group in {"activity", "deed"} and c != "absence_unexcused"]
    county_path = dict(ctx.counties)
    members = [(mid, county_id) for county_id, ids in ctx.member_ids_by_county.items() for mid in ids]
    if not members:
        return
    start = datetime.date(2025, 1, 1)
    progress = Progress(stdout, "duty records", total)
    done = 0
    while done < total:
        n = min(CHUNK, total - done)
        with bulk_transaction(), Copier(DutyRecord) as duty:
            for _ in range(n):
                member_id, county_id = rng.choice(members)
                kind = rng.choice(codes)
                day = spread(rng, start, 690)
                duty.row({"member_id": member_id, "org_unit_id": county_id, "org_path": county_path[county_id],
                          "kind": kind, "occurred_on": day, "title": TITLES.get(kind, "履职活动"),
                          "status": rng.choice(STATUSES), "created_at": at(day, rng)})
        done += n
        progress.add(n)
    progress.finish()
    from .score_table import rebuild

    stdout.write(f"  member scores per year: {rebuild(path=ctx.root.path):,} rows")  # COPY sends no signals
