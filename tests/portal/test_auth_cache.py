"""Who is signed in, across requests (portal/accounts/authcache.py): a steady request reads no
session, user, role or setting row, and every change that decides who a user is or what they may
do — a role assigned or revoked, a unit deactivated or moved, a per-unit grant, the two-factor
setting, the account deactivated or its password changed — takes effect on the very next request."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations import services
from organizations.models import OrgUnitUserObjectPermission, Role, RoleAssignment
from portal.accounts import authcache
from tests.factories import make_unit, make_user

pytestmark = pytest.mark.django_db

# what every request read before the view: the session, the user, the roles and grants, the two-factor setting
AUTH_READS = ('FROM "django_session"', 'FROM "portal_user" WHERE', '"organizations_orgunituserobjectpermission"',
              "accounts.require_two_factor")


@pytest.fixture(autouse=True)
def _on(settings):
    settings.PORTAL_AUTH_CACHE = True
    settings.SESSION_ENGINE = "portal.accounts.sessions"
    cache.delete(authcache.GENERATION_KEY)


def _unit_page(client, unit):
    return client.get(reverse("organizations:unit", args=[unit.pk]))


def _auth_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in AUTH_READS)]


def _signed_in(client, user, *pages):
    client.force_login(user)
    for page in pages:  # the first request starts the generation, the second writes the entry
        assert client.get(page).status_code == 200
    return client


def test_a_steady_request_reads_no_session_user_or_role_row(client, users, tree, settings):
    url = reverse("organizations:unit", args=[tree.township_a1.pk])
    _signed_in(client, users.secretary, url, url)
    assert _auth_queries(client, url) == []
    # without the shared cache (the embedded default) every request reads them, as before
    settings.PORTAL_AUTH_CACHE = False
    assert _auth_queries(client, url)


def test_a_revoked_role_takes_effect_on_the_next_request(client, users, tree):
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    assert _unit_page(client, tree.township_a1).status_code == 200
    assignment = RoleAssignment.objects.get(user=users.secretary, role=Role.SECRETARY)
    services.role_revoke(actor=users.clerk, assignment=assignment)
    assert _unit_page(client, tree.township_a1).status_code == 404


def test_an_assigned_role_takes_effect_on_the_next_request(client, users, tree):
    _signed_in(client, users.nobody, reverse("home"), reverse("home"))
    assert _unit_page(client, tree.township_a2).status_code == 404
    services.role_assign(actor=users.clerk, user=users.nobody, role=Role.SECRETARY, unit=tree.township_a2)
    assert _unit_page(client, tree.township_a2).status_code == 200
    assert "secretary" in client.get(reverse("home")).context["user_roles"]


def test_a_deactivated_unit_ends_its_roles_on_the_next_request(client, users, tree):
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    assert _unit_page(client, tree.village_a1a).status_code == 200
    unit = tree.township_a1
    unit.refresh_from_db()
    services.orgunit_update(actor=users.admin, unit=unit, version=unit.version, is_active=False)
    assert _unit_page(client, tree.village_a1a).status_code == 404


def test_a_moved_unit_keeps_its_holders_scope_on_the_next_request(client, users, tree):
    # the move rewrites the subtree's paths with an UPDATE (no signals): a stale path would 404
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    assert _unit_page(client, tree.village_a1a).status_code == 200
    services.orgunit_move(actor=users.admin, unit=tree.township_a1, new_parent=tree.county_b)
    assert _unit_page(client, tree.village_a1a).status_code == 200
    assert _unit_page(client, tree.township_b1).status_code == 404


def test_a_granted_unit_takes_effect_on_the_next_request(client, users, tree):
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    assert _unit_page(client, tree.township_b1).status_code == 404
    grant = OrgUnitUserObjectPermission.objects.create(
        user=users.secretary, content_object=tree.township_b1,
        permission=Permission.objects.get(codename="view_orgunit", content_type__app_label="organizations"))
    assert _unit_page(client, tree.township_b1).status_code == 200
    grant.delete()
    assert _unit_page(client, tree.township_b1).status_code == 404


def test_the_two_factor_setting_takes_effect_on_the_next_request(client, users, tree):
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    services.two_factor_require(actor=users.clerk, unit=tree.county_a, on=True)
    answer = client.get(reverse("home"))
    assert answer.status_code == 302 and reverse("two_factor_enrol") in answer["Location"]


def test_a_deactivated_account_is_signed_out_on_the_next_request(client, users):
    _signed_in(client, users.clerk, reverse("home"), reverse("home"))
    users.clerk.is_active = False
    users.clerk.save(update_fields=["is_active"])
    assert client.get(reverse("home")).status_code == 302


def test_a_password_changed_elsewhere_signs_the_session_out(client, users):
    _signed_in(client, users.clerk, reverse("home"), reverse("home"))
    users.clerk.set_password("another-pw-98765")
    users.clerk.save()
    assert client.get(reverse("home")).status_code == 302


def test_a_login_does_not_drop_every_users_entries(client, users):
    _signed_in(client, users.clerk, reverse("home"), reverse("home"))
    generation = cache.get(authcache.GENERATION_KEY)
    users.leader.last_login = None
    users.leader.save(update_fields=["last_login"])  # what a login writes
    assert cache.get(authcache.GENERATION_KEY) == generation
    assert _auth_queries(client, reverse("home")) == []


def test_a_lost_generation_reads_the_database(client, users, tree):
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    RoleAssignment.objects.filter(user=users.secretary).update(is_active=False)  # no signal …
    cache.delete(authcache.GENERATION_KEY)  # … but the cache lost the generation (evicted, restarted)
    assert _unit_page(client, tree.township_a1).status_code == 404


def test_a_change_starts_a_new_generation_again_at_commit(users, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.role_assign(actor=users.clerk, user=users.nobody, role=Role.LEADER, unit=tree.county_a)
        during = cache.get(authcache.GENERATION_KEY)
        assert during is not None
    assert callbacks and cache.get(authcache.GENERATION_KEY) != during


def test_logout_forgets_the_entry(client, users):
    _signed_in(client, users.clerk, reverse("home"), reverse("home"))
    key = client.session.session_key
    assert cache.get(authcache.entry_key(key)) is not None
    client.post(reverse("logout"))
    assert cache.get(authcache.entry_key(key)) is None
    client.cookies["sessionid"] = key  # the old cookie again
    assert client.get(reverse("home")).status_code == 302


def test_the_password_hash_is_not_cached(client, users):
    _signed_in(client, users.clerk, reverse("home"), reverse("home"))
    entry = cache.get(authcache.entry_key(client.session.session_key))
    assert "password" not in entry["fields"] and users.clerk.password not in entry["values"]


def test_new_units_and_accounts_keep_everyones_entries(client, users, tree):
    # nobody holds a role at a unit just created, and no session is a new account's
    _signed_in(client, users.secretary, reverse("home"), reverse("home"))
    generation = cache.get(authcache.GENERATION_KEY)
    unit = make_unit("新社区", kind="village", parent=tree.township_a1)
    get_user_model().objects.create_user("brand_new", password="pw-12345")
    assert cache.get(authcache.GENERATION_KEY) == generation
    assert _unit_page(client, unit).status_code == 200  # under the secretary's township
    person = make_user(Role.SECRETARY, unit, username="fresh_secretary")  # a role: a new generation
    assert cache.get(authcache.GENERATION_KEY) != generation
    _signed_in(client, person, reverse("home"), reverse("home"))
    assert _unit_page(client, unit).status_code == 200
    assert _unit_page(client, tree.township_a1).status_code == 404


# --- API tokens (portal/api/authentication.py) ------------------------------------------------

REFUSED = (401, 403)  # DRF answers 403 when session authentication, listed first, has no challenge
TOKEN_READS = ('FROM "authtoken_token"', 'FROM "portal_user" WHERE', '"organizations_roleassignment"')


def _api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api, token


def _api_unit(api, unit):
    return api.get(f"/api/v1/org-units/{unit.pk}/")


def _token_queries(api, unit):
    with CaptureQueriesContext(connection) as ctx:
        assert _api_unit(api, unit).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in TOKEN_READS)]


def test_a_steady_token_request_reads_no_token_user_or_role_row(users, tree, settings):
    api, _token = _api(users.secretary)
    for _ in range(2):  # the first request starts the generation, the second writes the entry
        assert _api_unit(api, tree.township_a1).status_code == 200
    assert _token_queries(api, tree.township_a1) == []
    settings.PORTAL_AUTH_CACHE = False  # DRF's own reads, as before
    assert _token_queries(api, tree.township_a1)


def test_a_deleted_token_is_refused_on_the_next_request(users, tree):
    api, token = _api(users.secretary)
    for _ in range(3):
        assert _api_unit(api, tree.township_a1).status_code == 200
    token.delete()
    assert _api_unit(api, tree.township_a1).status_code in REFUSED


def test_a_deactivated_account_is_refused_on_the_next_token_request(users, tree):
    api, _token = _api(users.secretary)
    for _ in range(3):
        assert _api_unit(api, tree.township_a1).status_code == 200
    users.secretary.is_active = False
    users.secretary.save(update_fields=["is_active"])
    assert _api_unit(api, tree.township_a1).status_code in REFUSED


def test_a_revoked_role_takes_effect_on_the_next_token_request(users, tree):
    api, _token = _api(users.secretary)
    for _ in range(3):
        assert _api_unit(api, tree.township_a1).status_code == 200
    services.role_revoke(actor=users.clerk, assignment=RoleAssignment.objects.get(user=users.secretary,
                                                                                   role=Role.SECRETARY))
    assert _api_unit(api, tree.township_a1).status_code == 404


def test_an_unknown_token_is_refused_and_the_token_itself_is_not_a_cache_key(users, tree):
    api, token = _api(users.secretary)
    for _ in range(3):
        assert _api_unit(api, tree.township_a1).status_code == 200
    assert cache.get(authcache.token_entry_key(token.key)) is not None
    keys = [k.decode() if isinstance(k, bytes) else k for k in cache._cache.get_client().keys("*")]
    assert not [k for k in keys if token.key in k]
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert _api_unit(api, tree.township_a1).status_code in REFUSED
