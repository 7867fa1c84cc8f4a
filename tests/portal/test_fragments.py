"""List rows printed by Jinja2 (portal/fragments.py) print every value as a Django template does,
and hold nothing to translate (makemessages does not read them)."""

import datetime
import decimal
import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.fragments import render_rows

ROOT = Path(__file__).resolve().parents[2]
VALUES = [
    "plain", "a \"quoted\" title's <b>bold</b> & more", "加装电梯“试点”", "", mark_safe("<i>safe</i>"), None, 0, 7,
    12345, 3.5, decimal.Decimal("2.50"), True, False, datetime.date(2026, 12, 7),
    datetime.datetime(2026, 12, 7, 18, 30, tzinfo=datetime.UTC), gettext_lazy("Overdue"), ["a", "<b>"],
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_values_print_as_django_prints_them(language):
    django_template = engines["django"].from_string("{% for v in values %}[{{ v }}]{% endfor %}")
    jinja_template = engines["jinja2"].from_string("{% for v in values %}[{{ v }}]{% endfor %}")
    with translation.override(language), timezone.override("Asia/Shanghai"):
        assert jinja_template.render({"values": VALUES}) == django_template.render({"values": VALUES})


def test_rows_are_safe_html_and_escaped():
    class Row:
        href, title, category, status, status_tone, status_label = "/x/1/", "<script>", "", "new", "primary", "新"
        channel_label, open_suggestions, updated_at_label = "线下", 0, "2026/12/7"

        class org_unit:  # noqa: N801 - the attribute the template reads
            name = "O'Brien & Co"

    html = render_rows("consultations/_topic_rows.html", rows=[Row])
    assert hasattr(html, "__html__")
    assert "&lt;script&gt;" in html and "O&#x27;Brien &amp; Co" in html and "<td>—</td>" in html


def test_row_templates_hold_nothing_to_translate():
    found = sorted(ROOT.glob("*/jinja2/**/*.html"))
    assert found
    for path in found:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\{%-?\s*(trans|blocktrans|translate|blocktranslate)\b|\b_\(|gettext", text), path
