"""Consultations at province scale for `manage.py generate_data` (PostgreSQL COPY, bounded memory).

Scale 1.0: 1,000,000 topics at townships and villages across every state of the loop, with their
research, sessions (three participants each: two county members and a residents' representative),
outcomes, suggestions (open ones carry deadlines, many overdue), 回头看 and evaluations."""

from __future__ import annotations

import datetime

from portal.bulk import Copier, Progress, at, bulk_transaction, reserve_block, spread, title

from .models import (
    Attendance,
    Channel,
    Ending,
    Evaluation,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Participant,
    ParticipantKind,
    RaterKind,
    Research,
    ResearchKind,
    Route,
    Session,
    SessionForm,
    SessionStatus,
    Suggestion,
    SuggestionStatus,
    Topic,
    TopicStatus,
)

CHUNK = 10_000
_ROUTE, _SESSIONFORM, _RESEARCHKIND, _ENDING = (list(Route.values), list(SessionForm.values), list(ResearchKind.values),
                                                list(Ending.values))
STATUS_WEIGHTS = [
    (TopicStatus.DRAFT, 5), (TopicStatus.SUBMITTED, 4), (TopicStatus.REJECTED, 3), (TopicStatus.APPROVED, 6),
    (TopicStatus.RESEARCHED, 6), (TopicStatus.SCHEDULED, 6), (TopicStatus.CONSULTED, 8), (TopicStatus.HANDLING, 17),
    (TopicStatus.CLOSED, 25), (TopicStatus.REVIEWED, 20),
]
ORDER = [TopicStatus.DRAFT, TopicStatus.SUBMITTED, TopicStatus.APPROVED, TopicStatus.RESEARCHED, TopicStatus.SCHEDULED,
         TopicStatus.CONSULTED, TopicStatus.HANDLING, TopicStatus.CLOSED, TopicStatus.REVIEWED]
START = datetime.date(2024, 1, 1)
TODAY = datetime.date(2026, 11, 25)


def _rank(status) -> int:
    return -1 if status == TopicStatus.REJECTED else ORDER.index(status)


def generate(*, ctx, stdout):
    rng = ctx.rng
    total = ctx.count(1_000_000)
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    channels = list(Channel.values)
    places = ctx.townships + ctx.villages
    progress = Progress(stdout, "topics + loop", total)
    rows = {"topics": 0, "sessions": 0, "participants": 0, "suggestions": 0, "open deadlines": 0}
    first_topic = reserve_block(Topic, total)
    for offset in range(0, total, CHUNK):
        with bulk_transaction():
            n = min(CHUNK, total - offset)
            plan = []
            for i in range(n):
                unit_id, path = rng.choice(places)
                county_id = int(path.strip("/").split("/")[2])
                status = rng.choices(statuses, weights)[0]
                plan.append((first_topic + offset + i, unit_id, path, county_id, status, spread(rng, START, 1050)))
            n_sessions = sum(1 for p in plan if _rank(p[4]) >= ORDER.index(TopicStatus.SCHEDULED))
            first_session = reserve_block(Session, n_sessions) if n_sessions else 0
            sessions_of = {}
            with Copier(Topic, explicit_ids=True) as topics:
                for pk, unit_id, path, _county, status, day in plan:
                    rank = _rank(status)
                    topics.row({
                        "id": pk, "org_unit_id": unit_id, "org_path": path, "title": title(rng),
                        "description": "居民反映的问题，需要各方坐下来商量。", "channel": rng.choice(channels),
                        "category": rng.choice(["民生", "城市管理", "热点", "难点"]), "status": status,
                        "planned_month": day.replace(day=1), "is_public": rank >= ORDER.index(TopicStatus.APPROVED),
                        "published_at": at(day, rng) if rank >= ORDER.index(TopicStatus.APPROVED) else None,
                        "rejection_reason": "不属于协商范围" if status == TopicStatus.REJECTED else "",
                        "approved_at": at(day, rng) if rank >= ORDER.index(TopicStatus.APPROVED) else None,
                        "closed_at": at(day + datetime.timedelta(days=90), rng) if rank >= ORDER.index(TopicStatus.CLOSED)
                        else None,
                        "created_at": at(day, rng), "updated_at": at(day, rng), "version": 1,
                        "raised_on": day,
                        "approved_on": day if rank >= ORDER.index(TopicStatus.APPROVED) else None,
                        "closed_on": day + datetime.timedelta(days=90) if rank >= ORDER.index(TopicStatus.CLOSED)
                        else None,
                    })
            rows["topics"] += n
            with Copier(Research) as research:
                for pk, _u, _p, _c, status, day in plan:
                    if _rank(status) >= ORDER.index(TopicStatus.RESEARCHED):
                        research.row({"topic_id": pk, "kind": rng.choice(_RESEARCHKIND),
                                      "done_on": day + datetime.timedelta(days=10), "team": "联络组",
                                      "findings": "走访居民三十余户，意见集中。", "respondents": rng.randint(5, 60),
                                      "created_at": at(day, rng)})
            next_session = first_session
            with Copier(Session, explicit_ids=True) as sessions, Copier(Participant) as participants:
                for pk, unit_id, path, county_id, status, day in plan:
                    rank = _rank(status)
                    if rank < ORDER.index(TopicStatus.SCHEDULED):
                        continue
                    held = rank >= ORDER.index(TopicStatus.CONSULTED)
                    on = day + datetime.timedelta(days=20)
                    if not held and status == TopicStatus.SCHEDULED:
                        on = TODAY + datetime.timedelta(days=rng.randint(1, 30))
                    sessions.row({"id": next_session, "topic_id": pk, "org_unit_id": unit_id, "org_path": path,
                                  "status": SessionStatus.HELD if held else SessionStatus.PLANNED, "scheduled_on": on,
                                  "form": rng.choice(_SESSIONFORM), "venue": "社区协商议事厅",
                                  "residents_count": rng.randint(0, 40) if held else 0,
                                  "held_at": at(on, rng) if held else None, "created_at": at(day, rng), "version": 1,
                                  "steps_done": ["brief", "opinions", "interaction", "consensus"] if held else []})
                    sessions_of[pk] = next_session
                    members = ctx.member_ids_by_county.get(county_id) or []
                    for member_id in rng.sample(members, min(2, len(members))):
                        participants.row({"session_id": next_session, "kind": ParticipantKind.MEMBER,
                                          "member_id": member_id, "name": f"委员{member_id}",
                                          "attendance": Attendance.ATTENDED if held else Attendance.INVITED})
                    participants.row({"session_id": next_session, "kind": ParticipantKind.RESIDENT,
                                      "name": "居民代表", "attendance": Attendance.ATTENDED if held else Attendance.INVITED})
                    rows["participants"] += 1 + min(2, len(members))
                    next_session += 1
            rows["sessions"] += n_sessions
            with Copier(Outcome) as outcomes, Copier(Suggestion) as suggestions, Copier(FollowUp) as followups, \
                    Copier(Evaluation) as evaluations:
                for pk, _u, _p, _c, status, day in plan:
                    rank = _rank(status)
                    if rank < ORDER.index(TopicStatus.HANDLING):
                        continue
                    outcomes.row({"topic_id": pk, "session_id": sessions_of.get(pk), "consensus": True,
                                  "summary": "各方达成共识，分工推进。", "minutes": "协商纪要", "recorded_at": at(day, rng),
                                  "recorded_on": day + datetime.timedelta(days=20), "version": 1})
                    closed = rank >= ORDER.index(TopicStatus.CLOSED)
                    for _ in range(2):
                        deadline = day + datetime.timedelta(days=60) if closed else TODAY + datetime.timedelta(
                            days=rng.randint(-30, 60))
                        suggestions.row({
                            "topic_id": pk, "text": "明确责任主体，限期整改。", "route": rng.choice(_ROUTE),
                            "deadline": deadline, "created_at": at(day, rng),
                            "routed_on": day + datetime.timedelta(days=20),
                            "closed_on": deadline if closed else None,
                            "status": SuggestionStatus.DONE if closed else rng.choice(
                                [SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED]),
                            "adopted": closed, "ending": rng.choice(_ENDING) if closed else "",
                            "closed_at": at(deadline, rng) if closed else None,
                        })
                        rows["open deadlines"] += 0 if closed else 1
                    rows["suggestions"] += 2
                    if closed:
                        reviewed = status == TopicStatus.REVIEWED
                        followups.row({"topic_id": pk, "due_on": day + datetime.timedelta(days=270),
                                       "status": FollowUpStatus.DONE if reviewed else FollowUpStatus.DUE,
                                       "done_on": day + datetime.timedelta(days=270) if reviewed else None,
                                       "findings": "整改到位" if reviewed else "", "created_at": at(day, rng)})
                        if reviewed:
                            evaluations.row({"topic_id": pk, "rater_kind": RaterKind.RESIDENTS, "score": rng.randint(3, 5),
                                             "created_at": at(day, rng)})
        progress.add(n)
    progress.finish()
    stdout.write("  " + ", ".join(f"{k}: {v:,}" for k, v in rows.items()))
