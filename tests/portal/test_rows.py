"""List rows' labels computed once per page (portal/rows.py) print exactly what the template
filters print: choice labels, dates and datetimes in each language and the local time zone."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from consultations.models import Topic
from portal.rows import choice_labels, date_label, date_labels

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_labels_print_what_the_template_filters_print(lang, tree):
    late = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)  # already 2 March in Shanghai
    rows = [Topic(org_unit=tree.township_a1, title=str(i), status=status, channel=channel, updated_at=at)
            for i, (status, channel, at) in enumerate([("draft", "member", late), ("closed", "member", late),
                                                        ("handling", "resident", late.replace(hour=1)),
                                                        ("draft", "member", None)])]
    template = Template('{{ t.get_status_display }}|{{ t.get_channel_display }}|{{ t.updated_at|date:"SHORT_DATE_FORMAT" }}|'
                       '{{ t.updated_at|date:"DATETIME_FORMAT" }}')
    with translation.override(lang), timezone.override("Asia/Shanghai"):
        choice_labels(rows, "status", "channel")
        date_labels(rows, updated_at="SHORT_DATE_FORMAT")
        for t in rows:
            expected = template.render(Context({"t": t}))
            ours = f"{t.status_label}|{t.channel_label}|{t.updated_at_label}|{date_label(t.updated_at, 'DATETIME_FORMAT')}"
            assert ours == expected
        assert rows[0].updated_at_label != rows[2].updated_at_label  # the local date, not UTC's
