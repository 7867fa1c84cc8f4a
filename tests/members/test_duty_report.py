"""The member's duty report (履职报告) lists what counts, leaves pending entries out, and fits the page."""

import datetime

import pytest
from django.urls import reverse
from docx import Document
from docx.shared import Mm

from members import services

from ..documents.text import docx_lines, download_name, repeated
from .conftest import png

pytestmark = pytest.mark.django_db


def test_duty_report_lists_counted_entries_and_counts_pending_apart(client, users, me, tree):
    import io

    today = datetime.date.today()
    services.duty_record_add(member=me, kind="session_attended", source=tree.township_a1, occurred_on=today,
                             title="庆相桥社区停车难协商议事会", actor=users.secretary)
    services.duty_record_submit(actor=users.member, member=me, kind="volunteer", occurred_on=today,
                                title="社区义诊（待核实）", evidence=png())
    client.force_login(users.clerk)
    r = client.get(reverse("members:report", args=[me.pk]) + f"?year={today.year}")
    assert r.status_code == 200
    data = r.getvalue()  # a streamed download: read once
    lines = docx_lines(data)
    text = "\n".join(lines)
    assert "庆相桥社区停车难协商议事会" in text
    assert "社区义诊（待核实）" not in text
    assert "另有1项履职记录正在核实，核实后计入，本报告未列入。" in lines
    assert repeated(lines) == []
    assert download_name(r) == f"{me.name}-{today.year}年-履职报告.docx"
    table = Document(io.BytesIO(data)).tables[0]
    widths = [cell.width for cell in table.rows[0].cells]
    assert widths[1] >= Mm(100) and widths[0] >= Mm(20) and sum(widths) <= Mm(160.1)
