"""The export jobs' transition table and the service agree: for every user and every state, the
download is offered (allowed_actions — the export card and its link) exactly when
`services.export_file` hands the file out, and the download route answers accordingly. The
worker's steps are offered to nobody."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.errors import GuardFailed, NotAllowed
from portal.workflow import allowed_actions
from reports import services, workflows
from reports.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db

CALLS = {
    "download": lambda actor, job: services.export_file(actor=actor, job=job),
}
WORKER_STEPS = {"start", "finish", "fail"}


def test_every_export_action_is_a_service_call_or_a_worker_step():
    assert set(CALLS) | WORKER_STEPS == set(workflows.EXPORT.rows)


def _accepted(call, *args) -> bool:
    try:
        call(*args)
    except (NotAllowed, GuardFailed):
        return False
    return True


def _job(users, tree, status, with_file):
    job = ExportJob.objects.create(requested_by=users.clerk, org_unit=tree.county_a, kind="dashboard",
                                   params={}, fingerprint=f"{status}-{with_file}", status=status)
    if with_file:
        job.file.save("报表.xlsx", ContentFile(b"PK\x03\x04 test"), save=False)
        job.filename = "报表.xlsx"
        job.save(update_fields=["file", "filename"])
    return ExportJob.objects.select_related("org_unit").get(pk=job.pk)


@pytest.mark.parametrize("status,with_file", [("queued", False), ("running", False), ("done", True),
                                              ("done", False), ("failed", False)])
def test_export_actions_shown_are_exactly_those_the_service_accepts(status, with_file, client, users, tree):
    job = _job(users, tree, status, with_file)
    link = reverse("reports:export_download", args=[job.pk])
    for who in ("admin", "city_clerk", "clerk", "clerk_b", "proposal", "leader", "member", "nobody"):
        user = getattr(users, who)
        shown = set(allowed_actions(job, user))
        assert not shown & WORKER_STEPS, (status, who)
        for action, call in CALLS.items():
            assert (action in shown) == _accepted(call, user, job), (status, with_file, who, action)
        client.force_login(user)
        card = client.get(reverse("reports:export", args=[job.pk]))
        if who == "clerk":  # only the requester sees the job at all
            assert card.status_code == 200
            assert (link in card.content.decode()) == ("download" in shown), (status, with_file)
            download = client.get(link)
            assert download.status_code == (200 if "download" in shown else 404), (status, with_file)
            if download.status_code == 200:
                assert b"".join(download.streaming_content) == b"PK\x03\x04 test"
        else:
            assert card.status_code == 404 and client.get(link).status_code == 404, (status, who)
    assert ("download" in allowed_actions(job, users.clerk)) == (status == "done" and with_file)


def test_the_worker_reads_its_states_from_the_table(users, tree):
    done = _job(users, tree, ExportStatus.DONE, True)
    services.export_run(done.pk)  # a finished job is not started again
    done.refresh_from_db()
    assert done.status == ExportStatus.DONE and done.file
    assert workflows.EXPORT.refusal(done, "start") is not None
    assert workflows.EXPORT.refusal(_job(users, tree, ExportStatus.QUEUED, False), "start") is None
