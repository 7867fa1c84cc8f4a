"""Scoring plans (积分方案): a unit's yearly plan and its points per duty kind, changed mid-year as
new rules from a day on."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from organizations.models import OrgUnit
from portal.audit import audit_log, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError
from portal.metrics import records_changed

from .. import duty  # members/duty.py: the register of duty kinds (not services/duty.py)
from ..models import ScoringPlan, ScoringRule
from ..scoring import MAX_POINTS, MIN_POINTS, resolve_plans  # members/scoring.py: the computation
from ._common import _require_clerk
from .duty import CLERK_ONLY_KINDS


def _check_range(value, low, high, field):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field=field)
    if number < low or number > high:
        raise DomainError(_("Enter a number between %(low)d and %(high)d.") % {"low": low, "high": high},
                          field=field)
    return number


@transaction.atomic
def scoring_plan_save(*, actor, unit: OrgUnit, year: int, annual_minimum: int, points: dict[str, int],
                      valid_from: datetime.date | None = None, require_four_ones: bool = True,
                      commend_top_percent: int = 10, interview_bottom: int = 5, version=None) -> ScoringPlan:
    """Create or change a unit's plan for a year. Points that differ from the rule in force on
    `valid_from` become a new rule from that day (a mid-year change); earlier entries keep their
    points. Scores are computed on read, so every ranking reflects the change at once."""
    _require_clerk(actor, unit)
    year = _check_range(year, 2000, 2100, "year")
    annual_minimum = _check_range(annual_minimum, 0, 1000, "annual_minimum")
    commend_top_percent = _check_range(commend_top_percent, 0, 50, "commend_top_percent")
    interview_bottom = _check_range(interview_bottom, 0, 1000, "interview_bottom")
    start = datetime.date(year, 1, 1)
    valid_from = valid_from or start
    if valid_from.year != year:
        raise DomainError(_("The change must take effect within %(year)d.") % {"year": year}, field="valid_from")
    known = duty.kinds()
    cleaned = {}
    for kind, value in points.items():
        if kind not in known:
            raise DomainError(_("Unknown duty activity kind: %(kind)s") % {"kind": kind}, field="points")
        cleaned[kind] = _check_range(value, MIN_POINTS, MAX_POINTS, f"points_{kind}")
        if cleaned[kind] < 0 and kind not in CLERK_ONLY_KINDS:
            raise DomainError(_("Only penalties can have negative points."), field=f"points_{kind}")
    plan = ScoringPlan.objects.select_for_update().filter(org_unit=unit, year=year).first()
    fields = {"annual_minimum": annual_minimum, "require_four_ones": bool(require_four_ones),
              "commend_top_percent": commend_top_percent, "interview_bottom": interview_bottom}
    if plan is None:
        plan = ScoringPlan.objects.create(org_unit=unit, year=year, **fields)
        before, action = {}, "members.scoring.create"
        valid_from = start
    else:
        check_version(plan, version, required=True)
        before, action = snapshot(plan, list(fields)), "members.scoring.update"
        for name, value in fields.items():
            setattr(plan, name, value)
        bump_version(plan)
    in_force = resolve_plans([unit], year)[unit.pk]
    changes = {}
    same_day = {r.kind: r for r in ScoringRule.objects.filter(plan=plan, valid_from=valid_from)}
    to_create, to_update = [], []
    for kind, value in cleaned.items():
        current = in_force.points_for(kind, valid_from) if in_force.plan and in_force.plan.pk == plan.pk else None
        if current == value and (kind in same_day or valid_from != start or in_force.rules.get(kind)):
            continue
        if kind in same_day:
            same_day[kind].points = value
            to_update.append(same_day[kind])
        else:
            to_create.append(ScoringRule(plan=plan, kind=kind, valid_from=valid_from, points=value))
        changes[kind] = value
    ScoringRule.objects.bulk_create(to_create)
    ScoringRule.objects.bulk_update(to_update, ["points"])
    records_changed(ScoringRule.objects.filter(plan=plan))  # bulk writes send no signals
    after = snapshot(plan, list(fields))
    if changes:
        after["points"] = changes
        after["valid_from"] = valid_from.isoformat()
    audit_log(actor=actor, action=action, target=plan, before=before, after=after)
    return plan

