"""The dashboards' numbers as JSON: the same selectors as the pages, the same scope."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.filters import reject_empty
from portal.metrics import METRICS

from .. import selectors
from ..periods import FIRST_YEAR, parse_period
from .serializers import DashboardSerializer, MetricSerializer

PERIOD_PARAMETERS = [
    OpenApiParameter("period", str, enum=["year", "quarter", "month", "custom"], description="Default: year"),
    OpenApiParameter("year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": timezone.localdate().year + 1},
                     description="Default: this year"),
    OpenApiParameter("quarter", int, enum=[1, 2, 3, 4]),
    OpenApiParameter("month", int, enum=list(range(1, 13))),
    OpenApiParameter("start", OpenApiTypes.DATE, description="Custom range start (YYYY-MM-DD)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Custom range end (YYYY-MM-DD)"),
]

METRICS_PARAMETER = OpenApiParameter(
    "metrics", str, description="Only these metrics, comma-separated keys (and the tables of their sections); "
                                "a rate still carries its numerator and denominator. Default: every metric")


class MetricListView(APIView):
    """Every registered metric."""

    @extend_schema(responses=MetricSerializer(many=True))
    def get(self, request):
        if not selectors.can_report(request.user):
            raise PermissionDenied
        data = [{"key": m.key, "label": str(m.label), "section": str(m.section), "unit": str(m.unit),
                 "has_records": m.records is not None or m.list_url is not None,
                 **({"numerator": m.parts[0], "denominator": m.parts[1]} if m.parts else {})}
                for m in selectors.metrics_in_order()]
        return Response(MetricSerializer(data, many=True).data)


class UnitDashboardView(APIView):
    """A unit's numbers over a period (whole subtree), and each child unit's."""

    @extend_schema(parameters=[*PERIOD_PARAMETERS, METRICS_PARAMETER], responses=DashboardSerializer)
    def get(self, request, pk: int):
        if not selectors.can_report(request.user):
            raise PermissionDenied
        unit = selectors.report_unit_or_404(user=request.user, pk=pk)
        reject_empty(request.query_params, [p.name for p in PERIOD_PARAMETERS])
        period, form = parse_period(request.query_params)
        if period is None:
            return Response({k: [str(e) for e in v] for k, v in form.errors.items()}, status=400)
        keys = None
        if request.query_params.get("metrics"):
            keys = {k.strip() for k in request.query_params["metrics"].split(",") if k.strip()} or None
            unknown = sorted(k for k in keys or () if k not in METRICS)
            if unknown:
                return Response({"metrics": [_("Unknown metric: %(keys)s.") % {"keys": ", ".join(unknown)}]},
                                status=400)
        board = selectors.dashboard_for(unit=unit, period=period, keys=keys)
        return Response(DashboardSerializer(board.as_dict()).data)
