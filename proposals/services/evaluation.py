"""The annual evaluation (评议) of the handling units and of the proposals: rounds, scores, the
ranking and the rectification reports."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member
from organizations.models import OrgUnit, UnitKind
from portal.audit import audit_log
from portal.errors import DomainError, GuardFailed, NotAllowed

from .. import permissions
from ..models import (
    EvaluationResult,
    EvaluationRound,
    EvaluationStatus,
    Proposal,
    ProposalScore,
    UnitScore,
    Verdict,
)

# ── Evaluation (评议) ─────────────────────────────────────────────────────────────────────


@transaction.atomic
def evaluation_round_create(*, actor, unit: OrgUnit, year: int, title: str, top_n: int = 5, bottom_n: int = 2,
                            member_weight: int = 70) -> EvaluationRound:
    if not permissions.is_staff_for(actor, unit.path):
        raise NotAllowed()
    if not 0 <= member_weight <= 100:
        raise DomainError(_("The weight is a percentage between 0 and 100."), field="member_weight")
    rnd = EvaluationRound.objects.create(org_unit=unit, org_path=unit.path, year=year, title=title.strip()[:200],
                                         top_n=top_n, bottom_n=bottom_n, member_weight=member_weight)
    audit_log(actor=actor, action="proposals.evaluation.create", target=rnd, after={"year": year})
    return rnd


def _scores(values: dict) -> dict:
    clean = {}
    for name, value in values.items():
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError(_("Scores are whole numbers from 0 to 10."), field=name)
        if not 0 <= number <= 10:
            raise DomainError(_("Scores are whole numbers from 0 to 10."), field=name)
        clean[name] = number
    return clean


@transaction.atomic
def unit_score_add(*, actor, round: EvaluationRound, unit: OrgUnit, attention, communication, adoption,
                   results) -> UnitScore:
    """A member scores a handling unit (staff score it as the committee)."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    if rnd.status != EvaluationStatus.OPEN:
        raise GuardFailed(_("The evaluation round is closed."))
    by_committee = permissions.is_staff_for(actor, rnd.org_path)
    member = Member.objects.filter(user=actor, org_path__startswith=rnd.org_path).first()
    if not by_committee and member is None:
        raise NotAllowed()
    if unit.kind != UnitKind.DEPARTMENT or not unit.path.startswith(rnd.org_path):
        raise DomainError(_("Choose a handling department of this unit."), field="unit")
    values = _scores({"attention": attention, "communication": communication, "adoption": adoption,
                      "results": results})
    score, _created = UnitScore.objects.update_or_create(round=rnd, unit=unit, scorer=actor,
                                                         defaults={**values, "by_committee": by_committee})
    audit_log(actor=actor, action="proposals.evaluation.score_unit", target=rnd, after={"unit": unit.name, **values})
    return score


@transaction.atomic
def proposal_score_add(*, actor, round: EvaluationRound, proposal: Proposal, accuracy, foresight,
                       workability) -> ProposalScore:
    """A handling unit scores a proposal it handled."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    if rnd.status != EvaluationStatus.OPEN:
        raise GuardFailed(_("The evaluation round is closed."))
    assignment = next((a for a in proposal.assignments.select_related("unit")
                       if permissions.handles_unit(actor, a.unit_path)), None)
    if assignment is None:
        raise NotAllowed()
    values = _scores({"accuracy": accuracy, "foresight": foresight, "workability": workability})
    score, _created = ProposalScore.objects.update_or_create(round=rnd, proposal=proposal, unit=assignment.unit,
                                                             defaults=values)
    audit_log(actor=actor, action="proposals.evaluation.score_proposal", target=rnd,
              after={"proposal": proposal.pk, **values})
    return score


def evaluation_ranking(rnd: EvaluationRound) -> list[tuple[int, Decimal]]:
    """[(unit id, combined score on 0–100)] best first. Member mean and committee mean of the
    four criteria (0–40, scaled ×2.5) are weighted by `member_weight`; without a committee
    score the member mean counts alone (and vice versa)."""
    member: dict[int, list[int]] = {}
    committee: dict[int, list[int]] = {}
    for s in rnd.unit_scores.all():
        (committee if s.by_committee else member).setdefault(s.unit_id, []).append(s.total)
    result = []
    for unit_id in set(member) | set(committee):
        m = Decimal(sum(member[unit_id])) / len(member[unit_id]) * Decimal("2.5") if unit_id in member else None
        c = (Decimal(sum(committee[unit_id])) / len(committee[unit_id]) * Decimal("2.5")
             if unit_id in committee else None)
        if m is None:
            combined = c
        elif c is None:
            combined = m
        else:
            w = Decimal(rnd.member_weight) / 100
            combined = m * w + c * (1 - w)
        result.append((unit_id, combined.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))
    result.sort(key=lambda row: (-row[1], row[0]))
    return result


@transaction.atomic
def evaluation_close(*, actor, round: EvaluationRound) -> list[EvaluationResult]:
    rnd = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    if not permissions.is_staff_for(actor, rnd.org_path):
        raise NotAllowed()
    if rnd.status != EvaluationStatus.OPEN:
        raise GuardFailed(_("The evaluation round is closed."))
    ranking = evaluation_ranking(rnd)
    if not ranking:
        raise GuardFailed(_("No scores yet."))
    results = []
    n = len(ranking)
    for i, (unit_id, score) in enumerate(ranking, start=1):
        verdict = Verdict.NONE
        if i <= rnd.top_n:
            verdict = Verdict.PRAISED
        elif i > n - rnd.bottom_n:
            verdict = Verdict.RECTIFY
        results.append(EvaluationResult(round=rnd, unit_id=unit_id, rank=i, score=score, verdict=verdict))
    EvaluationResult.objects.bulk_create(results)
    rnd.status = EvaluationStatus.CLOSED
    rnd.save(update_fields=["status"])
    audit_log(actor=actor, action="proposals.evaluation.close", target=rnd, after={"units": n})
    return results


@transaction.atomic
def rectification_report_submit(*, actor, result: EvaluationResult, report: str) -> EvaluationResult:
    result = EvaluationResult.objects.select_for_update(of=("self",)).select_related("unit", "round").get(pk=result.pk)
    if not permissions.handles_unit(actor, result.unit.path):
        raise NotAllowed()
    if result.verdict != Verdict.RECTIFY:
        raise GuardFailed(_("Only units ordered to rectify submit a report."))
    if not (report or "").strip():
        raise DomainError(_("Write the rectification report."), field="report")
    result.rectification_report = report.strip()
    result.save(update_fields=["rectification_report"])
    audit_log(actor=actor, action="proposals.evaluation.rectify", target=result.round, after={"unit": result.unit.name})
    return result
