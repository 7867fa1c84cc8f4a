"""Subtree metrics of the consultation loop (contract: portal/metrics.py). Each metric is one
grouped query; dates select by when the thing happened."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.metrics import (
    Source,
    metric,
    rate_metric,
    register_cases,
    register_quota,
    subtree_counts,
    subtree_q,
    units_on_path,
)

from .models import (
    Attendance,
    Channel,
    Ending,
    FollowUp,
    FollowUpStatus,
    Participant,
    ParticipantKind,
    Session,
    SessionStatus,
    Suggestion,
    SuggestionStatus,
    Topic,
)

SECTION = _("Consultations")
# What the session metrics count (portal.metrics: the summary tables recompute on their writes).
_SESSION_SOURCES = [Source("consultations.Session"),
                    Source("consultations.Participant", dates=("session__scheduled_on",), path="session__org_path")]

# The event date each metric counts by (the day it happened, never the day it was typed in; see
# portal/event_dates.py). Summary-table refreshes key on these to find the periods an edit touched.
TOPIC_DATE_FIELD = "raised_on"
APPROVAL_DATE_FIELD = "approved_on"
SESSION_DATE_FIELD = "scheduled_on"  # a held session's date is the day it was held
SUGGESTION_DATE_FIELD = "routed_on"
SUGGESTION_ACCEPTED_DATE_FIELD = "accepted_on"
SUGGESTION_CLOSED_DATE_FIELD = "closed_on"
FOLLOWUP_DATE_FIELD = "done_on"


def _on(field, start, end):
    return {f"{field}__range": (start, end)}


@metric("consultations.topics", _("Topics recorded"), section=SECTION, order=10, additive=True, sources={"consultations.Topic": None})
def topics(units, start, end):
    return subtree_counts(Topic.objects.filter(**_on(TOPIC_DATE_FIELD, start, end)), units)


def _channel_metric(code, label, order):
    @metric(f"consultations.topics.{code}", label, section=SECTION, order=order, additive=True, sources={"consultations.Topic": None})
    def func(units, start, end):
        return subtree_counts(Topic.objects.filter(**_on(TOPIC_DATE_FIELD, start, end), channel=code), units)
    return func


for _i, (_code, _label) in enumerate(Channel.choices):
    _channel_metric(_code, _label, 11 + _i)


@metric("consultations.topics_approved", _("Topics approved"), section=SECTION, order=20, additive=True, sources={"consultations.Topic": None})
def topics_approved(units, start, end):
    return subtree_counts(Topic.objects.filter(**_on(APPROVAL_DATE_FIELD, start, end)), units)


@metric("consultations.sessions_held", _("Sessions held"), section=SECTION, order=30,
        additive=True, sources={"consultations.Session": None})
def sessions_held(units, start, end):
    return subtree_counts(_held(start, end), units)


def _held(start, end):
    """Sessions held in the period — the one place that says which date a session counts by."""
    return Session.objects.filter(status=SessionStatus.HELD, **_on(SESSION_DATE_FIELD, start, end))


def _places(start, end):
    """Invitations (places) of the sessions held in the period, whatever the attendance."""
    return Participant.objects.filter(session__in=_held(start, end))


def _session_quota(unit, year):
    from .settings_keys import quota_for

    return quota_for(unit, year)


def _session_quotas(units, year):
    from .settings_keys import quotas_for

    return quotas_for(units, year)


register_quota("consultations.sessions_held", _session_quota, bulk=_session_quotas)


def _attended(start, end):
    return _places(start, end).filter(attendance=Attendance.ATTENDED)


@metric("consultations.participants", _("Participants (person-times)"), section=SECTION, order=31, additive=True, sources=_SESSION_SOURCES)
def participants(units, start, end):
    named = subtree_counts(_attended(start, end), units, path_field="session__org_path")
    unnamed_residents = subtree_counts(
        _held(start, end), units,
        sum_field="residents_count")
    return {pk: named[pk] + unnamed_residents[pk] for pk in named}


@metric("consultations.member_attendances", _("Member attendances"), section=SECTION, order=32, additive=True, sources=_SESSION_SOURCES)
def member_attendances(units, start, end):
    return subtree_counts(_attended(start, end).filter(kind=ParticipantKind.MEMBER), units,
                          path_field="session__org_path")


@metric("consultations.member_places", _("Member places invited"), section=SECTION, unit=_("places"), order=34,
        additive=True, sources=_SESSION_SOURCES)
def member_places(units, start, end):
    """Every member invited to a session held in the period is one place, whether they came,
    asked for leave or stayed away (the denominator of the participation rate)."""
    return subtree_counts(_places(start, end).filter(kind=ParticipantKind.MEMBER), units,
                          path_field="session__org_path")


# 委员参与率 as the bodies publish it: attended member places ÷ invited member places (84 of 112 = 75 %).
rate_metric("consultations.member_participation_rate", _("Member participation rate"),
            numerator="consultations.member_attendances", denominator="consultations.member_places",
            section=SECTION, order=35)


@metric("consultations.resident_person_times", _("Residents taking part (person-times)"), section=SECTION, order=33,
        additive=True, sources=_SESSION_SOURCES)
def resident_person_times(units: Sequence, start, end):
    named = subtree_counts(_attended(start, end).filter(kind=ParticipantKind.RESIDENT), units,
                           path_field="session__org_path")
    unnamed = subtree_counts(_held(start, end),
                             units, sum_field="residents_count")
    return {pk: named[pk] + unnamed[pk] for pk in named}


def _ending_metric(code, label, order):
    @metric(f"consultations.suggestions_{code}", label, section=SECTION, order=order, additive=True, sources=[Source("consultations.Suggestion", path="topic__org_path")])
    def func(units, start, end):
        qs = Suggestion.objects.filter(status=SuggestionStatus.DONE, ending=code,
                                       **_on(SUGGESTION_CLOSED_DATE_FIELD, start, end))
        return subtree_counts(qs, units, path_field="topic__org_path")
    return func


_ending_metric(Ending.SOLVED, _("Suggestions solved"), 40)
_ending_metric(Ending.EXPLAINED, _("Suggestions explained (争取理解)"), 41)
_ending_metric(Ending.ESCALATED, _("Suggestions escalated to democratic supervision"), 42)


@metric("consultations.suggestions", _("Suggestions made"), section=SECTION, order=39, additive=True, sources=[Source("consultations.Suggestion", path="topic__org_path")])
def suggestions(units, start, end):
    return subtree_counts(Suggestion.objects.filter(**_on(SUGGESTION_DATE_FIELD, start, end)), units,
                          path_field="topic__org_path")


@metric("consultations.suggestions_adopted", _("Suggestions adopted"), section=SECTION, order=43, additive=True, sources=[Source("consultations.Suggestion", path="topic__org_path")])
def suggestions_adopted(units, start, end):
    qs = Suggestion.objects.filter(adopted=True).filter(
        Q(**_on(SUGGESTION_ACCEPTED_DATE_FIELD, start, end))
        | Q(accepted_on__isnull=True, **_on(SUGGESTION_CLOSED_DATE_FIELD, start, end)))
    return subtree_counts(qs, units, path_field="topic__org_path")


@metric("consultations.followups_done", _("Follow-up reviews (回头看) done"), section=SECTION, order=50,
        additive=True, sources=[Source("consultations.FollowUp", path="topic__org_path")])
def followups_done(units, start, end):
    qs = FollowUp.objects.filter(status=FollowUpStatus.DONE, **_on(FOLLOWUP_DATE_FIELD, start, end))
    return subtree_counts(qs, units, path_field="topic__org_path")


def topics_by_category(units, start, end) -> dict[int, dict[str, int]]:
    """For reports: {unit.pk: {category: n}} over each unit's subtree (categories are free text,
    so they are not separate registered metrics). One query."""
    units = list(units)
    rows = (Topic.objects.filter(**_on(TOPIC_DATE_FIELD, start, end)).filter(subtree_q(units))
            .values_list("org_path", "category").order_by().annotate(n=Count("pk")))
    by_path = {u.path: u.pk for u in units}
    result = {u.pk: {} for u in units}
    for path, category, n in rows:
        key = category or "—"
        for pk in units_on_path(path, by_path):
            result[pk][key] = result[pk].get(key, 0) + n
    return result


@register_cases
def typical_cases(unit, start, end) -> list[dict]:
    """Outcomes marked as typical (典型案例) in the unit's subtree, by the day the result was agreed."""
    from .models import Outcome

    outcomes = (Outcome.objects.filter(is_typical=True, topic__org_path__startswith=unit.path,
                                       recorded_on__range=(start, end))
                .select_related("topic__org_unit").order_by("recorded_on", "pk")[:12])
    return [{"title": o.topic.title, "unit": o.topic.org_unit.display_body, "text": o.summary.strip()}
            for o in outcomes]
