"""Reads of the public proposal search (公开提案查询). Only proposals the proposer agreed to publish
AND the office marked public, and only once registered; never private fields: the pages get the
title, number, year, category, the unit, the text of the proposal (案由, analysis, suggestions),
the handling units and their replies — and the proposer's name only where the office keeps it on.
No phone numbers, no co-signers, no internal notes, no ratings, no files."""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from organizations.models import OrgUnit

from .models import (
    PUBLISHABLE_STATUSES,
    Assignment,
    AssignmentStatus,
    Proposal,
    ProposalKind,
    Publication,
    Reply,
)

PUBLIC_FIELDS = ("id", "title", "case", "analysis", "suggestions", "category", "status", "year", "term", "session",
                 "number", "kind", "org_unit__name", "registered_on", "closed_on")


def _public() -> QuerySet[Proposal]:
    return Proposal.objects.filter(publish_wish=True, publication=Publication.PUBLIC,
                                   status__in=PUBLISHABLE_STATUSES)


def _shown_proposer():
    """The name published with a proposal: the body for a sector, committee or party proposal,
    else the proposer — or nothing where the office keeps the name off."""
    return Case(
        When(publish_proposer_name=False, then=Value("")),
        When(~Q(kind=ProposalKind.INDIVIDUAL) & Q(body__isnull=False), then=F("body__name")),
        default=F("proposer__name"), output_field=CharField())


def _with_replies(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    replies = Reply.objects.only("id", "assignment_id", "round", "reply_class", "text", "lines", "replied_on",
                                 "document_number").order_by("round", "id")
    assignments = (Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN).select_related("unit")
                   .only("id", "proposal_id", "role", "status", "unit__name").order_by("-role", "id")  # main unit first
                   .prefetch_related(Prefetch("replies", queryset=replies)))
    return (qs.select_related("org_unit").annotate(shown_proposer=_shown_proposer()).only(*PUBLIC_FIELDS)
            .prefetch_related(Prefetch("assignments", queryset=assignments, to_attr="public_assignments")))


def search(*, q: str = "", year: int | None = None, category: str = "", unit: OrgUnit | None = None
           ) -> QuerySet[Proposal]:
    qs = _public()
    q = (q or "").strip()
    if q:
        in_replies = Reply.objects.filter(assignment__proposal=OuterRef("pk"), text__icontains=q).exclude(
            assignment__status=AssignmentStatus.WITHDRAWN)
        qs = qs.filter(Q(title__icontains=q) | Q(case__icontains=q) | Exists(in_replies))
    if year:
        qs = qs.filter(year=year)
    if category:
        qs = qs.filter(category=category)
    if unit is not None:
        qs = qs.filter(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit=unit).exclude(
            status=AssignmentStatus.WITHDRAWN)))
    return _with_replies(qs).order_by("-year", "number", "-id")


def public_proposal(pk) -> Proposal:
    try:
        return _with_replies(_public()).get(pk=int(pk))
    except (Proposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


def years() -> list[int]:
    return list(_public().exclude(year__isnull=True).values_list("year", flat=True).distinct().order_by("-year"))


def handling_units() -> QuerySet[OrgUnit]:
    """The handling units that appear on public proposals (the search's unit filter)."""
    used = Assignment.objects.filter(proposal__in=_public(), unit=OuterRef("pk")).exclude(
        status=AssignmentStatus.WITHDRAWN)
    return OrgUnit.objects.filter(Exists(used)).order_by("path")
