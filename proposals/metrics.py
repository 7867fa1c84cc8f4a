"""Subtree metrics of proposals and 社情民意 (see portal/metrics.py for the contract)."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.metrics import Source, metric, subtree_counts

from .models import (
    Adoption,
    AdoptionLevel,
    Assignment,
    AssignmentStatus,
    Instruction,
    OpinionItem,
    Proposal,
    ProposalCategory,
    Reply,
    ReplyClass,
    Satisfaction,
)

SECTION = _("Proposals")
OPINION_SECTION = _("Public opinion (社情民意)")
# What the metrics count (portal.metrics: the summary tables recompute on their writes).
_PROPOSAL = {"proposals.Proposal": None}
_OPINION_INSTRUCTIONS = [Source("proposals.Instruction", path="item__org_path")]


def _received(start, end):
    return Proposal.objects.filter(submitted_at__date__range=(start, end))


def _rate(numerators, denominators):
    return {pk: round(100 * numerators.get(pk, 0) / d, 1) if d else 0 for pk, d in denominators.items()}


@metric("proposals.received", _("Proposals received"), section=SECTION, unit=_("items"), order=10, sources=_PROPOSAL)
def received(units, start, end):
    return subtree_counts(_received(start, end), units)


@metric("proposals.registered", _("Proposals registered"), section=SECTION, unit=_("items"), order=11, sources=_PROPOSAL)
def registered(units, start, end):
    return subtree_counts(Proposal.objects.filter(registered_at__date__range=(start, end)), units)


@metric("proposals.registered_rate", _("Share of received proposals registered"), section=SECTION, unit="%", order=12,
        sources=_PROPOSAL)
def registered_rate(units, start, end):
    qs = _received(start, end)
    return _rate(subtree_counts(qs.filter(number__isnull=False), units), subtree_counts(qs, units))


def _category_metric(code, label):
    def func(units, start, end):
        return subtree_counts(_received(start, end).filter(category=code), units)

    metric(f"proposals.category.{code}", format_lazy(_("Proposals on {category}"), category=label),
           section=SECTION, unit=_("items"), order=13, sources=_PROPOSAL)(func)


for _code, _label in ProposalCategory.choices:
    _category_metric(_code, _label)


@metric("proposals.assigned_to_unit", _("Proposals assigned to the handling unit"), section=SECTION,
        unit=_("items"), order=20, sources=[Source("proposals.Assignment", path="unit_path")])
def assigned_to_unit(units, start, end):
    """Counted by the handling unit's path: pass departments to compare units."""
    qs = Assignment.objects.filter(assigned_at__date__range=(start, end)).exclude(status=AssignmentStatus.WITHDRAWN)
    return subtree_counts(qs, units, path_field="unit_path")


@metric("proposals.replied_on_time_rate", _("Replies on time"), section=SECTION, unit="%", order=21,
        sources=[Source("proposals.Assignment", path="proposal__org_path")])
def replied_on_time_rate(units, start, end):
    qs = Assignment.objects.filter(replied_at__date__range=(start, end))
    on_time = qs.filter(replied_at__date__lte=F("due_on"))
    return _rate(subtree_counts(on_time, units, path_field="proposal__org_path"),
                 subtree_counts(qs, units, path_field="proposal__org_path"))


def _class_metric(code):
    def func(units, start, end):
        qs = Reply.objects.filter(created_at__date__range=(start, end), reply_class=code)
        return subtree_counts(qs, units, path_field="assignment__proposal__org_path")

    metric(f"proposals.replies_{code.lower()}", format_lazy(_("Class {c} replies"), c=code), section=SECTION,
           unit=_("items"), order=22,
           sources=[Source("proposals.Reply", path="assignment__proposal__org_path")])(func)


for _c in ReplyClass.values:
    _class_metric(_c)


@metric("proposals.satisfied_rate", _("Proposers satisfied or basically satisfied with the result"),
        section=SECTION, unit="%", order=25, sources=_PROPOSAL)
def satisfied_rate(units, start, end):
    qs = Proposal.objects.filter(closed_at__date__range=(start, end)).exclude(satisfaction_result="")
    ok = qs.filter(Q(satisfaction_result=Satisfaction.SATISFIED) | Q(satisfaction_result=Satisfaction.BASIC))
    return _rate(subtree_counts(ok, units), subtree_counts(qs, units))


@metric("proposals.key", _("Key proposals"), section=SECTION, unit=_("items"), order=26, sources=_PROPOSAL)
def key(units, start, end):
    return subtree_counts(_received(start, end).filter(is_key=True), units)


@metric("opinions.submitted", _("Public-opinion items submitted"), section=OPINION_SECTION, unit=_("items"), order=30,
        sources={"proposals.OpinionItem": None})
def opinions_submitted(units, start, end):
    return subtree_counts(OpinionItem.objects.filter(submitted_at__date__range=(start, end)), units)


def _adoption_metric(level, label):
    def func(units, start, end):
        qs = Adoption.objects.filter(level=level, adopted_on__range=(start, end))
        return subtree_counts(qs, units, path_field="item__org_path")

    metric(f"opinions.adopted_{level}", format_lazy(_("Items adopted at {level} level"), level=label),
           section=OPINION_SECTION, unit=_("items"), order=31,
           sources=[Source("proposals.Adoption", path="item__org_path")])(func)


for _level, _llabel in AdoptionLevel.choices:
    _adoption_metric(_level, _llabel)


@metric("opinions.instructed_items", _("Items with leaders' instructions (件)"), section=OPINION_SECTION,
        unit=_("items"), order=35, sources=_OPINION_INSTRUCTIONS)
def instructed_items(units, start, end):
    qs = OpinionItem.objects.filter(instructions__given_on__range=(start, end)).distinct()
    return subtree_counts(OpinionItem.objects.filter(pk__in=qs.values("pk")), units)


@metric("opinions.instructions", _("Leaders' instructions (次)"), section=OPINION_SECTION, unit=_("times"), order=36,
        sources=_OPINION_INSTRUCTIONS)
def instructions(units, start, end):
    qs = Instruction.objects.filter(given_on__range=(start, end))
    return subtree_counts(qs, units, path_field="item__org_path")
