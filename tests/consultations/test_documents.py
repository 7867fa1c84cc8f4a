import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from consultations import services
from portal.errors import DomainError

from .conftest import advance

pytestmark = pytest.mark.django_db


def _docx(*paragraphs) -> bytes:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_minutes_print_from_the_default_template(client, users, tree, topic):
    advance(topic, users, tree, to="handling")
    client.force_login(users.secretary)
    r = client.get(reverse("consultations:minutes_docx", args=[topic.pk]))
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.getvalue())).paragraphs)
    assert "小区停车难" in text and "启用地下车库" in text and "协调开发商启用地下停车场" in text
    client.force_login(users.secretary_b)
    assert client.get(reverse("consultations:minutes_docx", args=[topic.pk])).status_code == 404


def test_unit_template_is_used_below_the_unit(client, users, tree, topic):
    services.minutes_template_upload(actor=users.secretary, org_unit=tree.township_a1,
                                     upload=SimpleUploadedFile("t.docx", _docx("三堤口纪要：{{ title }}")))
    advance(topic, users, tree, to="handling")
    client.force_login(users.secretary)
    r = client.get(reverse("consultations:minutes_docx", args=[topic.pk]))
    assert "三堤口纪要：小区停车难" in "\n".join(p.text for p in Document(io.BytesIO(r.getvalue())).paragraphs)


@pytest.mark.parametrize("content,name", [
    (_docx("{{ no_such_field }}"), "t.docx"),
    (_docx("{{ title "), "t.docx"),
    (b"PK\x03\x04 not really a zip", "t.docx"),
    (b"%PDF-1.4", "t.pdf"),
], ids=["unknown-field", "broken-tag", "fake-zip", "pdf"])
def test_broken_templates_are_refused_with_a_message(users, tree, content, name):
    with pytest.raises(DomainError):
        services.minutes_template_upload(actor=users.secretary, org_unit=tree.township_a1,
                                         upload=SimpleUploadedFile(name, content))


def test_template_page(client, users, tree):
    client.force_login(users.secretary)
    assert client.get(reverse("consultations:templates")).status_code == 200
    assert client.get(reverse("consultations:templates") + "?download=default").getvalue().startswith(b"PK")
    r = client.post(reverse("consultations:templates"), {"org_unit": tree.township_a1.pk, "file": SimpleUploadedFile(
        "t.docx", _docx("{{ bad }}"))})
    assert r.status_code == 400 and "bad" in r.content.decode()
    r = client.post(reverse("consultations:templates"), {"org_unit": tree.township_b1.pk, "file": SimpleUploadedFile(
        "t.docx", _docx("{{ title }}"))})
    assert r.status_code == 400
    client.force_login(users.member)
    assert client.post(reverse("consultations:templates"), {}).status_code == 403  # a page only staff use: 403 to a signed-in user without the role


def test_minutes_say_each_thing_once_and_print_the_venue(client, users, tree, topic):
    """The result repeats suggestion 1 and the minutes repeat the result: each is printed once."""
    from consultations.models import Outcome

    from ..documents.text import docx_lines, download_name, repeated

    advance(topic, users, tree, to="handling")
    Outcome.objects.filter(topic=topic).update(summary="协调开发商启用地下停车场。补划车位。",
                                               minutes="会议听取了居民意见。补划车位。\n会议听取了居民意见。")
    client.force_login(users.secretary)
    r = client.get(reverse("consultations:minutes_docx", args=[topic.pk]))
    lines = docx_lines(r.getvalue())
    text = "\n".join(lines)
    assert repeated(lines) == []
    assert text.count("协调开发商启用地下停车场") == 1, text
    assert text.count("补划车位") == 1, text
    assert text.count("会议听取了居民意见") == 1, text
    assert "1. 协调开发商启用地下停车场" in text and "1. 1." not in text
    session = topic.sessions.get()
    assert f"地点：{session.venue}" in text
    assert download_name(r) == "协商纪要-小区停车难.docx"


def test_typical_cases_are_marked_by_staff_and_listed_for_the_report_pack(client, users, tree, topic):
    import datetime

    from portal.audit import timeline_for
    from portal.metrics import CASE_SOURCES

    advance(topic, users, tree, to="handling")
    url = reverse("consultations:outcome_typical", args=[topic.pk])
    client.force_login(users.secretary_b)
    assert client.post(url, {"typical": "1"}).status_code == 404
    client.force_login(users.member)
    assert client.post(url, {"typical": "1"}).status_code == 404
    client.force_login(users.secretary)
    assert client.get(url).status_code == 405
    assert client.post(url, {"typical": "1"}).status_code == 302
    topic.outcome.refresh_from_db()
    assert topic.outcome.is_typical
    assert any(e.action == "consultations.outcome.typical" for e in timeline_for(topic))
    year = topic.sessions.get().scheduled_on.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    cases = [c for source in CASE_SOURCES for c in source(tree.county_a, start, end)]
    assert cases == [{"title": "小区停车难", "unit": tree.township_a1.display_body, "text": topic.outcome.summary}]
    assert [c for source in CASE_SOURCES for c in source(tree.county_b, start, end)] == []
    client.post(url, {"typical": "0"})
    assert [c for source in CASE_SOURCES for c in source(tree.county_a, start, end)] == []


def test_published_topic_prints_its_notice_in_the_official_format(client, users, tree, topic):
    """公示: the notice of a published topic — title, the sentence of publication, the topic's
    particulars, where to send opinions, the body and the day of publication; none before."""
    from django.utils import timezone

    from ..documents.text import docx_lines, download_name, repeated

    url = reverse("consultations:notice_docx", args=[topic.pk])
    client.force_login(users.secretary)
    assert url not in client.get(topic.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 302  # not published yet: back to the topic with a message
    advance(topic, users, tree, to="approved")  # approved and published by default
    topic.refresh_from_db()
    assert topic.is_public
    assert url in client.get(topic.get_absolute_url()).content.decode()
    r = client.get(url)
    assert r.status_code == 200 and download_name(r) == "公示-小区停车难.docx"
    lines = docx_lines(r.getvalue())
    body = tree.township_a1.display_body
    day = timezone.localtime(topic.published_at).date()
    assert lines == [
        "关于“小区停车难”协商议题的公示", f"经{body}研究审定，“小区停车难”列为协商议题，现予以公示。",
        "议题名称：小区停车难", f"提出方：居民张某 · {topic.get_channel_display()}", "议题内容：",
        "庆相桥社区停车位不足，群众反映强烈。", f"公示期间，群众如有意见建议，请向{body}反映。",
        body, f"{day.year}年{day.month}月{day.day}日"]
    assert repeated(lines) == []
    client.force_login(users.secretary_b)
    assert client.get(url).status_code == 404


def test_minutes_with_ampersands_and_angle_brackets_print_as_text(client, users, tree, topic):
    """Minutes are text: an “&” or “<” (a company's name, “<5 个车位”) is printed as written, in
    the default template and in a unit's own, instead of breaking the Word document."""
    from consultations.models import Outcome

    from ..documents.text import docx_lines

    advance(topic, users, tree, to="handling")
    Outcome.objects.filter(topic=topic).update(summary="请A&B物业公司补划车位。",
                                               minutes="会议认为空余车位<5个 & 夜间>20辆。\n<b>不是标记</b>")
    topic.sessions.update(venue="社区议事厅<二楼>")
    client.force_login(users.secretary)
    r = client.get(reverse("consultations:minutes_docx", args=[topic.pk]))
    assert r.status_code == 200
    text = "\n".join(docx_lines(r.getvalue()))
    assert "请A&B物业公司补划车位。" in text
    assert "会议认为空余车位<5个 & 夜间>20辆。" in text and "<b>不是标记</b>" in text
    assert "社区议事厅<二楼>" in text and "&amp;" not in text and "&lt;" not in text

    services.minutes_template_upload(actor=users.secretary, org_unit=tree.township_a1,
                                     upload=SimpleUploadedFile("t.docx", _docx("纪要：{{ minutes }}", "{{ summary }}")))
    r = client.get(reverse("consultations:minutes_docx", args=[topic.pk]))
    assert r.status_code == 200
    text = "\n".join(docx_lines(r.getvalue()))
    assert "会议认为空余车位<5个 & 夜间>20辆。" in text and "请A&B物业公司补划车位。" in text
