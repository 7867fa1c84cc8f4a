"""Pages: member directory and profile, postings, my duties (phone), verification queue,
rankings and scoring plans, workrooms, imports and pool draws. Thin: services do the work."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organizations import permissions
from organizations.models import Body, OrgUnit, UnitKind
from portal.actions import add_form_error, button_action, form_action, refuse
from portal.audit import timeline_for
from portal.errors import DomainError
from portal.files import files_login_required
from portal.fragments import render_rows
from portal.links import link_to, row_links
from portal.lookups import one_or_404
from portal.workflow import allowed_actions

from . import exports, importer, my_page, page_sections, scoring, selectors, services
from .forms import (
    ChecklistItemForm,
    DutyRecordForm,
    EvidenceForm,
    ImportForm,
    MemberFilterForm,
    MemberForm,
    PoolDrawForm,
    PostingForm,
    ReviewForm,
    ScoringPlanForm,
    WorkroomActionForm,
    WorkroomActivityForm,
    WorkroomForm,
)
from .models import ChecklistItem, Member, Posting, WorkroomStatus
from .workflows import DECISIONS, WORKROOM

CLERKS = selectors.CLERK_ROLES



def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def _clerk_units(user, kinds=None):
    qs = permissions.units_visible_to(user, roles=CLERKS)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("path")


def _unit_param(request, qs, name="unit"):
    raw = request.GET.get(name) or request.POST.get(name)
    if not raw:
        return None
    try:
        return qs.filter(pk=int(raw)).first()
    except (TypeError, ValueError, OverflowError):
        return None


# --- directory and profile ------------------------------------------------------------------

@login_required
def member_list(request):
    units = permissions.units_visible_to(request.user).order_by("path")
    bodies = Body.objects.filter(unit__in=units.filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY]), is_active=True)
    form = MemberFilterForm(request.GET or None, units=units.exclude(kind=UnitKind.DEPARTMENT).only("pk", "name", "path"),
                            bodies=bodies)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.member_list(user=request.user, q=filters.get("q", ""), unit=filters.get("unit"),
                               sector=filters.get("sector"), committee=filters.get("committee"),
                               level=filters.get("level", ""))
    page = selectors.directory_page(qs, request.GET.get("page"))  # "next" without counting the scope
    to = link_to("members:detail")
    for row in page.object_list:
        row["href"] = to(row["id"])
    return render(request, "members/member_list.html", {
        "page": page, "form": form, "q": filters.get("q", ""),
        "rows": render_rows("members/_directory_rows.html", rows=page.object_list, standing_label=_("standing")),
        "can_manage": permissions.has_role(request.user, CLERKS),
    })


def _member_or_404(request, pk):
    return one_or_404(selectors.member_detail_qs(request.user), pk=pk)


@login_required
def member_detail(request, pk):
    member = _member_or_404(request, pk)
    can_manage = selectors.can_manage_member(request.user, member)
    is_self = member.user_id == request.user.pk
    year = _year(request)
    score, entries = scoring.explain(member, year)
    return render(request, "members/member_detail.html", {
        "member": member, "can_manage": can_manage, "is_self": is_self, "year": year,
        "score": score, "entries": entries[:200],
        "posting_form": PostingForm(units=_clerk_units(request.user, services.POSTABLE_KINDS)) if can_manage else None,
        "workrooms": member.workrooms.select_related("org_unit"),
        "timeline": timeline_for(member)[:20] if can_manage else [],
        "sections": page_sections.member_sections(request, member),
    })


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    units = _clerk_units(request.user, [UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY])
    unit = _unit_param(request, units) or units.first()
    if unit is None:
        raise PermissionDenied  # no office of a city or county: adding members is not the user's
    form = MemberForm(request.POST or None, unit=unit, initial={"level": "county", "is_active": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        committees = data.pop("committees")
        ok, member = form_action(
            request, form, lambda: services.member_create(actor=request.user, unit=unit, committees=committees, **data),
            success=_("The member was added."))
        if ok:
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "title": _("New member of %(unit)s") % {
        "unit": unit.name}, "units": units, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = _member_or_404(request, pk)
    if not selectors.can_manage_member(request.user, member):
        raise PermissionDenied  # in the user's scope, not theirs to manage
    form = MemberForm(request.POST or None, unit=member.org_unit, initial=MemberForm.initial_for(member))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        committees = data.pop("committees")
        ok, _result = form_action(request, form, lambda: services.member_update(
            actor=request.user, member=member, version=version, committees=committees, **data), success=_("Saved."))
        if ok:
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "title": member.name})


@login_required
@require_http_methods(["POST"])
def posting_add(request, pk):
    member = _member_or_404(request, pk)
    form = PostingForm(request.POST, units=_clerk_units(request.user, services.POSTABLE_KINDS))
    if form.is_valid():
        button_action(request, lambda: services.posting_add(
            actor=request.user, member=member, unit=form.cleaned_data["unit"], basis=form.cleaned_data["basis"],
            started_on=form.cleaned_data["started_on"]), success=_("The member was posted."))
    else:
        messages.error(request, _("Choose a township or community in your area."))
    return redirect("members:detail", pk=member.pk)


@login_required
@require_http_methods(["POST"])
def posting_end(request, pk):
    posting = one_or_404(Posting.objects.select_related("member"), pk=pk,
                         member__in=selectors.members_in_scope(user=request.user))
    button_action(request, lambda: services.posting_end(actor=request.user, posting=posting),
                  success=_("The posting ended."))
    return redirect("members:detail", pk=posting.member_id)


# --- duties --------------------------------------------------------------------------------

@login_required
def my_duties(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        return render(request, "members/my_duties.html", {"member": None})
    today = timezone.localdate()
    year = _year(request)
    score, entries = scoring.explain(member, year)
    return render(request, "members/my_duties.html", {
        "member": member, "score": score, "entries": entries, "year": year,
        "on_pace": scoring.expected_by(score.minimum, today) if year == today.year else score.minimum,
        "workrooms": member.workrooms.filter(status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED]),
        "sections": my_page.sections_for(request, member),
    })


def _duty_form_page(request, member, *, clerk: bool, back):
    kinds = services.manual_kinds(clerk=clerk)
    form = DutyRecordForm(request.POST or None, request.FILES or None, kinds=kinds,
                          initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _result = form_action(request, form, lambda: services.duty_record_submit(
            actor=request.user, member=member, kind=data["kind"], occurred_on=data["occurred_on"], title=data["title"],
            note=data["note"], evidence=data["evidence"]),
            success=_("Your entry was saved and awaits verification.") if not clerk else _("The entry was saved."))
        if ok:
            return redirect(back)
    return render(request, "members/duty_form.html", {"form": form, "member": member, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def my_duty_add(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    return _duty_form_page(request, member, clerk=False, back="members:me")


@login_required
@require_http_methods(["GET", "POST"])
def duty_add_for(request, pk):
    member = _member_or_404(request, pk)
    if not selectors.can_manage_member(request.user, member):
        raise PermissionDenied  # in the user's scope, not theirs to manage
    from django.urls import reverse

    return _duty_form_page(request, member, clerk=True, back=reverse("members:detail", args=[member.pk]))


def _record_or_404(request, pk):
    return one_or_404(selectors.duty_records_visible_to(request.user).select_related("member", "org_unit"), pk=pk)


@files_login_required
def duty_evidence(request, pk):
    record = _record_or_404(request, pk)
    if not record.evidence:
        raise Http404
    from portal.files import serve_private

    return serve_private(record.evidence, as_attachment=False)


@login_required
@require_http_methods(["POST"])
def duty_cancel(request, pk):
    record = _record_or_404(request, pk)
    button_action(request, lambda: services.duty_record_cancel(actor=request.user, record=record),
                  success=_("The entry was withdrawn."))
    return redirect("members:me")


@login_required
def review_queue(request):
    permissions.require_page_role(request.user, CLERKS)
    page = Paginator(selectors.pending_reviews(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "members/review_queue.html", {"page": page, "form": ReviewForm()})


@login_required
@require_http_methods(["POST"])
def duty_review(request, pk):
    record = _record_or_404(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose verify or reject."))
    else:
        ok, _result = button_action(request, lambda: services.duty_record_review(
            actor=request.user, record=record, approve=form.cleaned_data["decision"] == "verify",
            note=form.cleaned_data["note"]))
        if ok:
            messages.success(request, _("%(member)s: entry %(status)s.") % {
                "member": record.member.name, "status": record.get_status_display()})
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("members:review")


# --- ranking and scoring plans -----------------------------------------------------------------

def _ranking_context(request):
    units = list(selectors.ranking_units(request.user))  # read once: the choice and the select
    raw = request.GET.get("unit") or request.POST.get("unit")
    unit = next((u for u in units if str(u.pk) == raw), None) if raw else None
    unit = unit or (units[0] if units else None)
    if unit is None:
        raise Http404
    year = _year(request)
    return unit, year, units


def _ranking_labels(scores) -> None:
    """What each ranked row prints, as plain attributes (members/ranking.html): the properties
    and translations once per row or per distinct value here, not through template tags."""
    points: dict[int, str] = {}
    for s in scores:
        s.below = s.below_minimum
        s.resign = s.escalation == "resign"
        shortfall = s.shortfall
        if shortfall and shortfall not in points:
            points[shortfall] = _("%(n)s points") % {"n": shortfall}
        s.shortfall_label = points[shortfall] if shortfall else ""
        s.quota_labels = [str(label) for label in s.missing_quotas]


@login_required
def ranking(request):
    unit, year, units = _ranking_context(request)
    below = request.GET.get("below") == "1"
    ranked = selectors.ranking_page(request.user, unit, year, below=below, page=request.GET.get("page"))
    page = ranked.page
    row_links(page.object_list, "members:detail", key="member.pk")
    _ranking_labels(page.object_list)
    rows = render_rows("members/_ranking_rows.html", rows=page.object_list, year=year, commend_label=_("commend"),
                       resign_label=_("advise resignation"), interview_label=_("interview"))
    return render(request, "members/ranking.html", {
        "unit": unit, "year": year, "units": units, "page": page, "rows": rows,
        "total": ranked.total, "below_count": ranked.below_count, "below": below,
        "can_manage": permissions.has_role(request.user, CLERKS, unit),
        "plan": ranked.plan,
    })


@login_required
def ranking_export(request):
    unit, year, _units = _ranking_context(request)
    scores = selectors.ranking(request.user, unit, year)
    return exports.ranking_xlsx(unit, year, scores)


@login_required
def member_report(request, pk):
    member = _member_or_404(request, pk)
    year = _year(request)
    score, entries = scoring.explain(member, year)
    return exports.member_report_docx(member, year, score, entries)


@login_required
@require_http_methods(["GET", "POST"])
def scoring_plan(request):
    units = _clerk_units(request.user, [UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY])
    unit = _unit_param(request, units) or units.first()
    if unit is None:
        raise PermissionDenied  # the scoring rules are the offices' of a city or county
    year = _year(request) if request.method == "GET" else _year_from_post(request)
    resolved = scoring.resolve_plans([unit], year)[unit.pk]
    own = resolved.plan if resolved.plan and resolved.plan.org_unit_id == unit.pk else None
    today = timezone.localdate()
    effective = max(datetime.date(year, 1, 1), today) if year == today.year else datetime.date(year, 1, 1)
    initial = {"annual_minimum": resolved.annual_minimum, "require_four_ones": resolved.require_four_ones,
               "commend_top_percent": resolved.commend_top_percent, "interview_bottom": resolved.interview_bottom,
               "version": own.version if own else None, "valid_from": effective if own else None}
    from . import duty

    for code in duty.kinds():
        initial[f"points_{code}"] = resolved.points_for(code, effective)
    form = ScoringPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _result = form_action(request, form, lambda: services.scoring_plan_save(
            actor=request.user, unit=unit, year=year, annual_minimum=data["annual_minimum"],
            points=form.points(), valid_from=data["valid_from"], require_four_ones=data["require_four_ones"],
            commend_top_percent=data["commend_top_percent"], interview_bottom=data["interview_bottom"],
            version=data["version"]), success=_("The scoring rules were saved; scores are recomputed."))
        if ok:
            return redirect(f"{request.path}?unit={unit.pk}&year={year}")
    rules = list(own.rules.all()) if own else []
    return render(request, "members/scoring_plan.html", {
        "form": form, "unit": unit, "units": units, "year": year, "plan": own, "inherited": resolved.plan,
        "rules": rules, "timeline": timeline_for(own)[:20] if own else [],
    })


def _year_from_post(request):
    try:
        year = int(request.GET.get("year") or request.POST.get("year"))
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


# --- workrooms ------------------------------------------------------------------------------

@login_required
def workroom_list(request):
    status = request.GET.get("status", "")
    if status not in WorkroomStatus.values:
        status = ""
    idle = request.GET.get("idle") == "1"
    q = request.GET.get("q", "").strip()[:50]
    today = timezone.localdate()
    qs = selectors.workroom_list(request.user, status=status, idle_only=idle, q=q, today=today)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "members/workroom_list.html", {
        "page": page, "status": status, "idle": idle, "q": q, "statuses": WorkroomStatus.choices,
        "can_create": permissions.has_role(request.user, services.WORKROOM_EDITORS),
    })


def _workroom_or_404(request, pk):
    return one_or_404(selectors.workrooms_visible_to(request.user).select_related("org_unit", "lead_member"), pk=pk)


def _candidates(unit):
    """Members who can join a workroom at `unit`: those of the CPPCC units above it and those
    posted into its area."""
    from django.db.models import Exists, OuterRef, Q

    posted = Posting.objects.filter(member=OuterRef("pk"), is_active=True, org_path__startswith=unit.path)
    ancestor_paths = list(OrgUnit.objects.filter(pk__in=unit.ancestor_ids).values_list("path", flat=True))
    return Member.objects.filter(Q(org_path__in=ancestor_paths) | Q(org_path__startswith=unit.path) | Exists(posted),
                                 is_active=True).order_by("name", "pk")


@login_required
def workroom_detail(request, pk):
    workroom = _workroom_or_404(request, pk)
    can_edit = permissions.has_role(request.user, services.WORKROOM_EDITORS, workroom.org_unit)  # evidence
    allowed = allowed_actions(workroom, request.user)  # the WORKROOM table of members/workflows.py
    today = timezone.localdate()
    idle_days = selectors.idle_days(workroom.org_unit)
    idle = selectors.is_idle(workroom, today, idle_days)
    actions = [(a, WORKROOM[a].label) for a in allowed if a in DECISIONS]
    return render(request, "members/workroom_detail.html", {
        "w": workroom, "members": workroom.members.select_related("org_unit"),
        "activities": workroom.activities.prefetch_related("participants")[:50],
        "compliance": services.compliance(workroom), "can_edit": can_edit, "may_edit": "edit" in allowed,
        "idle": idle, "idle_days": idle_days, "actions": actions,
        "action_form": WorkroomActionForm(initial={"version": workroom.version}),
        "activity_form": WorkroomActivityForm(members=workroom.members.all(), initial={"occurred_on": today})
        if "activity" in allowed else None,
        "timeline": timeline_for(workroom)[:30],
        "sections": page_sections.workroom_sections(request, workroom),
    })


@login_required
@require_http_methods(["GET", "POST"])
def workroom_edit(request, pk=None):
    workroom = _workroom_or_404(request, pk) if pk else None
    units = permissions.units_visible_to(request.user, roles=services.WORKROOM_EDITORS).exclude(
        kind=UnitKind.DEPARTMENT).order_by("path")
    if workroom and not permissions.has_role(request.user, services.WORKROOM_EDITORS, workroom.org_unit):
        raise PermissionDenied  # a workroom the user sees but may not edit
    if not units.exists():
        raise PermissionDenied  # no unit where the user may apply for a workroom
    unit = workroom.org_unit if workroom else (_unit_param(request, units) or units.first())
    initial = {"unit": unit.pk}
    if workroom:
        initial.update({f: getattr(workroom, f) for f in services.WORKROOM_FIELDS})
        initial.update(version=workroom.version, lead_member=workroom.lead_member_id,
                       members=list(workroom.members.values_list("pk", flat=True)))
    form = WorkroomForm(request.POST or None, units=units.filter(pk=unit.pk) if workroom else units,
                        members=_candidates(unit), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        target = data.pop("unit")
        members = list(data.pop("members"))
        ok, saved = form_action(request, form, lambda: (
            services.workroom_update(actor=request.user, workroom=workroom, version=version, members=members, **data)
            if workroom else services.workroom_create(actor=request.user, unit=target, members=members, **data)),
            success=_("Saved."))
        if ok:
            return redirect("members:workroom", pk=saved.pk)
    return render(request, "members/form.html", {
        "form": form, "title": workroom.name if workroom else _("Apply for a workroom"), "multipart": False})


@login_required
@require_http_methods(["POST"])
def workroom_action(request, pk, action):
    workroom = _workroom_or_404(request, pk)
    form = WorkroomActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was not valid."))
        return redirect("members:workroom", pk=workroom.pk)
    version, note = form.cleaned_data["version"], form.cleaned_data["note"]
    try:
        if action in ("check_pass", "check_fail"):
            services.workroom_annual_check(actor=request.user, workroom=workroom, passed=action == "check_pass",
                                           note=note, version=version)
        elif action in DECISIONS:
            services.workroom_transition(actor=request.user, workroom=workroom, action=action, version=version,
                                         note=note)
        else:
            raise Http404
    except DomainError as exc:
        refuse(request, exc)  # a missing role: 403; the workroom's state: back to it, with the reason
    else:
        messages.success(request, _("Saved."))
    return redirect("members:workroom", pk=workroom.pk)


@login_required
@require_http_methods(["POST"])
def workroom_activity(request, pk):
    workroom = _workroom_or_404(request, pk)
    form = WorkroomActivityForm(request.POST, members=workroom.members.all())
    if form.is_valid():
        button_action(request, lambda: services.workroom_activity_add(
            actor=request.user, workroom=workroom, **form.cleaned_data),
            success=_("The activity was logged; participants' duty files were updated."))
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("members:workroom", pk=workroom.pk)


@login_required
@require_http_methods(["POST"])
def workroom_evidence(request, pk):
    workroom = _workroom_or_404(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a checklist item."))
        return redirect("members:workroom", pk=workroom.pk)
    item = ChecklistItem.objects.filter(pk=form.cleaned_data["item"]).first()
    if item is None:
        raise Http404
    button_action(request, lambda: services.checklist_evidence_upload(
        actor=request.user, workroom=workroom, item=item, file=form.cleaned_data["file"],
        note=form.cleaned_data["note"]), success=_("The evidence was saved."))
    return redirect("members:workroom", pk=workroom.pk)


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request):
    units = _clerk_units(request.user).exclude(kind=UnitKind.DEPARTMENT)
    unit = _unit_param(request, units) or units.first()
    if unit is None:
        raise PermissionDenied  # the checklist is the offices'
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = form_action(request, form, lambda: services.checklist_item_add(
            actor=request.user, unit=unit, **form.cleaned_data), success=_("Saved."))
        if ok:
            return redirect(f"{request.path}?unit={unit.pk}")
    return render(request, "members/checklist.html", {
        "form": form, "unit": unit, "units": units, "items": services.checklist_for(unit)})


# --- import and pools ---------------------------------------------------------------------------

IMPORT_STASH_KEY = "members.import.stash"


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    units = _clerk_units(request.user, [UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY])
    if not units.exists():
        raise PermissionDenied  # importing members is the offices' of a city or county
    # the file checked by the preview is kept server-side; the session holds its signed token
    stash = importer.load_stash(actor=request.user, token=request.session.get(IMPORT_STASH_KEY))
    if request.method == "GET" and stash is not None:  # a fresh visit starts over
        importer.discard_stash(stash)
        request.session.pop(IMPORT_STASH_KEY, None)
        stash = None
    confirming = request.POST.get("confirm") == "1"
    form = ImportForm(request.POST or None, request.FILES or None, units=units,
                      file_kept=confirming and stash is not None)
    result = None
    if request.method == "POST" and form.is_valid():
        unit, upload = form.cleaned_data["unit"], form.cleaned_data["file"]
        try:
            if upload is None and stash.unit_id != unit.pk:
                form.add_error("unit", _("The file was checked for another unit. Check it again for this unit."))
            elif confirming:
                result = importer.import_file(actor=request.user, unit=unit, upload=upload or stash.open())
                if result.ok:
                    importer.discard_stash(stash)
                    request.session.pop(IMPORT_STASH_KEY, None)
                    messages.success(request, _("%(n)d members were imported.") % {"n": result.created})
                    return redirect("members:list")
            else:
                importer.discard_stash(stash)
                request.session.pop(IMPORT_STASH_KEY, None)
                stash = None
                result = importer.check_file(actor=request.user, unit=unit, upload=upload)
                if result.ok:
                    request.session[IMPORT_STASH_KEY] = importer.stash_upload(
                        actor=request.user, unit=unit, upload=upload)
                    stash = importer.load_stash(actor=request.user, token=request.session[IMPORT_STASH_KEY])
        except importer.ImportFileError as exc:
            form.add_error("file", exc.message)
        except DomainError as exc:
            add_form_error(form, exc)
        if result is not None and result.ok and stash is not None:
            form = ImportForm(initial={"unit": unit.pk}, units=units, file_kept=True)
    return render(request, "members/import.html", {"form": form, "result": result, "kept": stash,
                                                   "header": importer.TEMPLATE_HEADER})


@login_required
def import_template(request):
    return exports.import_template_xlsx()


@login_required
def pool_draw(request):
    units = permissions.units_visible_to(request.user).exclude(kind=UnitKind.DEPARTMENT).order_by("path")
    if not units.exists():
        raise PermissionDenied  # no area to draw from: the page is the staff's
    form = PoolDrawForm(request.GET or None, units=units)
    result = None
    if request.GET and form.is_valid():
        result = selectors.pool_draw(request.user, **form.cleaned_data)
    return render(request, "members/pool_draw.html", {"form": form, "result": result})


