"""Cross-scope probing over every single-id route: each table has its own id range and the demo
data is loaded (tests/demo_db.py), and every role of the demo county (相山区) requests every
single-id route with the ids of records owned by units OUTSIDE its scope (sibling counties, other
cities, the ancestors' own records). Because ids are unique across tables, any 2xx is a leak."""

from __future__ import annotations

import pytest
from django.apps import apps

from organizations.models import OrgScopedModel, OrgUnit, RoleAssignment

from .test_url_matrix import SINGLE_ID, _fill


def _scoped_models():
    return [m for m in apps.get_models() if issubclass(m, OrgScopedModel)] + [OrgUnit]


def _path_field(model):
    return "path" if model is OrgUnit else "org_path"


def _route_models(client, admin):
    """Which tables each single-id route looks up: as the administrator (who sees everything),
    a route answering 200 for an id of table M reads M. Ids are unique across tables."""
    client.force_login(admin)
    samples = {m: m._base_manager.order_by("pk").values_list("pk", flat=True).first() for m in _scoped_models()}
    mapping = {}
    for path, params in SINGLE_ID:
        hits = [m for m, pk in samples.items() if pk and client.get(_fill(path, params, pk)).status_code == 200]
        mapping[path] = hits
    return mapping


def _outside_ids(user, model, per_model=3):
    from organizations.permissions import scope_paths

    roots = scope_paths(user) or []
    qs = model._base_manager.all()
    for root in roots:
        qs = qs.exclude(**{f"{_path_field(model)}__startswith": root})
    if hasattr(model, "user_id"):
        qs = qs.exclude(user=user)
    if model._meta.label == "hall.CodeMessage":
        # A resident's message to a member or workroom (扫码留言) is the addressee's own, wherever
        # it is followed up; the others are probed like any record.
        from hall.codes.selectors import messages_visible_to

        qs = qs.exclude(pk__in=messages_visible_to(user=user, mine_only=True).values("pk"))
    return list(qs.order_by("pk").values_list("pk", flat=True)[:per_model])


@pytest.mark.postgres
def test_no_role_reaches_records_outside_its_scope_on_any_route(client, demo):
    """One demo (loaded once per run, tests/demo_db.py), every demo role of 相山区."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    client.raise_request_exception = False
    mapping = _route_models(client, User.objects.get(username="admin"))
    assert sum(1 for models in mapping.values() if models) >= 3, mapping
    leaks = []
    for username in ["clerk", "proposal", "secretary", "approver", "member", "dept", "leader"]:
        user = User.objects.get(username=username)
        assert RoleAssignment.objects.filter(user=user).exists()
        client.force_login(user)
        for path, params in SINGLE_ID:
            for model in mapping[path]:
                for pk in _outside_ids(user, model):
                    leaks += _probe(client, path, params, model.__name__, pk)
    assert not leaks, "\n".join(leaks)


def _probe(client, path, params, model_name, pk):
    leaks = []
    url = _fill(path, params, pk)
    response = client.get(url)
    if response.status_code < 300 or response.status_code >= 500:
        leaks.append(f"GET {url} ({model_name} {pk}) → {response.status_code}")
    response = client.post(url)
    if response.status_code not in {400, 403, 404, 405} and not (
        response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
    ):
        leaks.append(f"POST {url} ({model_name} {pk}) → {response.status_code}")
    return leaks
