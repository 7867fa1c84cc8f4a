"""Pages of the org tree: browse, search, a unit's page, edit and move, users in scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.actions import button_action, deny_if_not_allowed, form_action
from portal.audit import timeline_for
from portal.errors import DomainError

from . import permissions, selectors, services, two_factor
from .forms import OrgUnitEditForm, OrgUnitMoveForm, PersonAddForm
from .models import OrgUnit, Role, RoleAssignment
from .unit_sections import sections_for


def _unit_or_404(request, pk):
    return permissions.get_in_scope_or_404(OrgUnit.objects.select_related("parent"), request.user,
                                           field="path", pk=pk)


def _unit_to_manage(request, pk):
    """The refusal policy: a unit outside the scope is a 404; one the user sees without the
    office's role over it is the 403 page."""
    return permissions.get_for_role(OrgUnit.objects.select_related("parent"), request.user,
                                    [Role.ADMIN, Role.OFFICE_CLERK], field="path", pk=pk)


@login_required
def tree(request):
    units = selectors.units_for_tree(user=request.user)
    return render(request, "organizations/tree.html", {"units": units, "q": ""})


@login_required
def tree_children(request, pk):
    parent = _unit_or_404(request, pk)
    units = selectors.units_for_tree(user=request.user, parent=parent)
    return render(request, "organizations/_tree_nodes.html", {"units": units})


@login_required
def search(request):
    q = request.GET.get("q", "")
    results = selectors.units_search(user=request.user, q=q) if q.strip() else []
    template = "organizations/_search_results.html" if request.htmx else "organizations/tree.html"
    return render(request, template, {"results": results, "q": q,
                                      "units": [] if request.htmx else selectors.units_for_tree(user=request.user)})


@login_required
def unit_detail(request, pk):
    unit = _unit_or_404(request, pk)
    can_manage = permissions.has_role(request.user, [Role.ADMIN, Role.OFFICE_CLERK], unit)
    return render(request, "organizations/unit_detail.html", {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": selectors.units_for_tree(user=request.user, parent=unit),
        "bodies": selectors.unit_bodies(unit),
        "can_manage": can_manage,
        "assignments": unit.role_assignments.filter(is_active=True).select_related("user") if can_manage else [],
        "timeline": timeline_for(unit)[:30] if can_manage else [],
        "person_form": PersonAddForm(roles=_grantable_roles(request.user)) if can_manage else None,
        "sections": sections_for(request, unit),
        "two_factor": two_factor.unit_setting(unit) if can_manage else None,
    })


def _grantable_roles(user):
    return [(code, label) for code, label in Role.choices
            if code in services.GRANTABLE_BY_CLERK or permissions.is_admin(user)]


@login_required
@require_http_methods(["POST"])
def person_add(request, pk):
    unit = _unit_or_404(request, pk)
    form = PersonAddForm(request.POST, roles=_grantable_roles(request.user))
    if form.is_valid():
        ok, _result = form_action(request, form, lambda: services.user_create_with_role(
            actor=request.user, unit=unit, **form.cleaned_data), success=_("The person was added."))
        if ok:
            return redirect("organizations:unit", pk=unit.pk)
    return render(request, "organizations/unit_form.html", {"unit": unit, "form": form, "title": _("Add a person")})


@login_required
@require_http_methods(["POST"])
def role_revoke(request, pk, assignment_id):
    unit = _unit_or_404(request, pk)
    assignment = permissions.get_in_scope_or_404(
        RoleAssignment.objects.select_related("user", "unit"), request.user, field="unit__path",
        pk=assignment_id, unit=unit)
    button_action(request, lambda: services.role_revoke(actor=request.user, assignment=assignment),
                  success=_("The role was removed."))
    return redirect("organizations:unit", pk=unit.pk)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    unit = _unit_to_manage(request, pk)
    if request.method == "POST":
        form = OrgUnitEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            ok, _result = form_action(request, form, lambda: services.orgunit_update(
                actor=request.user, unit=unit, version=version, **data), success=_("Saved."))
            if ok:
                return redirect("organizations:unit", pk=unit.pk)
    else:
        form = OrgUnitEditForm(initial={
            "name": unit.name, "short_name": unit.short_name, "liaison_body_name": unit.liaison_body_name,
            "kind": unit.kind, "version": unit.version,
        })
    return render(request, "organizations/unit_form.html", {"unit": unit, "form": form, "title": _("Edit unit")})


@login_required
@require_http_methods(["GET", "POST"])
def unit_move(request, pk):
    unit = _unit_to_manage(request, pk)
    candidates = permissions.units_visible_to(request.user, roles=[Role.ADMIN, Role.OFFICE_CLERK]).exclude(
        path__startswith=unit.path).filter(is_active=True).order_by("path")
    form = OrgUnitMoveForm(request.POST or None, units=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.orgunit_move(actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"])
        except DomainError as exc:
            deny_if_not_allowed(exc)
            form.add_error("parent", str(exc.message))
        else:
            messages.success(request, _("The unit and everything under it were moved."))
            return redirect("organizations:unit", pk=unit.pk)
    return render(request, "organizations/unit_form.html", {"unit": unit, "form": form, "title": _("Move unit")})


@login_required
def user_list(request):
    permissions.require_page_role(request.user, [Role.ADMIN, Role.OFFICE_CLERK])
    assignments = selectors.assignments_in_scope(user=request.user)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        assignments = assignments.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q))
    page = Paginator(assignments, 30).get_page(request.GET.get("page"))
    return render(request, "organizations/user_list.html", {"page": page, "q": q})


@login_required
@require_http_methods(["POST"])
def two_factor_setting(request, pk):
    """Turn "staff of this unit and below log in with two-factor" on or off."""
    unit = _unit_or_404(request, pk)
    on = request.POST.get("on") == "1"
    button_action(request, lambda: services.two_factor_require(actor=request.user, unit=unit, on=on),
                  success=_("Staff of this unit and the units below it now log in with two-factor.") if on
                  else _("Two-factor login is no longer required by this unit."))
    return redirect("organizations:unit", pk=unit.pk)


@login_required
@require_http_methods(["POST"])
def two_factor_reset(request, user_id):
    """An office resets a person's two-factor login (lost phone): they enrol again at the next login."""
    assignment = selectors.assignments_in_scope(user=request.user).filter(user_id=user_id).first()
    if assignment is None:
        raise Http404
    button_action(request, lambda: services.two_factor_reset(actor=request.user, user=assignment.user),
                  success=_("Two-factor login of %(name)s was reset: they set it up again at their "
                            "next login.") % {"name": assignment.user.label})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("organizations:users")
