"""HTML views: thin — parse a form, call a service, render. Queues per role, the record page
with its next actions, and 社情民意 and evaluation pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.selectors import member_of_user
from organizations import permissions as org_permissions
from organizations.models import Role, UnitKind
from organizations.traffic import TrafficDays
from portal.accounts import authcache
from portal.actions import add_form_error, button_action, deny_if_not_allowed, form_action, refuse
from portal.audit import timeline_for
from portal.errors import DomainError
from portal.files import files_login_required
from portal.fragments import render_rows
from portal.links import row_links
from portal.lookups import one_or_404
from portal.pagination import more_page
from portal.rows import choice_labels, date_labels
from portal.traffic import attach_lights
from portal.workflow import allowed_actions

from . import forms, selectors, services, similar, similar_views
from .models import (
    Assignment,
    AssignmentStatus,
    Bulletin,
    EvaluationResult,
    EvaluationRound,
    EvaluationStatus,
    OpinionStatus,
    ProposalStatus,
    Reply,
    ReplyClass,
)
from .permissions import STAFF_ROLES, is_leader_for, is_staff_for
from .workflows import PROPOSAL

# ── Home panel and queues ─────────────────────────────────────────────────────────────────


def home_panel(request):
    user = request.user
    roles = org_permissions.roles_of(user)
    if not roles & {Role.MEMBER, Role.PROPOSAL_STAFF, Role.OFFICE_CLERK, Role.DEPARTMENT, Role.LEADER}:
        return None
    counts = []
    if Role.MEMBER in roles:
        counts.append((_("My proposals"), selectors.my_proposals(user=user).count(), "proposals:mine"))
    if roles & set(STAFF_ROLES):
        counts.append((_("Review queue"), selectors.review_queue(user=user).count(), "proposals:review"))
    if Role.DEPARTMENT in roles:
        counts.append((_("Assigned to my unit"), selectors.department_inbox(user=user).filter(
            status__in=[AssignmentStatus.PRE, AssignmentStatus.ACCEPTED, AssignmentStatus.ASSIGNED]).count(),
            "proposals:inbox"))
    if roles & {Role.LEADER, *STAFF_ROLES}:
        counts.append((_("Key proposals"), selectors.supervision_list(user=user).count(), "proposals:supervision"))
        counts.append((_("Overdue replies"), selectors.overdue_assignments(user=user).count(), "proposals:supervision"))
        lights = selectors.assignment_light_counts(qs=selectors.open_assignments_in_scope(user=user))
        counts.append((_("Replies due soon"), lights["yellow"], "proposals:supervision"))
    return {"template": "proposals/_home_panel.html", "counts": counts,
            "order": 12 if Role.DEPARTMENT in roles else 20}


@login_required
def index(request):
    roles = org_permissions.roles_of(request.user)
    if Role.DEPARTMENT in roles and not roles & {Role.ADMIN, *STAFF_ROLES}:
        return redirect("proposals:inbox")
    if roles & {Role.ADMIN, *STAFF_ROLES}:
        return redirect("proposals:review")
    if Role.LEADER in roles:
        return redirect("proposals:supervision")
    return redirect("proposals:mine")


def _can_export(user) -> bool:
    return org_permissions.has_role(user, [Role.LEADER, *STAFF_ROLES])


def _page(request, qs, per=30):
    return Paginator(qs, per).get_page(request.GET.get("page"))


# proposals/_status.html's badge colours (others: text-bg-primary)
_STATUS_BADGE = {ProposalStatus.CLOSED: "text-bg-success", ProposalStatus.DRAFT: "text-bg-secondary",
                 ProposalStatus.NOT_REGISTERED: "text-bg-light border", ProposalStatus.WITHDRAWN: "text-bg-light border",
                 ProposalStatus.MERGED: "text-bg-light border", ProposalStatus.REPLIED: "text-bg-info"}


def proposal_rows(page) -> None:
    """What proposals/_rows.html prints of each row of `page`, once per page: its link (`href`), the
    status badge, the category, and each assignment's role and due date; the rows themselves are
    printed by jinja2/proposals/_rows.html into `page.rows`."""
    proposals = page.object_list
    row_links(proposals, "proposals:detail")
    choice_labels(proposals, "status", "category")
    assignments = [a for p in proposals for a in p.assignments.all()]
    choice_labels(assignments, "role")
    date_labels(assignments, due_on="SHORT_DATE_FORMAT")
    for p in proposals:
        p.status_badge = _STATUS_BADGE.get(p.status, "text-bg-primary")
    page.rows = render_rows("proposals/_rows.html", rows=proposals, key_proposal=_("Key proposal"), due=_("due"))


def _proposal_page(request, qs):
    """A page of proposals for proposals/_rows.html (rows prepared by `proposal_rows`)."""
    page = _page(request, selectors.list_columns(qs))
    proposal_rows(page)
    return page


@login_required
def proposal_list(request):
    q = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    if status not in ProposalStatus.values:
        status = ""
    page = _proposal_page(request, selectors.proposal_list(user=request.user, q=q, status=status))
    return render(request, "proposals/list.html", {"page": page, "q": q, "status": status,
                                                   "statuses": ProposalStatus.choices, "title": _("All proposals"),
                                                   "tab": "list", "can_export": _can_export(request.user)})


@login_required
def mine(request):
    member = member_of_user(request.user)
    page = _proposal_page(request, selectors.my_proposals(user=request.user))
    return render(request, "proposals/mine.html", {"page": page, "member": member, "tab": "mine"})


@login_required
def review(request):
    org_permissions.require_page_role(request.user, STAFF_ROLES)
    page = more_page(selectors.list_columns(selectors.review_queue(user=request.user)),
                     request.GET.get("page"))  # no COUNT of the scope
    proposal_rows(page)
    return render(request, "proposals/list.html", {"page": page, "title": _("Review and assignment queue"),
                                                   "tab": "review", "can_export": True})


@login_required
def inbox(request):
    org_permissions.require_page_role(request.user, Role.DEPARTMENT)
    page = more_page(selectors.inbox_columns(selectors.department_inbox(user=request.user)),
                     request.GET.get("page"))  # no COUNT
    row_links(page.object_list, "proposals:detail", key="proposal_id")
    today = timezone.localdate()
    # the rows' lights and the counts read the windows once, kept while no unit setting changes
    days = TrafficDays(today.year, generation=authcache.request_generation(request))
    _assignment_lights(page.object_list, today, days)
    choice_labels(page.object_list, "status", "role")
    date_labels(page.object_list, due_on="SHORT_DATE_FORMAT")
    for a in page.object_list:
        overdue = a.status == AssignmentStatus.ASSIGNED and a.due_on is not None and a.due_on < today
        a.status_badge = ("text-bg-danger" if overdue
                          else "text-bg-success" if a.status == AssignmentStatus.REPLIED else "text-bg-primary")
    return render(request, "proposals/inbox.html", {
        "page": page, "today": today, "tab": "inbox",
        "rows": render_rows("proposals/_inbox_rows.html", rows=page.object_list, reply_due=_("Reply due")),
        "lights": selectors.assignment_light_counts(qs=selectors.department_inbox(user=request.user), today=today,
                                                     days=days)})


def _assignment_lights(assignments, today, days=None):
    """Traffic lights of open assignments (答复期限), with the proposal's unit's yellow window."""
    days = days or TrafficDays(today.year)
    return attach_lights(assignments, deadline=lambda a: a.due_on,
                         done=lambda a: a.status != AssignmentStatus.ASSIGNED,
                         days=lambda a: days.for_path(a.proposal.org_path), today=today)


@login_required
def supervision(request):
    org_permissions.require_page_role(request.user, [Role.LEADER, *STAFF_ROLES])
    page = _proposal_page(request, selectors.supervision_list(user=request.user))
    today = timezone.localdate()
    overdue = _assignment_lights(selectors.overdue_assignments(user=request.user)[:50], today)
    return render(request, "proposals/supervision.html", {
        "page": page, "overdue": overdue, "tab": "supervision",
        "lights": selectors.assignment_light_counts(qs=selectors.open_assignments_in_scope(user=request.user),
                                                     today=today)})


# ── Drafting ──────────────────────────────────────────────────────────────────────────────


def _apply_domain_error(form, exc: DomainError):
    if exc.field and exc.field.startswith("a0_"):  # the lead unit's line of a back-entry
        exc.field = exc.field[3:]
    add_form_error(form, exc)


@login_required
def create(request):
    member = member_of_user(request.user)
    if member is None:
        raise PermissionDenied(_("Only committee members with a member record can submit proposals."))
    form = forms.ProposalForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, proposal = form_action(request, form, lambda: services.proposal_create(
            actor=request.user, member=member, title=data["title"], case=data["case"], analysis=data["analysis"],
            suggestions=data["suggestions"], category=data["category"], kind=data["kind"], body=data["body"],
            cosigners=list(data["cosigners"]), publish_wish=data["publish_wish"]),
            success=_("Draft saved. Submit it when it is ready."))
        if ok:
            return redirect(proposal)
    return render(request, "proposals/form.html", {"form": form, "title": _("New proposal"),
                                                   "similar_panel": similar_views.proposal_panel()},
                  status=400 if form.errors else 200)


@login_required
def enter_on_behalf(request):
    """代录: proposal staff enter a proposal a member handed in on paper."""
    org_permissions.require_page_role(request.user, STAFF_ROLES)
    form = forms.PastHandlingForm(request.POST or None, members=selectors.members_for_paper_entry(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["registered_on"] is not None:  # 补录: a past proposal with its handling
                from .backentry import proposal_back_enter

                proposal = proposal_back_enter(actor=request.user, entry=form.back_entry())
                messages.success(request, _("The past proposal was entered with its handling."))
                return redirect(proposal)
            proposal = services.proposal_enter_on_behalf(
                actor=request.user, member=data["proposer"], submitted_on=data["submitted_on"], title=data["title"],
                case=data["case"], analysis=data["analysis"], suggestions=data["suggestions"],
                category=data["category"], kind=data["kind"], body=data["body"], cosigners=list(data["cosigners"]))
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("Entered on the member's behalf and submitted for review."))
            return redirect(proposal)
    return render(request, "proposals/form.html", {"form": form, "title": _("Enter a paper proposal (代录)"),
                                                   "tab": "enter",
                                                   "similar_panel": similar_views.proposal_panel(paper_entry=True)},
                  status=400 if form.errors else 200)


@login_required
def edit(request, pk):
    proposal = selectors.proposal_detail(user=request.user, pk=pk)
    if not PROPOSAL.may(proposal, request.user, "edit"):
        raise PermissionDenied  # a proposal the user sees but may not edit
    if "edit" not in allowed_actions(proposal, request.user):
        raise Http404
    initial = {"title": proposal.title, "kind": proposal.kind, "body": proposal.body, "category": proposal.category,
               "case": proposal.case, "analysis": proposal.analysis, "suggestions": "\n".join(proposal.suggestions),
               "cosigners": [c.member for c in proposal.cosigners.all()], "version": proposal.version,
               "publish_wish": proposal.publish_wish}
    form = forms.ProposalForm(request.POST or None, member=proposal.proposer, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cosigners = list(data.pop("cosigners"))
        version = data.pop("version")
        ok, _result = form_action(request, form, lambda: services.proposal_update(
            actor=request.user, proposal=proposal, version=version, cosigners=cosigners, **data),
            success=_("Draft saved."))
        if ok:
            return redirect(proposal)
    return render(request, "proposals/form.html", {"form": form, "title": _("Edit draft"), "proposal": proposal,
                                                   "similar_panel": similar_views.proposal_panel(proposal=proposal)},
                  status=400 if form.errors else 200)


# ── The record page ───────────────────────────────────────────────────────────────────────


def _detail_context(request, proposal, bound=None):
    user = request.user
    actions = allowed_actions(proposal, user)
    bound = bound or {}
    version = {"version": proposal.version}

    def form(name, cls, **kw):
        return bound.get(name) or cls(initial=version, **kw)

    ctx_forms = {}
    if "review" in actions:
        ctx_forms["review"] = form("review", forms.NoteForm)
    if "register" in actions:
        ctx_forms["register"] = form("register", forms.RegisterForm)
    if "reject" in actions:
        ctx_forms["reject"] = form("reject", forms.RejectForm)
    if "merge" in actions:
        ctx_forms["merge"] = form("merge", forms.MergeForm, proposal=proposal)
    if "preassign" in actions:
        ctx_forms["preassign"] = form("preassign", forms.PreassignForm, proposal=proposal)
    if "rate" in actions:
        ctx_forms["rate"] = form("rate", forms.RateForm)
    if "mark_key" in actions:
        ctx_forms["mark_key"] = form("mark_key", forms.MarkKeyForm, proposal=proposal)
    if "supervise" in actions:
        ctx_forms["supervise"] = form("supervise", forms.SupervisionForm)
    if "attach" in actions:
        ctx_forms["attach"] = form("attach", forms.AttachmentForm)
    if "publish" in actions:
        ctx_forms["publish"] = bound.get("publish") or forms.PublicationForm(initial={
            **version, "publication": proposal.publication or "public",
            "show_proposer": proposal.publish_proposer_name})
    today = timezone.localdate()
    assignments = [a for a in proposal.assignments.all() if a.status != AssignmentStatus.WITHDRAWN]
    days = TrafficDays(today.year).for_path(proposal.org_path)
    attach_lights(assignments, deadline=lambda a: a.due_on, done=lambda a: a.status != AssignmentStatus.ASSIGNED,
                  days=lambda a: days, today=today)
    my_assignments = []
    for a in assignments:
        if org_permissions.has_role(user, Role.DEPARTMENT, a.unit_path) and not org_permissions.is_admin(user):
            my_assignments.append({
                "assignment": a, "actions": allowed_actions(a, user),
                "contest": bound.get(f"contest-{a.pk}") or forms.ContestForm(prefix=f"a{a.pk}"),
                "contact": bound.get(f"contact-{a.pk}") or forms.ContactForm(prefix=f"a{a.pk}"),
                "reply": bound.get(f"reply-{a.pk}") or forms.ReplyForm(prefix=f"a{a.pk}", proposal=proposal),
            })
    follow_ups = []
    if is_staff_for(user, proposal.org_path) or is_leader_for(user, proposal.org_path):
        follow_ups = [r for a in assignments for r in a.replies.all()
                      if r.reply_class == ReplyClass.B and not r.followed_up_at]
    stages = services.review_stages(proposal)
    return {
        "p": proposal, "actions": actions, "forms": ctx_forms, "assignments": assignments,
        "my_assignments": my_assignments, "today": today, "follow_ups": follow_ups,
        "follow_up_form": bound.get("follow_up") or forms.FollowUpForm(),
        "stages": stages, "stage_label": stages[min(proposal.review_stage, len(stages) - 1)],
        "similar": similar.similar_to_proposal(user=user, proposal=proposal) if "register" in actions else [],
        "timeline": timeline_for(proposal)[:100],
    }


@login_required
def detail(request, pk):
    proposal = selectors.proposal_detail(user=request.user, pk=pk)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


def _run(request, proposal, form_key, form, call):
    """Validate `form` (if any), run `call(cleaned_data)`, redirect on success. Refused (the
    refusal policy of portal.actions): a missing role is the 403 page; a button without a form
    goes back to the record with the reason (e.g. a second click); a form is shown again on the
    record with what was typed and the reason (400 bad input, 409 the record's state)."""
    if form is not None and not form.is_valid():
        ctx = _detail_context(request, proposal, {form_key: form})
        ctx["error"] = _("Please correct the errors below.")
        return render(request, "proposals/detail.html", ctx, status=400)
    try:
        call(form.cleaned_data if form is not None else {})
    except DomainError as exc:
        deny_if_not_allowed(exc)
        if form is None:
            refuse(request, exc)
            return redirect("proposals:detail", pk=proposal.pk)
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
        ctx = _detail_context(request, selectors.proposal_detail(user=request.user, pk=proposal.pk),
                              {form_key: form} if form is not None else {})
        ctx["error"] = str(exc.message)
        return render(request, "proposals/detail.html", ctx, status=exc.status_code)
    messages.success(request, _("Saved."))
    return redirect("proposals:detail", pk=proposal.pk)


def _event_date(post):
    """The optional date (`on`) of a one-button step; a garbage date is a form error, not today."""
    form = forms.EventDateForm(post)
    if not form.is_valid():
        raise DomainError(form.errors["on"][0], field="on")
    return form.cleaned_data["on"]


@login_required
@require_POST
def act(request, pk, action):
    proposal = selectors.proposal_detail(user=request.user, pk=pk)
    user, post = request.user, request.POST
    version = post.get("version")
    simple = {
        "submit": lambda d: services.proposal_submit(actor=user, proposal=proposal, version=version,
                                                     submitted_on=_event_date(post)),
        "withdraw": lambda d: services.proposal_withdraw(actor=user, proposal=proposal),
        "confirm": lambda d: services.cosigner_answer(actor=user, proposal=proposal, confirm=True),
        "decline": lambda d: services.cosigner_answer(actor=user, proposal=proposal, confirm=False),
        "assign": lambda d: services.proposal_assign_formally(actor=user, proposal=proposal, version=version,
                                                              assigned_on=_event_date(post)),
    }
    if action in simple:
        return _run(request, proposal, action, None, simple[action])
    handlers = {
        "review": (forms.NoteForm(post), lambda d: services.proposal_review_advance(
            actor=user, proposal=proposal, note=d["note"], version=d["version"])),
        "register": (forms.RegisterForm(post), lambda d: services.proposal_register(
            actor=user, proposal=proposal, note=d["note"], version=d["version"], registered_on=d["registered_on"],
            publication=d["publication"], show_proposer=d["show_proposer"])),
        "publish": (forms.PublicationForm(post), lambda d: services.proposal_set_publication(
            actor=user, proposal=proposal, publication=d["publication"], show_proposer=d["show_proposer"],
            version=d["version"])),
        "reject": (forms.RejectForm(post), lambda d: services.proposal_reject(
            actor=user, proposal=proposal, reason=d["reason"], conversion=d["conversion"], version=d["version"])),
        "merge": (forms.MergeForm(post, proposal=proposal), lambda d: services.proposal_merge(
            actor=user, proposal=proposal, into=d["into"], version=d["version"])),
        "preassign": (forms.PreassignForm(post, proposal=proposal), lambda d: services.proposal_preassign(
            actor=user, proposal=proposal, main_unit=d["main_unit"], co_units=list(d["co_units"]),
            due_on=d["due_on"], version=d["version"])),
        "rate": (forms.RateForm(post), lambda d: services.proposal_rate(
            actor=user, proposal=proposal, attitude=d["attitude"], result=d["result"], comment=d["comment"])),
        "mark_key": (forms.MarkKeyForm(post, proposal=proposal), lambda d: services.proposal_mark_key(
            actor=user, proposal=proposal, supervising_leader=d["supervising_leader"], note=d["note"])),
        "supervise": (forms.SupervisionForm(post), lambda d: services.supervision_add(
            actor=user, proposal=proposal, kind=d["kind"], held_on=d["held_on"], note=d["note"])),
        "attach": (forms.AttachmentForm(post, request.FILES), lambda d: services.attachment_add(
            actor=user, proposal=proposal, upload=d["file"])),
        "follow_up": (forms.FollowUpForm(post), lambda d: services.reply_follow_up(
            actor=user, reply=_reply_of(proposal, d["reply"]), note=d["note"])),
    }
    if action not in handlers:
        raise Http404
    form, call = handlers[action]
    return _run(request, proposal, action, form, call)


def _reply_of(proposal, reply_id) -> Reply:
    reply = Reply.objects.filter(pk=reply_id, assignment__proposal=proposal).first()
    if reply is None:
        raise DomainError(_("Choose a reply of this proposal."), field="reply")
    return reply


@login_required
@require_POST
def assignment_act(request, pk, action):
    """A department answers a pre-assignment, records a contact or replies."""
    assignment = (Assignment.objects.filter(
        pk=pk, proposal__in=selectors.proposals_visible_to(user=request.user)).select_related("proposal").first())
    if assignment is None:
        raise Http404
    proposal = selectors.proposal_detail(user=request.user, pk=assignment.proposal_id)
    user, prefix = request.user, f"a{assignment.pk}"
    if action == "accept":
        return _run(request, proposal, "accept", None,
                    lambda d: services.assignment_accept(actor=user, assignment=assignment))
    handlers = {
        "contest": (forms.ContestForm(request.POST, prefix=prefix), lambda d: services.assignment_contest(
            actor=user, assignment=assignment, reason=d["reason"])),
        "contact": (forms.ContactForm(request.POST, prefix=prefix), lambda d: services.contact_add(
            actor=user, assignment=assignment, method=d["method"], contacted_on=d["contacted_on"], note=d["note"])),
    }
    reply_form = forms.ReplyForm(request.POST, request.FILES, prefix=prefix, proposal=proposal)
    handlers["reply"] = (reply_form, lambda d: services.reply_submit(
        actor=user, assignment=assignment, reply_class=d["reply_class"], text=d["text"], lines=reply_form.lines(),
        document_number=d["document_number"], letter=d["letter"], follow_up_on=d["follow_up_on"],
        replied_on=d["replied_on"]))
    if action not in handlers:
        raise Http404
    form, call = handlers[action]
    return _run(request, proposal, f"{action}-{assignment.pk}", form, call)


# ── Word exports ──────────────────────────────────────────────────────────────────────────


@login_required
def export_registered(request):
    """The registered-proposal list (立案目录) of the user's scope as a Word document."""
    from . import exports

    org_permissions.require_page_role(request.user, [Role.LEADER, *STAFF_ROLES])
    qs = selectors.proposal_list(user=request.user).filter(number__isnull=False).order_by("org_path", "number")
    home = org_permissions.home_units(request.user).first()
    return exports.registered_list_docx(qs[:2000], unit_name=home.display_body if home else "")


@login_required
def export_reply(request, pk):
    from . import exports

    reply = Reply.objects.filter(pk=pk, assignment__proposal__in=selectors.proposals_visible_to(user=request.user)
                                 ).select_related("assignment__unit", "assignment__proposal__proposer").first()
    if reply is None:
        raise Http404
    return exports.reply_letter_docx(reply)


@files_login_required
def reply_letter_file(request, pk):
    """The signed reply letter a department uploaded: for whoever may see the proposal."""
    from portal.files import serve_private

    reply = Reply.objects.filter(pk=pk, assignment__proposal__in=selectors.proposals_visible_to(user=request.user)
                                 ).exclude(letter="").first()
    if reply is None:
        raise Http404
    return serve_private(reply.letter, filename=f"reply-{reply.pk}{_ext(reply.letter.name)}")


@files_login_required
def attachment_file(request, pk):
    """A proposal's attachment: for whoever may see the proposal."""
    from portal.files import serve_private

    from .models import Attachment

    attachment = Attachment.objects.filter(
        pk=pk, proposal__in=selectors.proposals_visible_to(user=request.user)).first()
    if attachment is None:
        raise Http404
    return serve_private(attachment.file, filename=attachment.name)


def _ext(name: str) -> str:
    import os

    return os.path.splitext(name or "")[1].lower()


# ── 社情民意 ─────────────────────────────────────────────────────────────────────────────


def _office_units(user):
    """City and county units where the user is office or proposal staff (editors)."""
    return org_permissions.units_visible_to(user, STAFF_ROLES).filter(
        kind__in=[UnitKind.CITY, UnitKind.COUNTY]).order_by("path")


@login_required
def opinions(request):
    status = request.GET.get("status", "")
    if status not in OpinionStatus.values:
        status = ""
    page = _page(request, selectors.opinion_list(user=request.user, status=status))
    units = list(_office_units(request.user)[:20])
    compile_forms = []
    for unit in units[:5]:
        form = forms.CompileForm(unit=unit, prefix=f"u{unit.pk}",
                                 initial={"published_on": timezone.localdate()})
        if form.fields["items"].queryset.exists():
            compile_forms.append((unit, form))
    return render(request, "proposals/opinions.html", {
        "page": page, "status": status, "statuses": OpinionStatus.choices, "compile_forms": compile_forms,
    })


def _submit_units(user):
    return org_permissions.units_visible_to(user, [Role.SECRETARY, *STAFF_ROLES]).exclude(
        kind=UnitKind.DEPARTMENT).order_by("path")


@login_required
def opinion_create(request):
    units = _submit_units(request.user)
    form = forms.OpinionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, item = form_action(request, form, lambda: services.opinion_submit(
            actor=request.user, title=d["title"], content=d["content"], unit=d["unit"],
            source_point=d["source_point"], submitted_on=d["submitted_on"]),
            success=_("Thank you — the item was submitted."))
        if ok:
            return redirect(item)
    return render(request, "proposals/form.html", {"form": form, "title": _("Submit public-opinion information"),
                                                   "similar_panel": similar_views.opinion_panel()},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def bulletin_compile(request, unit_pk):
    unit = org_permissions.get_in_scope_or_404(_office_units(request.user), request.user, field="path", pk=unit_pk)
    form = forms.CompileForm(request.POST, unit=unit, prefix=f"u{unit.pk}")
    if form.is_valid():
        ok, bulletin = button_action(request, lambda: services.bulletin_compile(
            actor=request.user, unit=unit, items=list(form.cleaned_data["items"]),
            published_on=form.cleaned_data["published_on"], title=form.cleaned_data["title"]))
        if ok:
            messages.success(request, _("%(bulletin)s compiled.") % {"bulletin": bulletin})
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("proposals:opinions")


def _opinion_context(request, item, bound=None):
    user = request.user
    bound = bound or {}
    actions = allowed_actions(item, user)
    v = {"version": item.version}
    f = {}
    if "reject" in actions:
        f["reject"] = bound.get("reject") or forms.OpinionRejectForm(initial=v)
    if "report" in actions:
        f["report"] = bound.get("report") or forms.ReportForm(initial=v)
    if "adopt" in actions:
        f["adopt"] = bound.get("adopt") or forms.AdoptForm()
    if "instruction" in actions:
        f["instruction"] = bound.get("instruction") or forms.InstructionForm()
    screening = {}
    if is_staff_for(user, item.org_path):
        # Screening: the office compares the item with earlier items and proposals (advisory).
        screening = {"similar_items": similar.similar_opinions(user=user, title=item.title, text=item.content,
                                                               exclude_pk=item.pk),
                     "similar_proposals": similar.similar_proposals_visible(user=user, title=item.title,
                                                                            text=item.content)}
    bulletin_path = item.bulletin.org_path if item.bulletin else ""
    return {"item": item, "forms": f, "timeline": timeline_for(item)[:100], **screening,
            "bulletin_download": bool(bulletin_path) and (is_staff_for(user, bulletin_path)
                                                          or is_leader_for(user, bulletin_path))}


def _opinion_or_404(user, pk):
    return one_or_404(selectors.opinions_visible_to(user=user).select_related("member", "org_unit", "bulletin", "submitter")
                      .prefetch_related("adoptions", "instructions"), pk=pk)


@login_required
def opinion_detail(request, pk):
    item = _opinion_or_404(request.user, pk)
    return render(request, "proposals/opinion_detail.html", _opinion_context(request, item))


@login_required
@require_POST
def opinion_act(request, pk, action):
    item = _opinion_or_404(request.user, pk)
    user, post = request.user, request.POST
    handlers = {
        "reject": (forms.OpinionRejectForm(post), lambda d: services.opinion_reject(
            actor=user, item=item, note=d["note"], version=d["version"])),
        "report": (forms.ReportForm(post), lambda d: services.opinion_report(
            actor=user, item=item, reported_to=d["reported_to"], version=d["version"])),
        "adopt": (forms.AdoptForm(post), lambda d: services.opinion_adopt(
            actor=user, item=item, level=d["level"], adopted_on=d["adopted_on"], by=d["by"])),
        "instruction": (forms.InstructionForm(post), lambda d: services.instruction_add(
            actor=user, item=item, leader=d["leader"], given_on=d["given_on"], text=d["text"],
            handling=d["handling"])),
    }
    if action not in handlers:
        raise Http404
    form, call = handlers[action]
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainError as exc:
            deny_if_not_allowed(exc)
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            ctx = _opinion_context(request, _opinion_or_404(user, pk), {action: form})
            ctx["error"] = str(exc.message)
            return render(request, "proposals/opinion_detail.html", ctx, status=exc.status_code)
        messages.success(request, _("Saved."))
        return redirect(item)
    ctx = _opinion_context(request, item, {action: form})
    ctx["error"] = _("Please correct the errors below.")
    return render(request, "proposals/opinion_detail.html", ctx, status=400)


# ── Evaluation (评议) ─────────────────────────────────────────────────────────────────────


def _open_rounds_for_member(user):
    member = member_of_user(user)
    if member is None:
        return EvaluationRound.objects.none()
    return EvaluationRound.objects.filter(status=EvaluationStatus.OPEN).filter(
        **{"org_unit_id__in": member.org_unit.ancestor_ids})


@login_required
def evaluations(request):
    """Staff see and open rounds; members score units of open rounds; departments answer
    rectification orders. Members and departments act here (no per-round page for them)."""
    user = request.user
    staff_rounds = org_permissions.scoped(EvaluationRound.objects.all(), user, roles=[Role.LEADER, *STAFF_ROLES]
                                          ).select_related("org_unit").order_by("-year", "-id")[:50]
    member_rounds = [(r, forms.UnitScoreForm(unit=r.org_unit, prefix=f"r{r.pk}"))
                     for r in _open_rounds_for_member(user).select_related("org_unit")[:5]]
    rectify = []
    if org_permissions.has_role(user, Role.DEPARTMENT):
        results = (EvaluationResult.objects.filter(org_permissions.scope_q(user, "unit__path", [Role.DEPARTMENT]),
                                                   verdict="rectify").select_related("unit", "round")[:20])
        rectify = [(r, forms.RectifyForm(initial={"result": r.pk, "report": r.rectification_report}))
                   for r in results]
    to_score = []
    if org_permissions.has_role(user, Role.DEPARTMENT):
        assignments = list(selectors.department_inbox(user=user).filter(status=AssignmentStatus.REPLIED)[:20])
        # Only the rounds of units above the department's assignments (never every open round).
        ancestors = {a.unit_path[:i + 1] for a in assignments for i, ch in enumerate(a.unit_path) if ch == "/"}
        rounds = list(EvaluationRound.objects.filter(status=EvaluationStatus.OPEN, org_path__in=ancestors))
        for a in assignments:
            rnd = next((r for r in rounds if a.unit_path.startswith(r.org_path)), None)
            if rnd is not None:
                to_score.append((rnd, a, forms.ProposalScoreForm(initial={"proposal": a.proposal_id},
                                                                 prefix=f"p{a.pk}")))
    units = _office_units(user)
    create_form = forms.RoundForm(initial={"year": timezone.localdate().year}) if units.exists() else None
    return render(request, "proposals/evaluations.html", {
        "staff_rounds": staff_rounds, "member_rounds": member_rounds, "rectify": rectify, "create_form": create_form,
        "to_score": to_score,
    })


@login_required
@require_POST
def evaluation_create(request):
    unit = _office_units(request.user).first()
    if unit is None:
        raise PermissionDenied  # opening a round is the office's of a city or county
    form = forms.RoundForm(request.POST)
    if form.is_valid():
        ok, rnd = button_action(request, lambda: services.evaluation_round_create(
            actor=request.user, unit=unit, **form.cleaned_data))
        if ok:
            return redirect(rnd)
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("proposals:evaluations")


@login_required
@require_POST
def evaluation_score(request):
    """A member (or staff as the committee) scores a handling unit in an open round."""
    try:
        round_id = int(request.POST.get("round_id", ""))
    except ValueError:
        raise Http404
    rnd = (_open_rounds_for_member(request.user).filter(pk=round_id).first()
           or org_permissions.scoped(EvaluationRound.objects.filter(pk=round_id), request.user,
                                     roles=STAFF_ROLES).first())
    if rnd is None:
        raise Http404
    form = forms.UnitScoreForm(request.POST, unit=rnd.org_unit, prefix=f"r{rnd.pk}")
    if form.is_valid():
        d = form.cleaned_data
        button_action(request, lambda: services.unit_score_add(
            actor=request.user, round=rnd, unit=d["unit"], attention=d["attention"],
            communication=d["communication"], adoption=d["adoption"], results=d["results"]),
            success=_("Score saved."))
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("proposals:evaluations")


@login_required
@require_POST
def evaluation_score_proposal(request):
    """A handling unit scores a proposal it handled, in the open round of its county."""
    try:
        round_id, assignment_id = int(request.POST.get("round_id", "")), int(request.POST.get("assignment_id", ""))
    except ValueError:
        raise Http404
    assignment = selectors.department_inbox(user=request.user).filter(pk=assignment_id).first()
    rnd = EvaluationRound.objects.filter(pk=round_id, status=EvaluationStatus.OPEN).first()
    if assignment is None or rnd is None or not assignment.unit_path.startswith(rnd.org_path):
        raise Http404
    form = forms.ProposalScoreForm(request.POST, prefix=f"p{assignment.pk}")
    if form.is_valid():
        d = form.cleaned_data
        button_action(request, lambda: services.proposal_score_add(
            actor=request.user, round=rnd, proposal=assignment.proposal, accuracy=d["accuracy"],
            foresight=d["foresight"], workability=d["workability"]), success=_("Score saved."))
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("proposals:evaluations")


@login_required
@require_POST
def evaluation_rectify(request):
    form = forms.RectifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("proposals:evaluations")
    result = EvaluationResult.objects.filter(pk=form.cleaned_data["result"]).first()
    if result is None:
        raise Http404
    try:
        services.rectification_report_submit(actor=request.user, result=result, report=form.cleaned_data["report"])
    except DomainError as exc:
        if exc.status_code == 403:
            raise Http404 from None  # the result was looked up by id alone: another unit's is not revealed
        refuse(request, exc)
    else:
        messages.success(request, _("Report submitted."))
    return redirect("proposals:evaluations")


@login_required
def evaluation_detail(request, pk):
    rnd = org_permissions.get_in_scope_or_404(EvaluationRound.objects.select_related("org_unit"), request.user,
                                              roles=[Role.LEADER, *STAFF_ROLES], pk=pk)
    staff = is_staff_for(request.user, rnd.org_path)
    ranking = []
    if rnd.status == EvaluationStatus.OPEN:
        from organizations.models import OrgUnit

        rows = services.evaluation_ranking(rnd)
        names = dict(OrgUnit.objects.filter(pk__in=[u for u, _s in rows]).values_list("pk", "name"))
        ranking = [(i, names.get(u, u), s) for i, (u, s) in enumerate(rows, start=1)]
    results = rnd.results.select_related("unit") if rnd.status == EvaluationStatus.CLOSED else []
    # Proposals ranked by the handling units' scores: candidates for 优秀提案 commendation.
    from django.db.models import Avg, F

    top_proposals = (rnd.proposal_scores.values("proposal_id", "proposal__title")
                     .annotate(score=Avg(F("accuracy") + F("foresight") + F("workability")))
                     .order_by("-score", "proposal_id")[:10])
    score_form = forms.UnitScoreForm(unit=rnd.org_unit, prefix=f"r{rnd.pk}") if (
        staff and rnd.status == EvaluationStatus.OPEN) else None
    return render(request, "proposals/evaluation_detail.html", {
        "rnd": rnd, "ranking": ranking, "results": results, "staff": staff, "score_form": score_form,
        "top_proposals": top_proposals,
        "timeline": timeline_for(rnd)[:50],
    })


@login_required
@require_POST
def evaluation_close(request, pk):
    rnd = org_permissions.get_in_scope_or_404(EvaluationRound.objects.all(), request.user, roles=STAFF_ROLES, pk=pk)
    button_action(request, lambda: services.evaluation_close(actor=request.user, round=rnd),
                  success=_("Round closed and ranked."))
    return redirect(rnd)


@login_required
def export_bulletin(request, pk):
    """One 《社情民意》 issue in the official format, for the staff and leaders of its unit and above."""
    from . import exports

    bulletin = org_permissions.get_in_scope_or_404(Bulletin.objects.select_related("org_unit"), request.user,
                                                   roles=[Role.LEADER, *STAFF_ROLES], pk=pk)
    return exports.bulletin_docx(bulletin)


@login_required
def export_evaluation(request, pk):
    from . import exports

    rnd = org_permissions.get_in_scope_or_404(EvaluationRound.objects.all(), request.user,
                                              roles=[Role.LEADER, *STAFF_ROLES], pk=pk)
    return exports.evaluation_report_docx(rnd)

