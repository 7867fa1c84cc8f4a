"""Subtree metrics of the consultation loop (contract: portal/metrics.py). Each metric is one
grouped query; dates select by when the thing happened."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.metrics import Source, metric, register_cases, register_quota, subtree_counts

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


@metric("consultations.topics", _("Topics recorded"), section=SECTION, order=10, sources={"consultations.Topic": None})
def topics(units, start, end):
    return subtree_counts(Topic.objects.filter(created_at__date__range=(start, end)), units)


def _channel_metric(code, label, order):
    @metric(f"consultations.topics.{code}", label, section=SECTION, order=order, sources={"consultations.Topic": None})
    def func(units, start, end):
        return subtree_counts(Topic.objects.filter(created_at__date__range=(start, end), channel=code), units)
    return func


for _i, (_code, _label) in enumerate(Channel.choices):
    _channel_metric(_code, _label, 11 + _i)


@metric("consultations.topics_approved", _("Topics approved"), section=SECTION, order=20, sources={"consultations.Topic": None})
def topics_approved(units, start, end):
    return subtree_counts(Topic.objects.filter(approved_at__date__range=(start, end)), units)


@metric("consultations.sessions_held", _("Sessions held"), section=SECTION, order=30,
        sources={"consultations.Session": None})
def sessions_held(units, start, end):
    return subtree_counts(Session.objects.filter(status=SessionStatus.HELD, scheduled_on__range=(start, end)), units)


def _session_quota(unit, year):
    from .settings_keys import quota_for

    return quota_for(unit, year)


register_quota("consultations.sessions_held", _session_quota)


def _attended(start, end):
    return Participant.objects.filter(attendance=Attendance.ATTENDED, session__status=SessionStatus.HELD,
                                      session__scheduled_on__range=(start, end))


@metric("consultations.participants", _("Participants (person-times)"), section=SECTION, order=31, sources=_SESSION_SOURCES)
def participants(units, start, end):
    named = subtree_counts(_attended(start, end), units, path_field="session__org_path")
    unnamed_residents = subtree_counts(
        Session.objects.filter(status=SessionStatus.HELD, scheduled_on__range=(start, end)), units,
        sum_field="residents_count")
    return {pk: named[pk] + unnamed_residents[pk] for pk in named}


@metric("consultations.member_attendances", _("Member attendances"), section=SECTION, order=32, sources=_SESSION_SOURCES)
def member_attendances(units, start, end):
    return subtree_counts(_attended(start, end).filter(kind=ParticipantKind.MEMBER), units,
                          path_field="session__org_path")


@metric("consultations.resident_person_times", _("Residents taking part (person-times)"), section=SECTION, order=33,
        sources=_SESSION_SOURCES)
def resident_person_times(units: Sequence, start, end):
    named = subtree_counts(_attended(start, end).filter(kind=ParticipantKind.RESIDENT), units,
                           path_field="session__org_path")
    unnamed = subtree_counts(Session.objects.filter(status=SessionStatus.HELD, scheduled_on__range=(start, end)),
                             units, sum_field="residents_count")
    return {pk: named[pk] + unnamed[pk] for pk in named}


def _ending_metric(code, label, order):
    @metric(f"consultations.suggestions_{code}", label, section=SECTION, order=order, sources=[Source("consultations.Suggestion", path="topic__org_path")])
    def func(units, start, end):
        qs = Suggestion.objects.filter(status=SuggestionStatus.DONE, ending=code, closed_at__date__range=(start, end))
        return subtree_counts(qs, units, path_field="topic__org_path")
    return func


_ending_metric(Ending.SOLVED, _("Suggestions solved"), 40)
_ending_metric(Ending.EXPLAINED, _("Suggestions explained (争取理解)"), 41)
_ending_metric(Ending.ESCALATED, _("Suggestions escalated to democratic supervision"), 42)


@metric("consultations.suggestions", _("Suggestions made"), section=SECTION, order=39, sources=[Source("consultations.Suggestion", path="topic__org_path")])
def suggestions(units, start, end):
    return subtree_counts(Suggestion.objects.filter(created_at__date__range=(start, end)), units,
                          path_field="topic__org_path")


@metric("consultations.suggestions_adopted", _("Suggestions adopted"), section=SECTION, order=43, sources=[Source("consultations.Suggestion", path="topic__org_path")])
def suggestions_adopted(units, start, end):
    qs = Suggestion.objects.filter(adopted=True).filter(
        Q(accepted_at__date__range=(start, end)) | Q(accepted_at__isnull=True, closed_at__date__range=(start, end)))
    return subtree_counts(qs, units, path_field="topic__org_path")


@metric("consultations.followups_done", _("Follow-up reviews (回头看) done"), section=SECTION, order=50,
        sources=[Source("consultations.FollowUp", path="topic__org_path")])
def followups_done(units, start, end):
    qs = FollowUp.objects.filter(status=FollowUpStatus.DONE, done_on__range=(start, end))
    return subtree_counts(qs, units, path_field="topic__org_path")


def topics_by_category(units, start, end) -> dict[int, dict[str, int]]:
    """For reports: {unit.pk: {category: n}} over each unit's subtree (categories are free text,
    so they are not separate registered metrics). One query."""
    rows = (Topic.objects.filter(created_at__date__range=(start, end)).values_list("org_path", "category")
            .order_by().annotate(n=Count("pk")))
    result = {u.pk: {} for u in units}
    for path, category, n in rows:
        for u in units:
            if path.startswith(u.path):
                key = category or "—"
                result[u.pk][key] = result[u.pk].get(key, 0) + n
    return result


@register_cases
def typical_cases(unit, start, end) -> list[dict]:
    """Outcomes marked as typical (典型案例) in the unit's subtree, by the day of their session."""
    from .models import Outcome

    outcomes = (Outcome.objects.filter(is_typical=True, topic__org_path__startswith=unit.path)
                .filter(Q(session__scheduled_on__range=(start, end))
                        | Q(session__isnull=True, recorded_at__date__range=(start, end)))
                .select_related("topic__org_unit").order_by("session__scheduled_on", "pk")[:12])
    return [{"title": o.topic.title, "unit": o.topic.org_unit.display_body, "text": o.summary.strip()}
            for o in outcomes]
