"""The "similar earlier proposals" box while drafting (htmx): the form posts what has been typed so
far (debounced), the box answers with the closest earlier records the user may see. Advisory only:
it never stops anyone saving or submitting. Read-only, so the POST (the text is too long for a
URL) writes nothing and carries no one-time token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.selectors import member_of_user
from organizations import permissions as org_permissions

from . import selectors, similar
from .permissions import STAFF_ROLES

MAX_FIELD = 20_000  # the forms' own limit; anything longer is cut, never an error
PROPOSAL_FIELDS = ["id_title", "id_case", "id_analysis", "id_suggestions"]
OPINION_FIELDS = ["id_title", "id_content"]


def panel(url: str, fields: list[str], *, load: bool = False, extra: list[str] = ()) -> dict:
    """Template context for the box under a form: which fields trigger it and are sent."""
    triggers = [f"input changed delay:400ms from:#{f}" for f in fields] + [f"change from:#{f}" for f in extra]
    if load:
        triggers.insert(0, "load")
    return {"url": url, "trigger": ", ".join(triggers), "include": ", ".join(f"#{f}" for f in [*fields, *extra])}


def proposal_panel(*, proposal=None, paper_entry: bool = False) -> dict:
    url = reverse("proposals:similar")
    if proposal is not None:
        url += f"?proposal={proposal.pk}"
    return panel(url, PROPOSAL_FIELDS, load=proposal is not None, extra=["id_proposer"] if paper_entry else [])


def opinion_panel() -> dict:
    return panel(reverse("proposals:opinion_similar"), OPINION_FIELDS)


def _text(request, name: str) -> str:
    return str(request.POST.get(name, ""))[:MAX_FIELD]


def _unit_for(request):
    """The CPPCC unit whose earlier proposals count, and the proposal to leave out (when editing).
    Editing: the proposal's unit (the user must see the proposal); 代录: the chosen proposer's
    unit (among the members the staff may enter for); otherwise the member's own unit."""
    user = request.user
    pk = request.GET.get("proposal", "")
    if pk:
        proposal = selectors.proposal_detail(user=user, pk=pk)
        return proposal.org_unit, proposal.pk
    proposer = request.POST.get("proposer", "")
    if proposer and org_permissions.has_role(user, STAFF_ROLES):
        try:
            member = selectors.members_for_paper_entry(user=user).filter(pk=int(proposer)).first()
        except (TypeError, ValueError):
            member = None
        return (member.org_unit if member else None), None
    member = member_of_user(user)
    return (member.org_unit if member else None), None


@login_required
@require_POST
def similar_proposals(request):
    unit, exclude = _unit_for(request)
    title = _text(request, "title")
    text = "\n".join(_text(request, f) for f in ("case", "analysis", "suggestions"))
    rows = []
    if unit is not None and (title.strip() or text.strip()):
        rows = similar.similar_proposals_for_draft(user=request.user, unit=unit, title=title, text=text,
                                                   exclude_pk=exclude)
    return render(request, "proposals/_similar.html", {"rows": rows, "searched": bool(title.strip() or text.strip()),
                                                       "kind": "proposal"})


@login_required
@require_POST
def similar_opinions(request):
    title, text = _text(request, "title"), _text(request, "content")
    if not org_permissions.roles_of(request.user):
        raise Http404
    items, proposals = [], []
    if title.strip() or text.strip():
        items = similar.similar_opinions(user=request.user, title=title, text=text)
        proposals = similar.similar_proposals_visible(user=request.user, title=title, text=text)
    return render(request, "proposals/_similar.html", {"rows": items, "proposal_rows": proposals, "kind": "opinion",
                                                       "searched": bool(title.strip() or text.strip())})
