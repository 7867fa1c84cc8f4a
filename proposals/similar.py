"""Similar earlier proposals and 社情民意 items (portal.similarity over this app's records).

Who sees what (docs/similar-proposals.md):

- **Proposal staff, office clerks, leaders of the CPPCC unit, administrators** — every earlier
  proposal of the unit except drafts and withdrawn ones, with proposer, link and the handling
  units' reply excerpts (all of it is theirs to see anyway).
- **A member drafting** — only the unit's *registered* proposals (they have a number; the
  registered list 立案目录 is given to every member) and the member's own: title, number, year,
  status, handling units and the result class of their replies (A/B/C). Proposer, text, reply
  letters and a link only for proposals the member may open anyway (own, co-signed).
- 社情民意 items — only items the user may see (``opinions_visible_to``).

Nothing here writes; the services call ``proposal_terms_refresh`` / ``opinion_terms_refresh``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from organizations import permissions as org_permissions
from organizations.models import Role
from portal import similarity

from .models import Assignment, AssignmentStatus, OpinionItem, Proposal, ProposalStatus, Reply
from .permissions import STAFF_ROLES

PROPOSALS = "proposals.proposal"
OPINIONS = "proposals.opinion"
REPLY_EXCERPT = 90
NOT_EARLIER = [ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN]


def proposal_document(p) -> tuple[str, list[str]]:
    return p.title, [p.case, p.analysis, *[str(s) for s in (p.suggestions or [])]]


def opinion_document(o) -> tuple[str, list[str]]:
    return o.title, [o.content]


similarity.register_corpus(similarity.Corpus(PROPOSALS, "proposals.Proposal", proposal_document))
similarity.register_corpus(similarity.Corpus(OPINIONS, "proposals.OpinionItem", opinion_document))


def proposal_terms_refresh(proposal: Proposal) -> bool:
    """Recompute the proposal's words and the corpus statistics; the caller saves
    ``similarity_terms`` (returns whether it changed)."""
    return similarity.terms_refresh(proposal, corpus=PROPOSALS, document=proposal_document)


def opinion_terms_refresh(item: OpinionItem) -> bool:
    return similarity.terms_refresh(item, corpus=OPINIONS, document=opinion_document)


@dataclass
class SimilarRow:
    """One line of the "similar earlier …" box: what the user may see of the record."""

    kind: str  # "proposal" | "opinion"
    pk: int
    title: str
    similarity: float
    status: str
    reference: str = ""  # number label or year
    url: str = ""  # only when the user may open the record
    proposer: str = ""
    replies: list[dict] = field(default_factory=list)  # {"unit", "result", "excerpt", "on"}


def _is_office(user, unit) -> bool:
    return org_permissions.is_admin(user) or org_permissions.has_role(user, [*STAFF_ROLES, Role.LEADER], unit.path)


def _proposal_rows(user, matches, *, full: bool) -> list[SimilarRow]:
    if not matches:
        return []
    from .selectors import proposals_visible_to

    ids = [m.pk for m in matches]
    records = {p.pk: p for p in Proposal.objects.filter(pk__in=ids).select_related("proposer").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN)
                 .select_related("unit").prefetch_related(Prefetch("replies", queryset=Reply.objects.order_by(
                     "round", "id")))))}
    openable = ids if full else set(proposals_visible_to(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for m in matches:
        p = records.get(m.pk)
        if p is None:
            continue
        may_open = p.pk in openable
        replies = []
        for a in p.assignments.all():
            last = None
            for r in a.replies.all():
                last = r
            replies.append({"unit": a.unit.name, "role": a.get_role_display(),
                            "result": last.class_meaning if last else "", "on": last.replied_on if last else None,
                            "excerpt": (last.text[:REPLY_EXCERPT] + ("…" if len(last.text) > REPLY_EXCERPT else ""))
                            if (last and may_open) else ""})
        rows.append(SimilarRow(kind="proposal", pk=p.pk, title=p.title, similarity=m.similarity,
                               status=p.get_status_display(), reference=p.number_label or (str(p.year or "")),
                               url=p.get_absolute_url() if may_open else "",
                               proposer=p.proposer.name if may_open else "", replies=replies))
    return rows


def similar_proposals_for_draft(*, user, unit, title: str, text: str, exclude_pk=None, limit: int = 5
                                ) -> list[SimilarRow]:
    """Earlier proposals of the CPPCC `unit` most like a draft, as `user` may see them."""
    qs = Proposal.objects.filter(org_unit_id=unit.pk).exclude(status__in=NOT_EARLIER)
    full = _is_office(user, unit)
    if not full:
        qs = qs.filter(Q(number__isnull=False) | Q(proposer__user=user))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    matches = similarity.search(qs, corpus=PROPOSALS, title=title, text=text, limit=limit)
    return _proposal_rows(user, matches, full=full)


def similar_opinions(*, user, title: str, text: str, exclude_pk=None, limit: int = 5) -> list[SimilarRow]:
    """Earlier 社情民意 items the user may see, most like the text."""
    from .selectors import opinions_visible_to

    qs = opinions_visible_to(user=user)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    matches = similarity.search(qs, corpus=OPINIONS, title=title, text=text, limit=limit)
    if not matches:
        return []
    records = OpinionItem.objects.in_bulk([m.pk for m in matches])
    return [SimilarRow(kind="opinion", pk=o.pk, title=o.title, similarity=m.similarity,
                       status=o.get_status_display(), reference=str(o.submitted_on.year) if o.submitted_on else "",
                       url=o.get_absolute_url())
            for m in matches if (o := records.get(m.pk)) is not None]


def similar_proposals_visible(*, user, title: str, text: str, limit: int = 5) -> list[SimilarRow]:
    """Earlier proposals (not drafts) the user may open, most like the text — for screening
    社情民意 items, where the office compares with its own proposals."""
    from .selectors import proposals_visible_to

    qs = proposals_visible_to(user=user).exclude(status__in=NOT_EARLIER)
    matches = similarity.search(qs, corpus=PROPOSALS, title=title, text=text, limit=limit)
    return _proposal_rows(user, matches, full=True)


def similar_to_proposal(*, user, proposal: Proposal, limit: int = 5) -> list[SimilarRow]:
    """For the register/merge screen: earlier proposals of the same unit like this one."""
    title, parts = proposal_document(proposal)
    return similar_proposals_for_draft(user=user, unit=proposal.org_unit, title=title, text="\n".join(parts),
                                       exclude_pk=proposal.pk, limit=limit)
