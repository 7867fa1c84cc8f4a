import datetime

import pytest
from django.utils import timezone

from consultations import services
from consultations.models import Attendance, Channel, Route, SessionForm

from ..factories import make_member


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def topic(users, tree):
    return services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                 description="庆相桥社区停车位不足，群众反映强烈。", channel=Channel.RESIDENT,
                                 category="民生", proposer_name="居民张某")


def advance(topic, users, tree, *, to: str, today=None):
    """Move a topic through the loop up to `to` with the services (each guard exercised)."""
    today = today or timezone.localdate()
    sec = users.secretary
    steps = ["submitted", "approved", "researched", "scheduled", "consulted", "handling", "closed", "reviewed"]
    topic.refresh_from_db()
    start = steps.index(topic.status) + 1 if topic.status in steps else 0
    for step in steps[start: steps.index(to) + 1]:
        topic.refresh_from_db()
        if step == "submitted":
            services.topic_submit(actor=sec, topic=topic)
        elif step == "approved":
            services.topic_approve(actor=users.approver, topic=topic)
        elif step == "researched":
            services.research_add(actor=sec, topic=topic, kind="visit", done_on=today - datetime.timedelta(days=3),
                                  findings="实地走访三个小区，车位缺口约300个。", team="委员2人、社区干部1人")
        elif step == "scheduled":
            session = services.session_schedule(actor=sec, topic=topic, scheduled_on=today, form=SessionForm.COUNCIL,
                                                 venue="庆相桥社区协商议事厅", agenda="停车位规划")
            member = make_member(tree.county_a, posted_to=tree.township_a1)
            services.participant_add(actor=sec, session=session, kind="member", member=member)
            services.participant_add(actor=sec, session=session, kind="resident", name="居民代表王某")
        elif step == "consulted":
            session = topic.sessions.get()
            services.session_hold(actor=sec, session=session, version=session.version,
                                  attendance={p.pk: Attendance.ATTENDED for p in session.participants.all()},
                                  steps_done=["brief", "opinions"], residents_count=12, summary="充分协商")
        elif step == "handling":
            services.outcome_record(actor=sec, topic=topic, consensus=True, summary="启用地下车库，补划车位。",
                                    minutes="纪要")
            services.suggestion_add(actor=sec, topic=topic, text="协调开发商启用地下停车场", route=Route.DEPARTMENT,
                                    handling_unit=tree.dept_a, deadline=today + datetime.timedelta(days=30))
        elif step == "closed":
            for s in topic.suggestions.all():
                services.suggestion_close(actor=sec, suggestion=s, ending="solved", feedback="已补增300个车位")
            services.topic_close(actor=sec, topic=topic)
        elif step == "reviewed":
            services.followup_record(actor=sec, followup=topic.followups.get(), done_on=today, findings="车位运行良好")
    topic.refresh_from_db()
    return topic
