"""Cross-scope probing over every single-id route: each table has its own id range and the demo
data is loaded (tests/demo_db.py), and every role of the demo county (相山区) requests every
single-id route with the ids of records owned by units OUTSIDE its scope (sibling counties, other
cities, the ancestors' own records). Because ids are unique across tables, any 2xx is a leak.
POST-only steps (approve, cancel, reply, move …) are probed with POST on the records of the route
they extend."""

from __future__ import annotations

import pytest
from django.apps import apps

from organizations.models import OrgScopedModel, OrgUnit, RoleAssignment

from .test_url_matrix import SINGLE_ID, _fill


def _scoped_models():
    return [m for m in apps.get_models() if issubclass(m, OrgScopedModel)] + [OrgUnit]


def _path_field(model):
    return "path" if model is OrgUnit else "org_path"


def _affinity(path, model):
    """How plainly a route names a table ("/consultation-topics/<pk>/" → Topic): those are tried
    first, and the first one that answers ends the search for that route."""
    flat = path.replace("-", "").replace("_", "").lower()
    name = model._meta.model_name
    return 2 if f"/{name}" in flat or f"{name}s/" in flat else 1 if name in flat else 0


def _route_models(client, admin):
    """Which tables each single-id route looks up, and which routes only take POST.

    As the administrator (who sees everything), a route answering 200 for an id of table M reads
    M (ids are unique across tables). The tables a route names are tried first and the first hit
    ends the search; a route that names none is tried with every table, as a route may read any.
    A route that answers GET with 405 is a POST-only step (approve, cancel, reply …): it acts on
    the record of the route it extends ("/topics/<pk>/approve/" → "/topics/<pk>/")."""
    client.force_login(admin)
    samples = {m: pk for m in _scoped_models()
               if (pk := m._base_manager.order_by("pk").values_list("pk", flat=True).first())}
    mapping, post_only = {}, {}
    for path, params in SINGLE_ID:
        hits = []
        for model in sorted(samples, key=lambda m: -_affinity(path, m)):
            status = client.get(_fill(path, params, samples[model])).status_code
            if status == 405:
                post_only[path] = params
                break
            if status == 200:
                hits.append(model)
                if _affinity(path, model):
                    break
        mapping[path] = hits
    for path in post_only:
        parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
        mapping[path] = mapping.get(parent, [])
    return mapping, set(post_only)


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
    mapping, post_only = _route_models(client, User.objects.get(username="admin"))
    assert sum(1 for models in mapping.values() if models) >= 40, mapping
    assert sum(1 for path in post_only if mapping[path]) >= 30, post_only
    leaks = []
    for username in ["clerk", "proposal", "secretary", "approver", "member", "dept", "leader"]:
        user = User.objects.get(username=username)
        assert RoleAssignment.objects.filter(user=user).exists()
        client.force_login(user)
        for path, params in SINGLE_ID:
            for model in mapping[path]:
                for pk in _outside_ids(user, model):
                    leaks += _probe(client, path, params, model.__name__, pk, get=path not in post_only)
    assert not leaks, "\n".join(leaks)


def _probe(client, path, params, model_name, pk, *, get=True):
    leaks = []
    url = _fill(path, params, pk)
    if get:
        response = client.get(url)
        if response.status_code < 300 or response.status_code >= 500:
            leaks.append(f"GET {url} ({model_name} {pk}) → {response.status_code}")
    response = client.post(url)
    if response.status_code not in {400, 403, 404, 405} and not (
        response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
    ):
        leaks.append(f"POST {url} ({model_name} {pk}) → {response.status_code}")
    return leaks
