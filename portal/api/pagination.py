"""API pagination without a full-table COUNT(*) on every page.

Pages are fetched with one extra row to know whether a next page exists; the total count is
computed only when the client asks for it (`?count=true`), so paging through a million rows
costs one indexed query per page."""

from collections import OrderedDict

from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PortalPagination(BasePagination):
    page_size = 25
    max_page_size = 200
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size_value = self._int_param(request, self.page_size_query_param, self.page_size, 1)
        self.page_size_value = min(self.page_size_value, self.max_page_size)
        self.page_number = self._int_param(request, self.page_query_param, 1, 1)
        if self.page_number > 100000:
            raise NotFound(_("Page number too large."))
        offset = (self.page_number - 1) * self.page_size_value
        rows = list(queryset[offset: offset + self.page_size_value + 1])
        self.has_next = len(rows) > self.page_size_value
        rows = rows[: self.page_size_value]
        if not rows and self.page_number > 1:
            raise NotFound(_("Invalid page."))
        self.count = None
        raw_counts = request.query_params.getlist("count")
        if any(v not in {"1", "0", "true", "false"} for v in raw_counts) or len(raw_counts) > 1:
            raise ValidationError({"count": [_("Use count=true or count=false.")]})
        if raw_counts and raw_counts[0] in {"1", "true"}:
            self.count = queryset.count()
        return rows

    def _int_param(self, request, name, default, minimum):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise ValidationError({name: [_("Give this parameter once.")]})
        if not values:
            return default
        raw = values[0]
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({name: [_("Enter a whole number.")]})
        if value < minimum:
            raise ValidationError({name: [_("Must be at least %(min)d.") % {"min": minimum}]})
        return value

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        next_url = replace_query_param(url, self.page_query_param, self.page_number + 1) if self.has_next else None
        prev_url = None
        if self.page_number > 1:
            prev_url = (
                remove_query_param(url, self.page_query_param)
                if self.page_number == 2
                else replace_query_param(url, self.page_query_param, self.page_number - 1)
            )
        return Response(OrderedDict([
            ("count", self.count), ("page", self.page_number), ("next", next_url),
            ("previous", prev_url), ("results", data),
        ]))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "count": {"type": "integer", "nullable": True,
                          "description": "Total rows; only computed with ?count=true."},
                "page": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "page", "required": False, "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "page_size", "required": False, "in": "query", "schema": {"type": "integer", "minimum": 1},
             "description": f"Rows per page (default {self.page_size}; larger values are capped at {self.max_page_size})."},
            {"name": "count", "required": False, "in": "query", "schema": {"type": "boolean"},
             "description": "Also compute the total count (slower on large lists)."},
        ]


__all__ = ["PortalPagination", "InvalidPage"]
