"""Every kind of document, checked as printed: generated from the demo data the way users download
them, converted to PDF with LibreOffice headless (one soffice call for all files), then read back
with poppler: page counts within bounds, no word outside the page, no paragraph said twice, no
"0.0%" for 0/0, Chinese file names. The first page of each goes to var/screenshots/documents/
(CI keeps them as artifacts).

Needs LibreOffice (soffice) and poppler-utils: skipped without them locally, a failure in CI
(REQUIRE_SERVICES=1)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from ..documents.text import docx_lines, download_name, repeated

pytestmark = [pytest.mark.django_db, pytest.mark.documents]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots" / "documents"
FONT_CONF = ROOT / "portal" / "fonts" / "65-portal-gbt9704.conf"
MM = 72 / 25.4

# kind: (least pages, most pages)
PAGES = {
    "minutes": (1, 2), "reply": (1, 2), "register": (1, 12), "duty_report": (1, 3), "evaluation": (1, 3),
    "bulletin": (1, 6), "notice": (1, 2),
    "ranking": (1, 6), "report_pack": (2, 8), "dashboard": (2, 12), "records": (1, None),
}
ROWS_PER_PAGE = 30  # at least, for lists (records: as many pages as their rows need, no more)


def _tools():
    missing = [tool for tool in ("soffice", "pdftotext", "pdfinfo", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        message = f"needs LibreOffice and poppler-utils: {', '.join(missing)} not found"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _download(client, username, url) -> tuple[str, bytes]:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return download_name(response), response.getvalue()


def _documents(client) -> dict[str, tuple[str, bytes]]:
    """{kind: (file name, content)} from the demo data, through the same views users click."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from consultations.models import Outcome, Topic
    from members.models import Member
    from organizations.models import OrgUnit
    from proposals.models import Bulletin, EvaluationRound, Reply
    from reports import exports
    from reports.models import ExportJob, ExportKind
    from reports.periods import year_period

    docs = {}
    outcome = Outcome.objects.filter(topic__suggestions__isnull=False).select_related("topic").order_by("pk").first()
    docs["minutes"] = _download(client, "admin", reverse("consultations:minutes_docx", args=[outcome.topic_id]))
    topic = Topic.objects.filter(is_public=True).exclude(description="").order_by("pk").first()
    docs["notice"] = _download(client, "admin", reverse("consultations:notice_docx", args=[topic.pk]))
    reply = Reply.objects.exclude(lines=[]).order_by("-pk").first()
    docs["reply"] = _download(client, "admin", reverse("proposals:export_reply", args=[reply.pk]))
    docs["register"] = _download(client, "proposal", reverse("proposals:export_registered"))
    member = Member.objects.get(user__username="member")
    docs["duty_report"] = _download(client, "clerk", reverse("members:report", args=[member.pk]))
    docs["ranking"] = _download(client, "clerk", reverse("members:ranking_export"))
    rnd = EvaluationRound.objects.order_by("pk").first()
    docs["evaluation"] = _download(client, "admin", reverse("proposals:export_evaluation", args=[rnd.pk]))
    # the fullest issue whose items say different things (some demo items share a one-line note)
    bulletin = next(b for b in Bulletin.objects.annotate(n=Count("items")).order_by("-n", "pk")
                    if len({i.content for i in b.items.all()}) == b.n)
    docs["bulletin"] = _download(client, "admin", reverse("proposals:export_bulletin", args=[bulletin.pk]))

    clerk = get_user_model().objects.get(username="clerk")
    county = OrgUnit.objects.get(code="huaibei-xiangshan")
    from django.utils import timezone

    period = year_period(timezone.localdate().year).as_params()
    for kind, export_kind, extra in (("report_pack", ExportKind.WORD_PACK, {}),
                                     ("dashboard", ExportKind.DASHBOARD, {}),
                                     ("records", ExportKind.RECORDS, {"metric": "members.duty_records"})):
        job = ExportJob(requested_by=clerk, org_unit=county, kind=export_kind,
                        params={"period": period, "language": "zh-hans", **extra})
        with tempfile.NamedTemporaryFile(suffix=".tmp") as handle:
            name = exports.build(job, handle.name, progress=lambda *a, **k: None)
            docs[kind] = (name, Path(handle.name).read_bytes())
    return docs


def _convert(paths: list[Path], outdir: Path) -> None:
    conf = outdir / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include><include>{FONT_CONF}</include>'
                    f'</fontconfig>')
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(outdir)}
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
                   check=True, env=env, timeout=240, capture_output=True)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _words_outside(pdf: Path) -> list[str]:
    """Words whose box leaves the page (less a 5 mm band at the edges, where nothing should print)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        width, height = float(page.group(1)), float(page.group(2))
        for word in re.finditer(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                                page.group(3)):
            x0, y0, x1, y1 = map(float, word.groups()[:4])
            if x0 < 5 * MM or y0 < 5 * MM or x1 > width - 5 * MM or y1 > height - 5 * MM:
                outside.append(word.group(5))
    return outside


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def test_every_document_prints_cleanly(client, settings, tmp_path_factory, demo):
    tmp_path = Path(os.environ.get("DOCUMENTS_OUT") or tmp_path_factory.mktemp("documents"))
    tmp_path.mkdir(parents=True, exist_ok=True)
    _tools()
    docs = _documents(client)
    assert set(docs) == set(PAGES)

    paths = {}
    for kind, (name, content) in docs.items():
        assert re.search(r"[\u4e00-\u9fff]", name), (kind, name)
        stem = Path(name).stem
        assert not re.search(r"[A-Za-z]{3,}", stem), f"{kind}: English words in the file name {name}"
        assert Path(name).suffix in (".docx", ".xlsx"), name
        if name.endswith(".docx"):
            lines = docx_lines(content)
            assert repeated(lines) == [], (kind, repeated(lines))
        path = tmp_path / f"{kind}{Path(name).suffix}"
        path.write_bytes(content)
        paths[kind] = path

    _convert(list(paths.values()), tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for kind, path in paths.items():
        pdf = path.with_suffix(".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {kind}"
        pages = _pages(pdf)
        low, high = PAGES[kind]
        if high is None:
            from openpyxl import load_workbook

            high = 1 + load_workbook(path, read_only=True).worksheets[0].max_row // ROWS_PER_PAGE
        if not low <= pages <= high:
            problems.append(f"{kind}: {pages} pages, expected {low}–{high}")
        outside = _words_outside(pdf)
        if outside:
            problems.append(f"{kind}: text outside the page: {outside[:8]}")
        text = _pdf_text(pdf)
        if re.search(r"(?<![\d.])0\.0%", text):
            problems.append(f"{kind}: prints 0.0%")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(SHOTS / kind)], check=True)
    assert problems == [], "\n".join(problems)
