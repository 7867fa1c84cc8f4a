"""Member metrics the reports measure directly from the members app (already on main).

They are registered under ``members.*`` only when the members app has not registered the same
key itself, so the members app can take them over without a conflict."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from members.models import DutyRecord, DutyStatus, Member
from portal.metrics import METRICS, Source, metric, rate_metric, subtree_counts, subtree_q, units_on_path

SECTION = _("Members")
COUNTED = [DutyStatus.AUTO, DutyStatus.VERIFIED]
_MEMBER = {"members.Member": ()}  # active or not, in every period
_DUTY = [Source("members.DutyRecord")]


def _register(key, label, **kwargs):
    def decorator(func):
        if key not in METRICS:
            return metric(key, label, section=SECTION, **kwargs)(func)
        return func

    return decorator


def _duty_records(start, end):
    return DutyRecord.objects.filter(occurred_on__range=(start, end), status__in=COUNTED)


def active_members_records(unit, start, end):
    return Member.objects.filter(is_active=True, org_path__startswith=unit.path).order_by("org_path", "name")


def duty_records_records(unit, start, end):
    return (_duty_records(start, end).filter(org_path__startswith=unit.path).select_related("member")
            .order_by("-occurred_on", "pk"))


def participants_records(unit, start, end):
    counted = _duty_records(start, end).filter(member=OuterRef("pk"), org_path__startswith=unit.path)
    return Member.objects.filter(Exists(counted)).order_by("org_path", "name")


@_register("members.active", _("Active members"), unit=_("people"), order=10, records=active_members_records,
           additive=True, sources=_MEMBER)
def active_members(units, start, end):
    return subtree_counts(Member.objects.filter(is_active=True), units)


@_register("members.duty_records", _("Duty activities (person-times)"), unit=_("person-times"), order=20,
           records=duty_records_records, additive=True, sources=_DUTY)
def duty_records(units, start, end):
    return subtree_counts(_duty_records(start, end), units)


# Up to this many units, distinct members are counted by the database (one FILTER per unit); more
# (a dashboard's children) are counted from the (path, member) pairs in Python.
FEW_UNITS = 8


def _participants(units, start, end) -> dict[int, int]:
    """Distinct members with a counted duty activity in each subtree (one query)."""
    units = list(units)
    records = _duty_records(start, end).filter(subtree_q(units))
    if len(units) <= FEW_UNITS:
        counts = records.aggregate(**{
            f"u{u.pk}": Count("member_id", distinct=True, filter=Q(org_path__startswith=u.path)) for u in units})
        return {u.pk: counts[f"u{u.pk}"] or 0 for u in units}
    pairs = records.values_list("org_path", "member_id").distinct()
    seen: dict[int, set] = defaultdict(set)
    by_path = {u.path: u.pk for u in units}
    for path, member_id in pairs:
        for pk in units_on_path(path, by_path):
            seen[pk].add(member_id)
    return {u.pk: len(seen[u.pk]) for u in units}


@_register("members.participants", _("Members taking part"), unit=_("people"), order=30,
           records=participants_records, sources=_DUTY)
def participants(units, start, end):
    return _participants(units, start, end)


# Not the published 委员参与率 (attended ÷ invited member places: consultations.member_participation_rate);
# this is the share of the register with any duty activity in the period.
if "members.active_share" not in METRICS:
    rate_metric("members.active_share", _("Share of members with a duty activity"), numerator="members.participants",
                denominator="members.active", section=SECTION, order=40)
