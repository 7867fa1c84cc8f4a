"""Foundation cases: the scoped org-unit API, deep pages, against raw SQL in the same run."""

from bench.common import floor_json
from bench.harness import Result, case, median_ms
from organizations.models import OrgUnit


@case("api-org-units-deep-page")
def api_org_units_deep_page(*, seed):
    root = OrgUnit.objects.get(code=f"gen{seed}-root")
    # The admin-like city clerk view: the whole generated province, page 200 of villages.
    from bench.common import client_for, user_with_role
    from organizations.models import Role

    clerk = client_for(user_with_role(seed, Role.OFFICE_CLERK, root, "province-clerk"))
    villages = OrgUnit.objects.filter(path__startswith=root.path, kind="village").count()
    page = max(1, min(200, villages // 25))
    url = f"/api/v1/org-units/?kind=village&page={page}&page_size=25"
    assert clerk.get(url).status_code == 200
    api = median_ms(lambda: clerk.get(url))
    sql = ("SELECT id, parent_id, kind, name, short_name, liaison_body_name, code, path, depth, is_active, version "
           "FROM organizations_orgunit WHERE path LIKE %s AND kind = 'village' ORDER BY path LIMIT 25 OFFSET %s")
    floor = median_ms(lambda: floor_json(sql, [root.path + "%", (page - 1) * 25]))
    ratio = api / floor
    return Result(f"API org units, page {page} (scoped, paginated)", f"{api:.1f} ms median", f"{floor:.1f} ms raw SQL",
                  ratio, "≤ 5× raw SQL, no COUNT(*)", ratio <= 5)
