"""The office cockpit's pages (驾驶舱): the full-screen view and the JSON its script refreshes
itself from (thin: reports.cockpit reads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.errors import DomainError

from . import cockpit, selectors
from .views import _require_reporter


@login_required
@require_GET
def cockpit_index(request):
    """The cockpit of the top unit of the user's reporting scope (a list when there are several)."""
    _require_reporter(request.user)
    roots = selectors.report_roots(user=request.user)
    if len(roots) == 1:
        return redirect("reports:cockpit", roots[0].pk)
    return render(request, "reports/cockpit_index.html", {"roots": roots})


@login_required
@require_GET
def cockpit_page(request, pk):
    _require_reporter(request.user)
    unit = cockpit.cockpit_unit_or_404(user=request.user, pk=pk)
    context = {"unit": unit, "figures": cockpit.figures(),
               "breadcrumb": selectors.breadcrumb(user=request.user, unit=unit)}
    try:
        figure = cockpit.figure_or_error(request.GET.get("figure"))
    except DomainError as exc:
        context["error"] = str(exc)
        return render(request, "reports/cockpit.html", context, status=400)
    context.update(figure=figure, data=cockpit.cockpit_for(unit=unit, figure=figure))
    return render(request, "reports/cockpit.html", context)


@login_required
@require_GET
def cockpit_data(request, pk):
    """The same numbers as JSON (the page refreshes from it); errors as {"error": …} with 400."""
    _require_reporter(request.user)
    unit = cockpit.cockpit_unit_or_404(user=request.user, pk=pk)
    try:
        figure = cockpit.figure_or_error(request.GET.get("figure"))
    except DomainError as exc:
        return JsonResponse({"error": str(exc), "field": "figure"}, status=400)
    return JsonResponse(cockpit.cockpit_for(unit=unit, figure=figure), json_dumps_params={"ensure_ascii": False})
