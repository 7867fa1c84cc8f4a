"""Export jobs: run by Celery (eager mode: the worker's code path in-process), progress, reuse of a
running job, no partial file after a failure; the Word pack and its editable template."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import exports
from reports.models import ExportJob, ExportStatus
from reports.services import export_request

from .conftest import YEAR

pytestmark = pytest.mark.django_db

PERIOD = {"period": "year", "year": str(YEAR)}


def _request(client, unit, kind, **extra):
    return client.post(reverse("reports:export_create", args=[unit.pk]), {**PERIOD, "kind": kind, **extra})


def test_dashboard_export_runs_in_the_background_and_offers_a_download(
        client, tree, world, users, eager_celery, django_capture_on_commit_callbacks):
    client.force_login(users.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, tree.county_a, "dashboard")
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:export", args=[job.pk])
    assert job.status == ExportStatus.DONE and job.percent == 100 and job.progress == job.total == 4
    page = client.get(response["Location"])
    assert reverse("reports:export_download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    summary_sheet = book.worksheets[0]
    assert summary_sheet["A1"].value == f"相山区{YEAR}年数据报表（汇总）" and summary_sheet["A2"].value.startswith("数据截至 ")
    rows = list(summary_sheet.iter_rows(min_row=5, values_only=True))
    summary = {row[1]: row[2] for row in rows}
    assert summary["在册委员"] == 3 and summary["履职活动（人次）"] == 3
    assert all(row[3] for row in rows if row[0] == "协商议事"), "every 协商议事 figure has its unit"
    assert summary["立案率"] == "—"  # 0 of 0 received
    # one sheet of child units per section, each printing landscape, one page wide, headers repeated
    assert len(book.worksheets) == 1 + len({row[0] for row in rows})
    for sheet in book.worksheets[1:]:
        children = {row[0] for row in sheet.iter_rows(min_row=5, values_only=True)}
        assert children == {"三堤口街道", "东山街道", "相山区城管局"}
        assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows.replace("$", "") == "1:4"
    from ..documents.text import download_name

    assert download_name(download) == job.filename == f"相山区-{YEAR}年-数据报表.xlsx"


def test_records_export_streams_every_record_and_reports_progress(
        client, tree, world, users, eager_celery, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    original = exports.PROGRESS_EVERY
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    from reports import services

    real = services.export_progress
    monkeypatch.setattr(services, "export_progress", lambda *a, **k: (seen.append(a[1:]), real(*a, **k)))
    client.force_login(users.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, tree.county_a, "records", metric="members.duty_records")
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE, job.error
    assert seen[0] == (0, 3) and [s[0] for s in seen[1:]] == [1, 2, 3, 3]
    book = openpyxl.load_workbook(job.file.path)
    rows = list(book.worksheets[0].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 3 and original == 500 and all(row[2] for row in rows)


def test_an_export_requested_twice_reuses_the_running_job(client, tree, users, django_capture_on_commit_callbacks):
    client.force_login(users.clerk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _request(client, tree.county_a, "dashboard", )
        second = _request(client, tree.county_a, "dashboard")
    assert first["Location"] == second["Location"]
    assert ExportJob.objects.count() == 1 and len(callbacks) == 1
    # the htmx request shows the same job's progress bar, polling while it runs
    partial = client.post(reverse("reports:export_create", args=[tree.county_a.pk]), {**PERIOD, "kind": "dashboard"},
                          HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'role="progressbar"' in html
    # another period is another export
    client.post(reverse("reports:export_create", args=[tree.county_a.pk]), {"period": "year", "year": "2024",
                                                                          "kind": "dashboard"})
    assert ExportJob.objects.count() == 2


def test_a_job_failing_halfway_offers_no_partial_file(
        client, tree, world, users, eager_celery, django_capture_on_commit_callbacks, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    calls = {"n": 0}
    real_progress = exports._records_xlsx

    def failing(job, path, progress):
        monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
        def progress_then_fail(done, total=None):
            calls["n"] += 1
            progress(done, total)
            if calls["n"] == 3:
                boom()
        return real_progress(job, path, progress_then_fail)

    monkeypatch.setattr(exports, "_records_xlsx", failing)
    client.force_login(users.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, tree.county_a, "records", metric="members.duty_records")
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED and not job.file and job.progress == 2
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    page = client.get(reverse("reports:export", args=[job.pk])).content.decode()
    assert "导出失败，请重试。" in page and "data-download" not in page and "disk full" not in page
    # a new request after a failure starts a new job
    with django_capture_on_commit_callbacks(execute=False):
        _request(client, tree.county_a, "records", metric="members.duty_records")
    assert ExportJob.objects.filter(status=ExportStatus.QUEUED).count() == 1


def test_unknown_kind_or_metric_is_a_clear_400(client, tree, users):
    client.force_login(users.clerk)
    assert _request(client, tree.county_a, "pdf").status_code == 400
    assert _request(client, tree.county_a, "records", metric="nope").status_code == 404
    bad = client.post(reverse("reports:export_create", args=[tree.county_a.pk]),
                      {"period": "custom", "start": "2025-05-01", "end": "2025-01-01", "kind": "dashboard"})
    assert bad.status_code == 400 and not ExportJob.objects.exists()


def test_word_pack_uses_the_built_in_template_then_an_uploaded_one(
        client, tree, world, users, eager_celery, django_capture_on_commit_callbacks):
    from docx import Document

    client.force_login(users.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, tree.county_a, "word_pack")
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE, job.error
    from ..documents.text import docx_lines, repeated

    lines = docx_lines(Path(job.file.path).read_bytes())
    text = "\n".join(lines)
    assert f"相山区政协{YEAR}年工作报告素材" in lines
    assert f"{YEAR}年，相山区政协下辖乡镇（街道）2个，村（社区）1个" in text
    assert f"{YEAR}年，相山区政协有在册委员3人，委员参加履职活动3人次" in text
    assert "在册委员 | 3人 | 3人 | 持平 | —" in lines and "有履职活动的委员占比 | 66.7%（2/3） | 33.3%（1/3） |  | —" in lines
    children = [line for line in lines if line.startswith("三堤口街道 |")]
    assert len(children) == 1 and "0.0%" not in text and repeated(lines) == []

    # an office edits the template in Word and uploads it for its subtree
    doc = Document()
    doc.add_paragraph("定制模板 {{ unit_name }} {{ period_label }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    upload = SimpleUploadedFile("mine.docx", buffer.getvalue())
    response = client.post(reverse("reports:template", args=[tree.county_a.pk]), {"file": upload})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, tree.township_a1, "word_pack")
    job = ExportJob.objects.filter(org_unit=tree.township_a1).get()
    assert "定制模板 三堤口街道" in Document(job.file.path).paragraphs[0].text


@pytest.mark.parametrize("name,content", [
    ("garbage.docx", b"not a zip at all"),
    ("notes.txt", b"hello"),
])
def test_a_broken_template_is_refused_with_a_message(client, tree, users, name, content):
    client.force_login(users.clerk)
    response = client.post(reverse("reports:template", args=[tree.county_a.pk]),
                           {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].errors
    from reports.models import ReportTemplate

    assert not ReportTemplate.objects.exists()


def test_a_template_with_a_broken_tag_is_refused(client, tree, users):
    from docx import Document

    doc = Document()
    doc.add_paragraph("{% for x in %}")
    buffer = io.BytesIO()
    doc.save(buffer)
    client.force_login(users.clerk)
    response = client.post(reverse("reports:template", args=[tree.county_a.pk]),
                           {"file": SimpleUploadedFile("t.docx", buffer.getvalue())})
    assert response.context["form"].errors["file"]


def test_export_service_checks_the_scope(tree, users):
    from portal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        export_request(actor=users.clerk_b, unit=tree.county_a, kind="dashboard", params={})


def test_a_job_whose_worker_was_lost_does_not_block_a_new_request(client, tree, users,
                                                                    django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    client.force_login(users.clerk)
    with django_capture_on_commit_callbacks(execute=False):
        _request(client, tree.county_a, "dashboard")
        ExportJob.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1), status="running")
        _request(client, tree.county_a, "dashboard")
    assert sorted(ExportJob.objects.values_list("status", flat=True)) == ["failed", "queued"]


def test_old_exports_and_their_files_are_purged(tree, world, users, eager_celery, django_capture_on_commit_callbacks):
    import datetime
    import os

    from django.utils import timezone

    from reports.services import exports_purge

    with django_capture_on_commit_callbacks(execute=True):
        job, _ = export_request(actor=users.clerk, unit=tree.county_a, kind="dashboard",
                                params={"period": {"kind": "year", "start": "2025-01-01", "end": "2025-12-31"}})
    job.refresh_from_db()
    path = job.file.path
    assert os.path.exists(path)
    assert exports_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert not os.path.exists(path) and not ExportJob.objects.exists()


def test_the_built_in_pack_template_passes_the_upload_check_and_names_official_fonts():
    """Staff download the built-in template, edit it and upload it again: it must pass the check
    itself, and it is laid out as an official document (A4, GB/T 9704 margins, — 1 — page numbers)."""
    from docx import Document
    from docx.shared import Mm

    data = exports.DEFAULT_TEMPLATE.read_bytes()
    exports.check_template(SimpleUploadedFile("annual_pack.docx", data))
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert [round(m / Mm(1)) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                       section.right_margin)] == [37, 35, 28, 26]
    footer = "".join(t.text or "" for t in section.footer._element.iter() if t.tag.endswith("}t"))
    assert footer.startswith("— ") and footer.endswith(" —") and "PAGE" in section.footer._element.xml
    assert doc.styles["Normal"].font.size.pt == 16
    assert "仿宋_GB2312" in doc.styles["Normal"].element.xml
