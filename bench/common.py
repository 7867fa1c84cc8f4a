"""Shared pieces of benchmark cases: users on the generated tree, a logged-in client, floors."""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpResponse
from django.template import Context, Engine
from django.test import Client

from organizations.models import OrgUnit, Role, RoleAssignment

_FLOOR_TEMPLATE = Engine(debug=False).from_string(
    "<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table>"
)


def first_county(seed: int) -> OrgUnit:
    root = OrgUnit.objects.get(code=f"gen{seed}-root")
    return OrgUnit.objects.filter(path__startswith=root.path, kind="county").order_by("path").first()


def user_with_role(seed: int, role: str, unit: OrgUnit, username: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"bench{seed}-{username}")
    if created:
        user.set_password("bench-pw-1")
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def clerk_client(seed: int) -> tuple[Client, OrgUnit]:
    county = first_county(seed)
    return client_for(user_with_role(seed, Role.OFFICE_CLERK, county, "clerk")), county


def floor_html(sql: str, params) -> HttpResponse:
    """The floor: one query, the rows rendered by a bare template, no middleware."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return HttpResponse(_FLOOR_TEMPLATE.render(Context({"rows": rows})))


def floor_json(sql: str, params) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cols = [c.name for c in cursor.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]
    return HttpResponse(json.dumps({"results": rows}, ensure_ascii=False, default=str), content_type="application/json")
