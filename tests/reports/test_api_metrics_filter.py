"""The dashboard API limited to some metrics (`?metrics=key,key`): the same numbers as the whole
dashboard, only those; unknown keys refused with a translated message."""

import pytest

from portal.metrics import METRICS

from .conftest import YEAR

pytestmark = pytest.mark.django_db

RATE = "consultations.member_participation_rate"


def api(client, unit, query=""):
    return client.get(f"/api/v1/reports/units/{unit.pk}/?year={YEAR}{query}")


def test_only_the_metrics_asked_for_with_the_same_values(client, tree, world, users):
    client.force_login(users.clerk)
    whole = api(client, tree.county_a).json()
    keys = ["members.duty_entries", "members.active_members"]
    part = api(client, tree.county_a, f"&metrics={','.join(keys)}").json()
    assert [m["key"] for m in part["metrics"]] == [m["key"] for m in whole["metrics"] if m["key"] in keys]
    assert {m["key"]: m["value"] for m in part["metrics"]} == {
        m["key"]: m["value"] for m in whole["metrics"] if m["key"] in keys}
    assert [set(c["values"]) for c in part["children"]] == [set(keys)] * len(whole["children"])
    assert [{k: c["values"][k] for k in keys} for c in whole["children"]] == [c["values"] for c in part["children"]]
    assert any(m["value"] for m in part["metrics"])  # the world's members are counted


def test_a_rate_keeps_its_two_counts(client, tree, users):
    client.force_login(users.clerk)
    data = api(client, tree.county_a, f"&metrics={RATE}").json()
    [rate] = data["metrics"]
    assert rate["key"] == RATE
    assert (rate["numerator"]["key"], rate["denominator"]["key"]) == METRICS[RATE].parts


@pytest.mark.parametrize("language,message", [("en", "Unknown metric: no.such"), ("zh-hans", "未知的指标：no.such")])
def test_unknown_metrics_are_refused_clearly(client, tree, users, language, message):
    client.force_login(users.clerk)
    client.cookies["django_language"] = language
    response = client.get(f"/api/v1/reports/units/{tree.county_a.pk}/?metrics=members.active,no.such",
                          HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert message in response.json()["metrics"][0]


def test_the_filter_never_widens_the_scope(client, tree, users):
    client.force_login(users.clerk)
    assert api(client, tree.county_b, "&metrics=members.active").status_code == 404
