"""The dashboard's rendered body, cached per unit, period, summary version, language and what the
viewer may see (reports.views.unit_dashboard, reports.selectors.body_cache_key): a hit reads the
cache once (with today's traffic lights) and renders the shell only; the page is byte for byte the
page rendered without the cache (CSRF token masked); a refresh that changes the figures, another
language, another viewer's scope, a renamed unit or other traffic lights never show a stale body."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from reports import selectors
from reports.models import FactMark
from reports.periods import Period, year_period
from reports.services import facts_refresh
from reports.views import BODY_AS_OF, BODY_CSRF, as_of_text

from .conftest import YEAR, duty

pytestmark = pytest.mark.django_db

BODY = "reports/_dashboard_body.html"
QUARTER = Period("quarter", datetime.date(YEAR, 4, 1), datetime.date(YEAR, 6, 30))
MONTH = Period("month", datetime.date(YEAR, 5, 1), datetime.date(YEAR, 5, 31))
PERIODS = {"year": year_period(YEAR), "quarter": QUARTER, "month": MONTH}


def _url(unit, period=None):
    return reverse("reports:unit", args=[unit.pk]) + "?" + (period or year_period(YEAR)).query()


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)) | set(
        re.findall(r'"X-CSRFToken": "([^"]+)"', html))


def _masked(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="X"', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "X"', html)
    # the "as of" minute is filled in per request: two requests may fall either side of a minute
    return re.sub(r'(bi-clock-history"></i> )[^·<]*', r"\1T ", html)


def _get(client, url, *, captured=None):
    if captured is not None:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        captured.extend(q["sql"] for q in ctx.captured_queries)
    else:
        response = client.get(url)
    assert response.status_code == 200
    return response


def _rendered_body(response) -> bool:
    return BODY in [t.name for t in response.templates]


def _uncached(client, url, monkeypatch):
    """The same page with the body cache switched off (the body rendered inline, as before)."""
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "body_cache_key", lambda **_kw: "")
        return _get(client, url)


@pytest.fixture
def summary(world):
    facts_refresh(periods=list(PERIODS.values()))
    cache.clear()
    return world


def _set_language(user, code):
    user.language = code
    user.save()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", list(PERIODS))
def test_a_hit_is_the_page_rendered_without_the_cache(client, tree, users, summary, monkeypatch, language, kind):
    _set_language(users.clerk, language)
    client.force_login(users.clerk)
    url = _url(tree.township_a1, PERIODS[kind])
    miss = _get(client, url)
    hit = _get(client, url)
    assert _rendered_body(miss) and not _rendered_body(hit)
    assert hit.context["board"].from_snapshot
    plain = _uncached(client, url, monkeypatch)
    assert _rendered_body(plain)
    assert _masked(hit.content.decode()) == _masked(miss.content.decode()) == _masked(plain.content.decode())
    html = hit.content.decode()
    assert BODY_CSRF not in html and BODY_AS_OF not in html
    assert len(_tokens(html)) == 1  # one token for the whole page, as before
    assert ("三堤口街道" in html) and (('lang="en"' in html) is (language == "en"))


def test_the_token_in_a_cached_body_is_accepted(client, tree, users, summary):
    client.force_login(users.clerk)
    client.handler.enforce_csrf_checks = True
    url = _url(tree.county_a)
    _get(client, url)
    html = _get(client, url).content.decode()
    (token,) = _tokens(html)
    answer = client.post(reverse("reports:export_create", args=[tree.county_a.pk]),
                         {"csrfmiddlewaretoken": token, "kind": "dashboard", "period": "year", "year": YEAR})
    assert answer.status_code in (200, 302), answer.status_code


def test_a_hit_reads_the_units_and_the_summary_state_only(client, tree, users, summary):
    client.force_login(users.clerk)
    url = _url(tree.county_a)
    _get(client, url)
    _get(client, url)  # the session and the signed-in user cached too
    sql: list[str] = []
    hit = _get(client, url, captured=sql)
    assert not _rendered_body(hit)
    reads = [s for s in sql if "reports_factperiod" in s or "organizations_orgunit" in s]
    assert len(reads) == 2, sql
    assert not any("reports_unitfact" in s or "consultations_" in s or "proposals_" in s for s in sql), sql
    assert len(sql) <= 6, sql  # the budget is 15 for any dashboard


def test_a_refresh_that_changes_the_figures_shows_at_once(client, tree, users, summary):
    client.force_login(users.clerk)
    url = _url(tree.township_a1)

    def shown():
        html = _get(client, url).content.decode()
        return re.search(r'data-metric="members\.duty_records"[^>]*>(?:<a [^>]*>)?([^<\s]+)', html).group(1)

    assert shown() == "2"
    assert shown() == "2"  # from the cached body
    duty(summary["m5"], tree.township_a1)
    facts_refresh(periods=[year_period(YEAR)])
    assert shown() == "3"


def test_the_as_of_time_is_this_requests(client, tree, users, summary):
    """A pending change makes the page "as of" that change, cached body or not."""
    client.force_login(users.clerk)
    url = _url(tree.county_a)
    _get(client, url)
    duty(summary["m5"], tree.township_a1)  # marks the figures as changed: not refreshed yet
    oldest = FactMark.objects.order_by("pk").values_list("created_at", flat=True).first()
    assert oldest is not None
    hit = _get(client, url)
    assert not _rendered_body(hit)
    with translation.override("zh-hans"):
        expected = as_of_text(oldest)
    assert expected in hit.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_as_of_text_prints_what_the_date_filter_printed(language):
    moment = timezone.now().replace(microsecond=0)
    with translation.override(language):
        expected = Template('{{ d|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"d": moment}))
        assert as_of_text(moment) == expected


def test_a_viewer_never_sees_another_languages_body(client, tree, users, summary, monkeypatch):
    client.force_login(users.clerk)
    url = _url(tree.township_a1)
    chinese = _get(client, url)
    _set_language(users.clerk, "en")
    english = _get(client, url)
    assert _rendered_body(english)
    assert 'lang="en"' in english.content.decode() and "As of" in english.content.decode()
    assert _masked(english.content.decode()) == _masked(_uncached(client, url, monkeypatch).content.decode())
    _set_language(users.clerk, "zh-hans")
    again = _get(client, url)
    assert not _rendered_body(again)
    assert _masked(again.content.decode()) == _masked(chinese.content.decode())


def test_a_viewer_never_sees_another_scopes_body(client, tree, users, summary, monkeypatch):
    """The province's administrator sees the province and the city in the breadcrumb and may edit the
    template; the county's leader sees neither: each gets their own body."""
    url = _url(tree.township_a1)
    client.force_login(users.admin)
    admin = _get(client, url).content.decode()
    assert "安徽省" in admin.split('id="report-breadcrumb"', 1)[1].split("</ol>", 1)[0]
    client.force_login(users.leader)
    leader = _get(client, url)
    assert _rendered_body(leader)
    html = leader.content.decode()
    crumbs = html.split('id="report-breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert "安徽省" not in crumbs and "淮北市" not in crumbs and "相山区" in crumbs
    assert reverse("reports:template", args=[tree.township_a1.pk]) not in html
    assert reverse("reports:template", args=[tree.township_a1.pk]) in admin
    assert _masked(html) == _masked(_uncached(client, url, monkeypatch).content.decode())
    # the county's clerk may edit the template and sees the same ancestors as the leader: another body
    client.force_login(users.clerk)
    clerk = _get(client, url)
    assert _rendered_body(clerk)
    assert reverse("reports:template", args=[tree.township_a1.pk]) in clerk.content.decode()


def test_a_renamed_unit_or_ancestor_shows_at_once(client, tree, users, summary):
    client.force_login(users.clerk)
    url = _url(tree.township_a1)
    _get(client, url)
    tree.county_a.name = "相山区（新）"
    tree.county_a.save()
    assert "相山区（新）" in _get(client, url).content.decode()
    tree.township_a1.name = "三堤口街道（新）"
    tree.township_a1.save()
    assert "三堤口街道（新）" in _get(client, url).content.decode()


def test_other_traffic_lights_render_the_body_again(client, tree, users, summary):
    client.force_login(users.clerk)
    url = _url(tree.county_a)
    first = _get(client, url)
    assert not _rendered_body(_get(client, url))
    key = selectors.lights_cache_key(tree.county_a, timezone.localdate())
    lights = cache.get(key)
    assert lights
    kind = lights[0][0]
    cache.set(key, [(kind, 7, 8, 9), *lights[1:]], selectors.LIGHTS_TTL)
    changed = _get(client, url)
    assert _rendered_body(changed)
    row = changed.content.decode().split(f'data-queue="{kind}"', 1)[1].split("</tr>", 1)[0]
    assert '"red">7<' in row and '"yellow">8<' in row and '"green">9<' in row
    assert f'data-queue="{kind}"' in first.content.decode()


def test_a_custom_range_is_not_cached(client, tree, users, summary):
    client.force_login(users.clerk)
    url = reverse("reports:unit", args=[tree.county_a.pk]) + f"?period=custom&start={YEAR}-03-01&end={YEAR}-03-31"
    # each request renders the body: none is served from a cache
    assert _rendered_body(_get(client, url)) and _rendered_body(_get(client, url))
