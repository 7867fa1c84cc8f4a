"""Subtree metrics of proposals and 社情民意 (see portal/metrics.py for the contract)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.metrics import Source, metric, rate_metric, subtree_counts, subtree_q, table, units_on_path

from .models import (
    Adoption,
    AdoptionLevel,
    Assignment,
    AssignmentStatus,
    EvaluationResult,
    EvaluationStatus,
    Instruction,
    OpinionItem,
    Proposal,
    ProposalCategory,
    ProposalStatus,
    Reply,
    ReplyClass,
    Satisfaction,
    Verdict,
)

SECTION = _("Proposals")
OPINION_SECTION = _("Public opinion (社情民意)")
# What the metrics count (portal.metrics: the summary tables recompute on their writes).
_PROPOSAL = {"proposals.Proposal": None}
_PROPOSAL_SOURCES = [Source("proposals.Proposal")]
_ASSIGNMENTS = [Source("proposals.Assignment", path="proposal__org_path")]
# evaluation rounds are counted by their year: a change touches every period
_EVALUATION = [Source("proposals.EvaluationRound", dates=()),
               Source("proposals.EvaluationResult", dates=(), path="round__org_path")]
_OPINION_INSTRUCTIONS = [Source("proposals.Instruction", path="item__org_path")]

# The event date each metric counts by (the day it happened, not the day it was typed in; see
# portal/event_dates.py). Summary-table refreshes key on these.
SUBMITTED_DATE_FIELD = "submitted_on"
REGISTERED_DATE_FIELD = "registered_on"
ASSIGNED_DATE_FIELD = "assigned_on"
REPLIED_DATE_FIELD = "replied_on"
CLOSED_DATE_FIELD = "closed_on"
OPINION_DATE_FIELD = "submitted_on"
ADOPTION_DATE_FIELD = "adopted_on"
INSTRUCTION_DATE_FIELD = "given_on"


def _on(field, start, end):
    return {f"{field}__range": (start, end)}


# Which date each count goes by — one expression per event, so switching to event dates is one edit.
def _received(start, end):
    return Proposal.objects.filter(**_on(SUBMITTED_DATE_FIELD, start, end))


def _registered(start, end):
    return Proposal.objects.filter(**_on(REGISTERED_DATE_FIELD, start, end))


def _closed(start, end):
    return Proposal.objects.filter(status=ProposalStatus.CLOSED, **_on(CLOSED_DATE_FIELD, start, end))


def _replied(start, end):
    return Assignment.objects.filter(**_on(REPLIED_DATE_FIELD, start, end))


@metric("proposals.received", _("Proposals received"), section=SECTION, unit=_("items"), order=10, additive=True, sources=_PROPOSAL)
def received(units, start, end):
    return subtree_counts(_received(start, end), units)


@metric("proposals.registered", _("Proposals registered"), section=SECTION, unit=_("items"), order=11, additive=True, sources=_PROPOSAL)
def registered(units, start, end):
    return subtree_counts(_registered(start, end), units)


@metric("proposals.received_registered", _("Received proposals registered"), section=SECTION, unit=_("items"),
        order=12, additive=True, sources=_PROPOSAL)
def received_registered(units, start, end):
    return subtree_counts(_received(start, end).filter(number__isnull=False), units)


rate_metric("proposals.registered_rate", _("Share of received proposals registered"),
            numerator="proposals.received_registered", denominator="proposals.received", section=SECTION, order=12)


@metric("proposals.closed", _("Proposals closed (办结)"), section=SECTION, unit=_("items"), order=14,
        additive=True, sources=_PROPOSAL)
def closed(units, start, end):
    return subtree_counts(_closed(start, end), units)


@metric("proposals.registered_closed", _("Registered proposals closed"), section=SECTION, unit=_("items"), order=15,
        additive=True, sources=_PROPOSAL)
def registered_closed(units, start, end):
    """Of the proposals registered in the period, those closed by its end (the closing rate's
    numerator: a rate of one cohort, so it never passes 100 %)."""
    qs = _registered(start, end).filter(status=ProposalStatus.CLOSED, **{f"{CLOSED_DATE_FIELD}__lte": end})
    return subtree_counts(qs, units)


rate_metric("proposals.closing_rate", _("Closing rate (办结率)"), numerator="proposals.registered_closed",
            denominator="proposals.registered", section=SECTION, order=16)


def _category_metric(code, label):
    def func(units, start, end):
        return subtree_counts(_received(start, end).filter(category=code), units)

    metric(f"proposals.category.{code}", format_lazy(_("Proposals on {category}"), category=label),
           section=SECTION, unit=_("items"), order=13, additive=True, sources=_PROPOSAL)(func)


for _code, _label in ProposalCategory.choices:
    _category_metric(_code, _label)


@metric("proposals.assigned_to_unit", _("Proposals assigned to the handling unit"), section=SECTION,
        unit=_("items"), order=20, additive=True, sources=[Source("proposals.Assignment", path="unit_path")])
def assigned_to_unit(units, start, end):
    """Counted by the handling unit's path: pass departments to compare units."""
    qs = Assignment.objects.filter(**_on(ASSIGNED_DATE_FIELD, start, end)).exclude(status=AssignmentStatus.WITHDRAWN)
    return subtree_counts(qs, units, path_field="unit_path")


@metric("proposals.replied", _("Handling units' replies"), section=SECTION, unit=_("items"), order=21,
        additive=True, sources=_ASSIGNMENTS)
def replied(units, start, end):
    return subtree_counts(_replied(start, end), units, path_field="proposal__org_path")


@metric("proposals.replied_on_time", _("Replies made on time"), section=SECTION, unit=_("items"), order=21,
        additive=True, sources=_ASSIGNMENTS)
def replied_on_time(units, start, end):
    qs = _replied(start, end).filter(**{f"{REPLIED_DATE_FIELD}__lte": F("due_on")})
    return subtree_counts(qs, units, path_field="proposal__org_path")


rate_metric("proposals.replied_on_time_rate", _("Share of replies on time"), numerator="proposals.replied_on_time",
            denominator="proposals.replied", section=SECTION, order=21)


def _class_metric(code):
    def func(units, start, end):
        qs = Reply.objects.filter(**_on(REPLIED_DATE_FIELD, start, end), reply_class=code)
        return subtree_counts(qs, units, path_field="assignment__proposal__org_path")

    metric(f"proposals.replies_{code.lower()}", format_lazy(_("Class {c} replies"), c=code), section=SECTION,
           unit=_("items"), order=22,
           additive=True, sources=[Source("proposals.Reply", path="assignment__proposal__org_path")])(func)


for _c in ReplyClass.values:
    _class_metric(_c)


def _rated(start, end):
    return _closed(start, end).exclude(satisfaction_result="")


@metric("proposals.rated", _("Closed proposals rated by the proposer"), section=SECTION, unit=_("items"), order=25,
        additive=True, sources=_PROPOSAL)
def rated(units, start, end):
    return subtree_counts(_rated(start, end), units)


@metric("proposals.satisfied", _("Proposers satisfied or basically satisfied"), section=SECTION, unit=_("items"),
        order=25, additive=True, sources=_PROPOSAL)
def satisfied(units, start, end):
    ok = Q(satisfaction_result=Satisfaction.SATISFIED) | Q(satisfaction_result=Satisfaction.BASIC)
    return subtree_counts(_rated(start, end).filter(ok), units)


rate_metric("proposals.satisfied_rate", _("Proposers satisfied or basically satisfied with the result"),
            numerator="proposals.satisfied", denominator="proposals.rated", section=SECTION, order=25)


@metric("proposals.key", _("Key proposals"), section=SECTION, unit=_("items"), order=26, additive=True, sources=_PROPOSAL)
def key(units, start, end):
    return subtree_counts(_received(start, end).filter(is_key=True), units)


def _sum_by_subtree(rows, units) -> dict[int, int]:
    """rows of (path, n) → {unit pk: sum over its subtree}."""
    by_path = {u.path: u.pk for u in units}
    totals: dict[int, int] = defaultdict(int)
    for path, n in rows:
        for pk in units_on_path(path, by_path):
            totals[pk] += n
    return {u.pk: totals.get(u.pk, 0) for u in units}


@metric("proposals.key_suggestions", _("Suggestions in key proposals"), section=SECTION, unit=_("items"), order=27,
        additive=True, sources=_PROPOSAL)
def key_suggestions(units, start, end):
    """The numbered suggestions of the key proposals received in the period (one query; key
    proposals are few, the lists are counted in Python because JSON length is not portable SQL)."""
    units = list(units)
    rows = (_received(start, end).filter(is_key=True).filter(subtree_q(units))
            .values_list("org_path", "suggestions"))
    return _sum_by_subtree(((path, len(s or [])) for path, s in rows), units)


@metric("proposals.key_suggestions_done", _("Suggestions of key proposals done"), section=SECTION, unit=_("items"),
        order=28, additive=True, sources=[*_PROPOSAL_SOURCES, Source("proposals.Reply", path="assignment__proposal__org_path")])
def key_suggestions_done(units, start, end):
    """Suggestions of the key proposals closed in the period for which a handling unit's class A
    reply (solved or adopted) records an action, each suggestion once however many units answered
    it. One query."""
    units = list(units)
    rows = (Reply.objects.filter(reply_class=ReplyClass.A, assignment__proposal__in=_closed(start, end).filter(
        is_key=True)).filter(subtree_q(units, "assignment__proposal__org_path"))
        .values_list("assignment__proposal__org_path", "assignment__proposal_id", "lines"))
    done: dict[tuple, set] = defaultdict(set)
    for path, proposal_id, lines in rows:
        for line in lines or []:
            if isinstance(line, dict) and str(line.get("action") or "").strip():
                done[(path, proposal_id)].add(line.get("suggestion"))
    return _sum_by_subtree(((path, len(s)) for (path, _pid), s in done.items()), units)


def _closed_results(start, end):
    """Results of the evaluation rounds closed for a year within the period (评议年度)."""
    return EvaluationResult.objects.filter(round__status=EvaluationStatus.CLOSED,
                                           round__year__range=(start.year, end.year))


@metric("proposals.units_evaluated", _("Handling units evaluated"), section=SECTION, unit=_("units"), order=40,
        additive=True, sources=_EVALUATION)
def units_evaluated(units, start, end):
    return subtree_counts(_closed_results(start, end), units, path_field="round__org_path")


@metric("proposals.units_praised", _("Handling units praised"), section=SECTION, unit=_("units"), order=41,
        additive=True, sources=_EVALUATION)
def units_praised(units, start, end):
    return subtree_counts(_closed_results(start, end).filter(verdict=Verdict.PRAISED), units,
                          path_field="round__org_path")


@metric("proposals.units_rectify", _("Handling units to rectify"), section=SECTION, unit=_("units"), order=42,
        additive=True, sources=_EVALUATION)
def units_rectify(units, start, end):
    return subtree_counts(_closed_results(start, end).filter(verdict=Verdict.RECTIFY), units,
                          path_field="round__org_path")


RANKING_ROWS = 200


@table("proposals.evaluation_ranking", _("Evaluation ranking of handling units"), section=SECTION, order=10)
def evaluation_ranking(unit, start, end):
    """The closed evaluation rounds of the unit's subtree for the period's years, rank by rank
    (one query, at most RANKING_ROWS rows)."""
    rows = (_closed_results(start, end).filter(round__org_path__startswith=unit.path)
            .select_related("round", "unit").order_by("-round__year", "round__org_path", "round_id", "rank")
            [:RANKING_ROWS])
    return {
        "columns": [_("Evaluation round"), _("Rank"), _("Handling unit"), _("Score"), _("Verdict")],
        "rows": [[r.round.title, r.rank, r.unit.name, f"{r.score:.2f}", str(r.get_verdict_display())
                  if r.verdict else ""] for r in rows],
    }


@metric("opinions.submitted", _("Public-opinion items submitted"), section=OPINION_SECTION, unit=_("items"), order=30,
        additive=True, sources={"proposals.OpinionItem": None})
def opinions_submitted(units, start, end):
    return subtree_counts(OpinionItem.objects.filter(**_on(OPINION_DATE_FIELD, start, end)), units)


def _adoption_metric(level, label):
    def func(units, start, end):
        qs = Adoption.objects.filter(level=level, **_on(ADOPTION_DATE_FIELD, start, end))
        return subtree_counts(qs, units, path_field="item__org_path")

    metric(f"opinions.adopted_{level}", format_lazy(_("Items adopted at {level} level"), level=label),
           section=OPINION_SECTION, unit=_("items"), order=31,
           additive=True, sources=[Source("proposals.Adoption", path="item__org_path")])(func)


for _level, _llabel in AdoptionLevel.choices:
    _adoption_metric(_level, _llabel)


@metric("opinions.instructed_items", _("Items with leaders' instructions (件)"), section=OPINION_SECTION,
        unit=_("items"), order=35, additive=True, sources=_OPINION_INSTRUCTIONS)
def instructed_items(units, start, end):
    qs = OpinionItem.objects.filter(**_on(f"instructions__{INSTRUCTION_DATE_FIELD}", start, end)).distinct()
    return subtree_counts(OpinionItem.objects.filter(pk__in=qs.values("pk")), units)


@metric("opinions.instructions", _("Leaders' instructions (次)"), section=OPINION_SECTION, unit=_("times"), order=36,
        additive=True, sources=_OPINION_INSTRUCTIONS)
def instructions(units, start, end):
    qs = Instruction.objects.filter(**_on(INSTRUCTION_DATE_FIELD, start, end))
    return subtree_counts(qs, units, path_field="item__org_path")
