"""Proposals and 社情民意 at province scale for `manage.py generate_data` (PostgreSQL COPY).

Scale 1.0: 200,000 proposals to the county CPPCC units across every state, numbered per county and
year once registered, with their handling assignments (a lead department, sometimes a co-handler;
open ones carry reply deadlines, many overdue) and the departments' replies; 300,000 public-opinion
items across their states."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from portal.bulk import Copier, Progress, at, bulk_transaction, reserve_block, spread, title

from .models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    OpinionItem,
    OpinionStatus,
    Proposal,
    ProposalCategory,
    ProposalStatus,
    Reply,
)

CHUNK = 10_000
START = datetime.date(2024, 1, 1)
TODAY = datetime.date(2026, 11, 25)
P = ProposalStatus
STATUS_WEIGHTS = [(P.DRAFT, 4), (P.SUBMITTED, 6), (P.NOT_REGISTERED, 6), (P.MERGED, 2), (P.WITHDRAWN, 1),
                  (P.ASSIGNING, 5), (P.REGISTERED, 4), (P.HANDLING, 22), (P.REPLIED, 15), (P.CLOSED, 35)]
NUMBERED = {P.REGISTERED, P.ASSIGNING, P.HANDLING, P.REPLIED, P.CLOSED}
ASSIGNED = {P.ASSIGNING, P.HANDLING, P.REPLIED, P.CLOSED}
REPLIED = {P.REPLIED, P.CLOSED}
OPINION_WEIGHTS = [(OpinionStatus.SUBMITTED, 20), (OpinionStatus.REJECTED, 15), (OpinionStatus.COMPILED, 30),
                   (OpinionStatus.REPORTED, 25), (OpinionStatus.ADOPTED, 10)]
_CATEGORIES = list(ProposalCategory.values)


def _staff_user(ctx):
    user, _ = get_user_model().objects.get_or_create(username=f"gen{ctx.seed}-staff",
                                                     defaults={"display_name": "压测录入员"})
    return user.pk


def generate(*, ctx, stdout):
    rng = ctx.rng
    staff = _staff_user(ctx)
    county_path = dict(ctx.counties)
    departments: dict[int, list[tuple[int, str]]] = {}
    for dept_id, path in ctx.departments:
        departments.setdefault(int(path.strip("/").split("/")[2]), []).append((dept_id, path))
    counties = [c for c, _ in ctx.counties if ctx.member_ids_by_county.get(c)]
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    numbers: dict[tuple[int, int], int] = {}

    total = ctx.count(200_000)
    progress = Progress(stdout, "proposals + handling", total)
    counts = {"proposals": 0, "assignments": 0, "replies": 0, "open reply deadlines": 0}
    first = reserve_block(Proposal, total)
    for offset in range(0, total, CHUNK):
        n = min(CHUNK, total - offset)
        with bulk_transaction():
            plan = []
            for i in range(n):
                county = rng.choice(counties)
                plan.append((first + offset + i, county, rng.choices(statuses, weights)[0], spread(rng, START, 1050)))
            n_assign = sum(1 for p in plan if p[2] in ASSIGNED) * 2
            next_assignment = reserve_block(Assignment, n_assign) if n_assign else 0
            main_of = []
            with Copier(Proposal, explicit_ids=True) as proposals:
                for pk, county, status, day in plan:
                    number = None
                    if status in NUMBERED:
                        number = numbers[(county, day.year)] = numbers.get((county, day.year), 0) + 1
                    proposals.row({
                        "id": pk, "org_unit_id": county, "org_path": county_path[county],
                        "proposer_id": rng.choice(ctx.member_ids_by_county[county]), "submitted_by_id": staff,
                        "title": "关于" + title(rng) + "的提案", "case": "群众反映强烈，亟需解决。",
                        "suggestions": ["明确牵头部门", "加大资金投入", "建立长效机制"],
                        "category": rng.choice(_CATEGORIES), "status": status, "term": "第十五届",
                        "session": f"{day.year}年会议", "year": day.year, "number": number,
                        "review_stage": 4 if status in NUMBERED else 1,
                        "not_registered_reason": "不属于提案范围" if status == P.NOT_REGISTERED else "",
                        "is_key": rng.random() < 0.03,
                        "satisfaction_attitude": "satisfied" if status == P.CLOSED else "",
                        "satisfaction_result": "satisfied" if status == P.CLOSED else "",
                        "submitted_at": at(day, rng) if status != P.DRAFT else None,
                        "registered_at": at(day + datetime.timedelta(days=7), rng) if status in NUMBERED else None,
                        "assigned_at": at(day + datetime.timedelta(days=14), rng) if status in ASSIGNED else None,
                        "closed_at": at(day + datetime.timedelta(days=120), rng) if status == P.CLOSED else None,
                        "submitted_on": day if status != P.DRAFT else None,
                        "registered_on": day + datetime.timedelta(days=7) if status in NUMBERED else None,
                        "assigned_on": day + datetime.timedelta(days=14) if status in ASSIGNED else None,
                        "closed_on": day + datetime.timedelta(days=120) if status == P.CLOSED else None,
                        "created_at": at(day, rng), "version": 1,
                    })
            with Copier(Assignment, explicit_ids=True) as assignments:
                for pk, county, status, day in plan:
                    if status not in ASSIGNED:
                        continue
                    depts = rng.sample(departments[county], 2)
                    for k, (dept_id, dept_path) in enumerate(depts[: 2 if rng.random() < 0.3 else 1]):
                        if status == P.ASSIGNING:
                            a_status, due = AssignmentStatus.PRE, TODAY + datetime.timedelta(days=rng.randint(1, 10))
                        elif status == P.HANDLING:
                            a_status, due = AssignmentStatus.ASSIGNED, TODAY + datetime.timedelta(
                                days=rng.randint(-40, 90))
                            counts["open reply deadlines"] += 1
                        else:
                            a_status, due = AssignmentStatus.REPLIED, day + datetime.timedelta(days=104)
                        assignments.row({
                            "id": next_assignment, "proposal_id": pk, "unit_id": dept_id, "unit_path": dept_path,
                            "role": AssignmentRole.MAIN if k == 0 else AssignmentRole.CO, "status": a_status,
                            "due_on": due, "assigned_at": at(day + datetime.timedelta(days=14), rng),
                            "replied_at": at(due, rng) if a_status == AssignmentStatus.REPLIED else None,
                            "assigned_on": day + datetime.timedelta(days=14),
                            "replied_on": due if a_status == AssignmentStatus.REPLIED else None,
                        })
                        if k == 0 and status in REPLIED:
                            main_of.append((next_assignment, due))
                        next_assignment += 1
                        counts["assignments"] += 1
            with Copier(Reply) as replies:
                for assignment_id, due in main_of:
                    replies.row({"assignment_id": assignment_id, "reply_class": rng.choice("AAB" "BC"),
                                 "text": "经研究，已列入年度计划并组织实施。",
                                 "lines": [{"suggestion": 1, "action": "已落实"}], "created_by_id": staff,
                                 "created_at": at(due, rng), "replied_on": due})
            counts["replies"] += len(main_of)
        counts["proposals"] += n
        progress.add(n)
    progress.finish()
    stdout.write("  " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()))

    total = ctx.count(300_000)
    o_statuses, o_weights = zip(*OPINION_WEIGHTS, strict=True)
    progress = Progress(stdout, "社情民意 items", total)
    done = 0
    while done < total:
        n = min(CHUNK * 2, total - done)
        with bulk_transaction(), Copier(OpinionItem) as items:
            for _ in range(n):
                county = rng.choice(counties)
                day = spread(rng, START, 1050)
                items.row({"org_unit_id": county, "org_path": county_path[county],
                           "title": "关于" + title(rng) + "的建议", "content": "基层群众反映，建议有关部门重视。",
                           "submitter_id": staff, "member_id": rng.choice(ctx.member_ids_by_county[county]),
                           "status": rng.choices(o_statuses, o_weights)[0], "submitted_at": at(day, rng),
                           "submitted_on": day, "version": 1})
        done += n
        progress.add(n)
    progress.finish()
