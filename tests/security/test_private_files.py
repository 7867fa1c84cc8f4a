"""Private files only through scoped views: every stored file kind answers 404 to anonymous
visitors (no login redirect) and to users outside its scope; names are unguessable; there is no /media/
route; behind nginx/Apache the web server sends the file (X-Accel-Redirect / X-Sendfile)."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import make_member
from tests.proposals.conftest import to_state, world  # noqa: F401 — `world` is a fixture

pytestmark = pytest.mark.django_db

UNGUESSABLE = re.compile(r"^[a-z-]+(/[a-z-]+)?/\d{4}/[0-9a-f]{32}\.\w+$")
PDF = b"%PDF-1.4\n% private\n"


def _kinds(world):  # noqa: F811
    """(kind, stored FieldFile, url, a user in scope, a user outside it)."""
    from consultations import services as cs
    from consultations.models import Attachment as TopicAttachment
    from members.models import DutyRecord
    from proposals.models import Attachment as ProposalAttachment
    from reports.models import ExportJob, ReportTemplate

    u, tree = world.users, world.tree
    topic = cs.topic_create(actor=u.secretary, org_unit=tree.township_a1, title="小区停车难", description="d",
                            channel="resident", category="民生")
    evidence = TopicAttachment.objects.create(topic=topic, file=ContentFile(PDF, name="内部证据.pdf"),
                                              original_name="内部证据.pdf")
    member = make_member(tree.county_a, name="刘芳二")
    duty = DutyRecord.objects.create(member=member, kind="volunteer", occurred_on=datetime.date(2026, 6, 1),
                                     title="志愿服务", org_unit=tree.county_a, org_path=tree.county_a.path,
                                     evidence=ContentFile(PDF, name="evidence.pdf"))
    proposal = to_state(world, "replied")
    reply = proposal.assignments.get(unit=tree.dept_a).replies.get()
    reply.letter.save("letter.pdf", ContentFile(PDF))
    attachment = ProposalAttachment.objects.create(proposal=proposal, file=ContentFile(PDF, name="附件.pdf"),
                                                   name="附件.pdf", size=len(PDF), uploaded_by=u.member)
    job = ExportJob.objects.create(requested_by=u.clerk, kind="dashboard", org_unit=tree.county_a,
                                   org_path=tree.county_a.path, fingerprint="f", status="done",
                                   file=ContentFile(PDF, name="相山区-2026年-dashboard.xlsx"),
                                   filename="相山区-2026年-dashboard.xlsx")
    template = ReportTemplate.objects.create(org_unit=tree.county_a, org_path=tree.county_a.path,
                                             file=ContentFile(PDF, name="template.docx"), uploaded_by=u.clerk)
    return [
        ("topic evidence", evidence.file, reverse("consultations:attachment", args=[evidence.pk]), u.secretary,
         u.clerk_b),
        ("duty evidence", duty.evidence, reverse("members:duty_evidence", args=[duty.pk]), u.clerk, u.clerk_b),
        ("reply letter", reply.letter, reverse("proposals:reply_letter_file", args=[reply.pk]), u.proposal,
         u.clerk_b),
        ("proposal attachment", attachment.file, reverse("proposals:attachment_file", args=[attachment.pk]),
         u.proposal, u.clerk_b),
        ("export", job.file, reverse("reports:export_download", args=[job.pk]), u.clerk, u.clerk_b),
        ("report template", template.file, reverse("reports:template_download", args=[tree.county_a.pk]), u.clerk,
         u.clerk_b),
    ]


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_stored_file_kind_is_served_only_in_scope(client, world):  # noqa: F811
    for kind, stored, url, insider, outsider in _kinds(world):
        assert UNGUESSABLE.match(stored.name), (kind, stored.name)
        client.logout()
        anonymous = client.get(url)
        assert anonymous.status_code == 404 and PDF not in _body(anonymous), kind
        assert client.get("/media/" + stored.name).status_code == 404, kind
        client.force_login(outsider)
        assert client.get(url).status_code == 404, kind
        client.force_login(insider)
        inside = client.get(url)
        assert inside.status_code == 200 and _body(inside) == PDF, (kind, inside.status_code)


def test_web_server_sends_the_file_when_configured(client, world, settings):  # noqa: F811
    kinds = _kinds(world)
    kind, stored, url, insider, _outsider = kinds[0]
    client.force_login(insider)
    settings.PORTAL_SENDFILE_HEADER = "X-Accel-Redirect"
    settings.PORTAL_SENDFILE_PREFIX = "/protected/"
    response = client.get(url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected/" + stored.name
    assert "attachment" in response["Content-Disposition"]
    settings.PORTAL_SENDFILE_HEADER = "X-Sendfile"
    response = client.get(url)
    assert response["X-Sendfile"] == stored.path
    stored.storage.delete(stored.name)
    assert client.get(url).status_code == 404
