"""Local dates in Asia/Shanghai, month ends and recurring duty days with the weekend rule."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from notifications import recurrence
from notifications.recurrence import FRIDAY, MonthlyDay, NthWeekday, next_occurrence, occurrence
from notifications.rules import OrgRules, weekend_rule_for
from organizations.models import UnitConfig

D = datetime.date


def test_today_is_the_date_in_shanghai_not_utc():
    # 16:30 UTC on 31 January is 00:30 on 1 February in Shanghai: February's reminders are due.
    utc = datetime.datetime(2026, 1, 31, 16, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=utc):
        assert recurrence.local_today() == D(2026, 2, 1)
    with mock.patch("django.utils.timezone.now", return_value=utc - datetime.timedelta(hours=1)):
        assert recurrence.local_today() == D(2026, 1, 31)
    assert str(timezone.get_current_timezone()) == "Asia/Shanghai"


def test_the_31st_means_the_last_day_of_short_months():
    rule = MonthlyDay(31)
    assert [occurrence(rule, 2026, m) for m in (2, 4, 12)] == [D(2026, 2, 28), D(2026, 4, 30), D(2026, 12, 31)]
    assert occurrence(rule, 2028, 2) == D(2028, 2, 29)  # leap year
    assert recurrence.month_end(D(2026, 2, 10)) == D(2026, 2, 28)


@pytest.mark.parametrize("weekend_rule,expected", [
    ("keep", D(2026, 3, 8)),     # Sunday 8 March stays
    ("earlier", D(2026, 3, 6)),  # the Friday before
    ("later", D(2026, 3, 9)),    # the Monday after
])
def test_the_8th_on_a_weekend_follows_the_organisations_rule(weekend_rule, expected):
    assert D(2026, 3, 8).weekday() == 6
    assert occurrence(MonthlyDay(8), 2026, 3, weekend_rule=weekend_rule) == expected


def test_saturday_moves_too_and_weekdays_never_move():
    assert D(2026, 8, 8).weekday() == 5  # Saturday
    assert occurrence(MonthlyDay(8), 2026, 8, weekend_rule="earlier") == D(2026, 8, 7)
    assert occurrence(MonthlyDay(8), 2026, 8, weekend_rule="later") == D(2026, 8, 10)
    assert occurrence(MonthlyDay(8), 2026, 4, weekend_rule="later") == D(2026, 4, 8)  # Wednesday


def test_first_friday_afternoon_and_last_friday():
    rule = NthWeekday(1, FRIDAY, "afternoon")
    assert occurrence(rule, 2026, 5) == D(2026, 5, 1)
    assert occurrence(rule, 2026, 11) == D(2026, 11, 6)
    assert occurrence(NthWeekday(-1, FRIDAY), 2026, 11) == D(2026, 11, 27)


def test_next_occurrence_crosses_month_and_year_ends():
    assert next_occurrence(MonthlyDay(8), D(2026, 12, 9)) == D(2027, 1, 8)
    assert next_occurrence(MonthlyDay(8), D(2026, 3, 8), weekend_rule="later") == D(2026, 3, 9)
    # moved earlier to Friday the 6th: on the 7th the next one is April's
    assert next_occurrence(MonthlyDay(8), D(2026, 3, 7), weekend_rule="earlier") == D(2026, 4, 8)
    assert next_occurrence(NthWeekday(1, FRIDAY), D(2026, 11, 7)) == D(2026, 12, 4)


@pytest.mark.django_db
def test_the_weekend_rule_is_inherited_down_the_tree_and_overridden_per_year(tree):
    UnitConfig.objects.create(unit=tree.county_a, key="notifications.weekend_rule", value="earlier")
    UnitConfig.objects.create(unit=tree.township_a1, key="notifications.weekend_rule", year=2027, value="later")
    assert weekend_rule_for(tree.village_a1a, 2026) == "earlier"
    assert weekend_rule_for(tree.village_a1a, 2027) == "later"
    assert weekend_rule_for(tree.county_b, 2026) == "keep"
    rules_2027 = OrgRules(2027)
    assert rules_2027.weekend_rule(tree.village_a1a.path) == "later"
    assert rules_2027.weekend_rule(tree.township_a2.path) == "earlier"
    assert OrgRules(2026).weekend_rule(tree.village_a1a.path) == "earlier"


def test_bad_rule_values_are_refused_with_a_message():
    from organizations.config import validate_config
    from portal.errors import DomainError

    for key, value in [("notifications.weekend_rule", "sideways"), ("notifications.lead_days", {"k": -1}),
                       ("notifications.lead_days", ["x"]), ("notifications.disabled_kinds", "x")]:
        with pytest.raises(DomainError):
            validate_config(key, value)
    assert validate_config("notifications.lead_days", {"k": "3"}) == {"k": 3}
    assert validate_config("notifications.lead_days", {"k": [1, "3", 1]}) == {"k": [3, 1]}
    with pytest.raises(DomainError):
        validate_config("notifications.lead_days", {"k": []})
