"""Dashboards, record lists, exports and the Word template (thin: selectors read, services write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations import permissions
from portal.actions import add_form_error, deny_if_not_allowed
from portal.errors import DomainError, GuardFailed
from portal.files import files_login_required
from portal.traffic import LABELS as LIGHT_LABELS

from . import selectors, services
from .exports import DEFAULT_TEMPLATE
from .forms import TemplateUploadForm
from .models import ExportJob, ExportKind
from .periods import parse_period


def dashboard_buttons():
    return [(ExportKind.DASHBOARD, _("Export to Excel"), "file-earmark-spreadsheet"),
            (ExportKind.WORD_PACK, _("Annual report pack (Word)"), "file-earmark-word")]


def _require_reporter(user):
    if not selectors.can_report(user):
        raise PermissionDenied


@login_required
@require_GET
def index(request):
    _require_reporter(request.user)
    roots = selectors.report_roots(user=request.user)
    if len(roots) == 1:
        return redirect("reports:unit", roots[0].pk)
    return render(request, "reports/index.html", {"roots": roots})


def chart_data(board) -> dict:
    return {
        "sections": [
            {"label": s.label, "metrics": [{"key": c.metric.key, "label": str(c.metric.label),
                                            "rate": selectors.is_percent(c.metric)} for c in s.cells]}
            for s in board.sections
        ],
        "children": [{"name": r.unit.name, "values": {c.metric.key: c.value for c in r.cells},
                      "url": reverse("reports:unit", args=[r.unit.pk]) + "?" + board.period.query()} for r in board.rows],
    }


@login_required
@require_GET
def unit_dashboard(request, pk):
    _require_reporter(request.user)
    units = selectors.dashboard_units(user=request.user, pk=pk)  # the unit, its ancestors and children
    unit = units.unit
    period, form = parse_period(request.GET, on_demand=True)  # the form is shown only when the body is rendered
    context = {"unit": unit, "form": form, "breadcrumb": units.breadcrumb,
               "can_edit_template": permissions.has_role(request.user, selectors.REPORT_EDIT_ROLES, unit)}
    if period is None:
        return render(request, "reports/dashboard.html", context, status=400)
    # the numbers, cells and charts are built when the (cached) tables are rendered, not on a cache hit
    board = selectors.LazyDashboard(unit=unit, period=period, shown=(units.children, units.parents))
    context.update(board=board, period=period, charts=lambda: chart_data(board), dashboard_buttons=dashboard_buttons(),
                   light_labels=LIGHT_LABELS, as_of_text=as_of_text(board.as_of))
    key = selectors.body_cache_key(board=board, breadcrumb=units.breadcrumb,
                                   can_edit_template=context["can_edit_template"])
    if not key:  # computed directly: nothing cached
        context["lights"] = selectors.deadline_lights(unit)
        return render(request, "reports/dashboard.html", context)
    # The page's body from the cache (rendered once per unit, period, summary version, language and
    # what the viewer may see, kept with today's traffic lights it shows: other lights, another
    # body), read in the same round trip as the lights; this request's CSRF token and "as of" time
    # put in.
    today = timezone.localdate()
    lights_key = selectors.lights_cache_key(unit, today)
    found = cache.get_many([lights_key, key])
    lights = context["lights"] = selectors.deadline_lights(unit, today=today, cached=found.get(lights_key))
    shown = selectors.lights_values(lights)
    entry = found.get(key)
    if entry is None or entry[0] != shown:
        entry = (shown, render_to_string("reports/_dashboard_body.html",
                                         {**context, "csrf_token": BODY_CSRF, "as_of_text": BODY_AS_OF}, request=request))
        cache.set(key, entry, selectors.BODY_TTL)
    token = get_token(request)
    context.update(csrf_token=token, body=mark_safe(  # our own template's output, stand-ins replaced
        entry[1].replace(BODY_CSRF, token).replace(BODY_AS_OF, conditional_escape(context["as_of_text"]))))
    return render(request, "reports/dashboard.html", context)


# Stand-ins rendered into the cached body (letters only: escaping leaves them as they are)
BODY_CSRF = "dashboardBodyCsrfTokenStandIn"
BODY_AS_OF = "dashboardBodyAsOfStandIn"


def as_of_text(as_of) -> str:
    """What `{{ as_of|date:"SHORT_DATETIME_FORMAT" }}` prints (before escaping), in the current
    language and time zone."""
    return date_filter(template_localtime(as_of), "SHORT_DATETIME_FORMAT")


@login_required
@require_GET
def records(request, pk, key):
    _require_reporter(request.user)
    unit = selectors.report_unit_or_404(user=request.user, pk=pk)
    metric = selectors.metric_or_404(key)
    period, form = parse_period(request.GET)
    if period is None:
        return render(request, "reports/records.html", {"unit": unit, "metric": metric, "form": form}, status=400)
    qs = selectors.records_for(user=request.user, unit=unit, metric=metric, period=period)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "reports/records.html", {
        "unit": unit, "metric": metric, "period": period, "page": page, "form": form,
        "breadcrumb": selectors.breadcrumb(user=request.user, unit=unit),
        "record_buttons": [(ExportKind.RECORDS, _("Export to Excel"), "file-earmark-spreadsheet")],
    })


@login_required
@require_POST
def export_create(request, pk):
    _require_reporter(request.user)
    unit = selectors.report_unit_or_404(user=request.user, pk=pk)
    period, _form = parse_period(request.POST)
    kind = request.POST.get("kind", "")
    if period is None or kind not in ExportKind.values:
        return HttpResponseBadRequest(_("The export request is not valid; check the period."))
    params = {"period": period.as_params(), "language": get_language()}
    if kind == ExportKind.RECORDS:
        params["metric"] = selectors.metric_or_404(request.POST.get("metric", "")).key
    try:
        job, created = services.export_request(actor=request.user, unit=unit, kind=kind, params=params)
    except DomainError as exc:
        deny_if_not_allowed(exc)  # no report role over the unit: the 403 page
        return HttpResponseBadRequest(str(exc))
    if request.htmx:
        return render(request, "reports/_export_status.html", {"job": job, "reused": not created})
    if not created:
        messages.info(request, _("The same export is already running; showing its progress."))
    return redirect("reports:export", job.pk)


def _own_job_or_404(request, pk) -> ExportJob:
    qs = ExportJob.objects.filter(requested_by=request.user).select_related("org_unit")
    return permissions.get_in_scope_or_404(qs, request.user, roles=selectors.REPORT_ROLES, pk=pk)


@login_required
@require_GET
def export_status(request, pk):
    job = _own_job_or_404(request, pk)
    template = "reports/_export_status.html" if request.htmx else "reports/export.html"
    return render(request, template, {"job": job})


@files_login_required
@require_GET
def export_download(request, pk):
    job = _own_job_or_404(request, pk)
    try:
        file = services.export_file(actor=request.user, job=job)
    except GuardFailed:
        raise Http404 from None  # not ready (or failed): there is no file to hand out
    from portal.files import serve_private

    return serve_private(file, filename=job.filename or "export")


@login_required
@require_GET
def export_list(request):
    _require_reporter(request.user)
    jobs = ExportJob.objects.filter(requested_by=request.user).select_related("org_unit")[:30]
    return render(request, "reports/exports.html", {"jobs": jobs})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    unit = selectors.report_unit_or_404(user=request.user, pk=pk)
    if not permissions.has_role(request.user, selectors.REPORT_EDIT_ROLES, unit):
        raise PermissionDenied
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("reset"):
            try:
                services.template_reset(actor=request.user, unit=unit)
                messages.success(request, _("The built-in template is used again."))
                return redirect("reports:template", unit.pk)
            except DomainError as exc:
                add_form_error(form, exc)
        elif form.is_valid():
            try:
                services.template_upload(actor=request.user, unit=unit, upload=form.cleaned_data["file"])
                messages.success(request, _("The template was saved; the next report pack uses it."))
                return redirect("reports:template", unit.pk)
            except DomainError as exc:
                add_form_error(form, exc)
    current = services.template_for(unit)
    return render(request, "reports/template.html", {"unit": unit, "form": form, "current": current})


@files_login_required
@require_GET
def template_download(request, pk):
    unit = selectors.report_unit_or_404(user=request.user, pk=pk)
    current = services.template_for(unit)
    if current is not None:
        from portal.files import serve_private

        return serve_private(current.file, filename="年度工作报告素材模板.docx")
    from portal.documents import DOCX
    from portal.files import download

    return download(open(DEFAULT_TEMPLATE, "rb"), "年度工作报告素材模板.docx", content_type=DOCX)


def unit_section(request, unit):
    """On the org tree's unit page: a link to the unit's dashboard, for those who may see it."""
    if permissions.in_scope(request.user, unit.path, selectors.REPORT_ROLES) and selectors.can_report(request.user):
        return {"template": "reports/_unit_section.html", "unit": unit,
                "url": reverse("reports:unit", args=[unit.pk])}
    return None


def home_panel(request):
    """On the home page of those who report: their top units' key numbers this year (from the
    summary tables when fresh), each linking to the dashboard."""
    if not selectors.can_report(request.user):
        return None
    from django.utils import timezone

    from .periods import year_period

    roots = selectors.report_roots(user=request.user)[:3]
    if not roots:
        return None
    period = year_period(timezone.localdate().year)
    keys = [m.key for m in selectors.metrics_in_order()][:4]
    numbers = selectors.numbers_for(roots, period, keys)
    metrics = selectors.metrics_in_order(keys)
    return {"template": "reports/_home_panel.html", "width": 12, "order": 5, "period": period, "as_of": numbers.as_of,
            "rows": [(u, [selectors.Cell(m, numbers.values[m.key][u.pk], u, period) for m in metrics]) for u in roots]}
