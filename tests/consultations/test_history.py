"""The topic's history reads as sentences: names, labels and Chinese dates, never codes or ids."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.audit import timeline_for
from portal.audit_text import describe_events

from ..helpers import count_queries
from .conftest import advance

pytestmark = pytest.mark.django_db

RAW = [
    re.compile(r"\b[a-z]+_[a-z_]+\s*:"),             # snake_case keys
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),     # ISO timestamps
    re.compile(r"\b(None|True|False)\b"),
    re.compile(r"demo:|hall:"),
    re.compile(r"“\d+”"),                              # bare ids
]


def _text(entries):
    return "\n".join(f"{e.actor} {e.action} {e.summary}" for e in entries)


def test_a_full_loop_reads_as_chinese_sentences(topic, users, tree):
    advance(topic, users, tree, to="reviewed")
    with translation.override("zh-hans"):
        text = _text(describe_events(timeline_for(topic)))
    for pattern in RAW:
        assert not pattern.search(text), (pattern.pattern, text)
    assert "状态由“待审核”改为“已立题，待调研”" in text
    assert tree.dept_a.name in text                     # handling unit by name, not id
    assert "填写了说明" in text or "填写了议题说明" in text or "填写了" in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)


def test_long_text_changes_show_a_diff(topic, users):
    from consultations import services

    services.topic_update(actor=users.secretary, topic=topic, version=topic.version,
                          description="庆相桥社区停车位严重不足，群众反映强烈。")
    with translation.override("zh-hans"):
        entry = describe_events(timeline_for(topic))[0]
    change = next(c for c in entry.changes if c.diff)
    assert change.sentence.startswith("修改了")
    assert ("insert", "严重") in change.diff


def test_history_resolves_names_in_constant_queries(topic, users, tree):
    events = list(timeline_for(topic))
    few, _ = count_queries(lambda: describe_events(events))
    advance(topic, users, tree, to="reviewed")
    events = list(timeline_for(topic))
    many, sqls = count_queries(lambda: describe_events(events))
    # one query per kind of record named (people, units, members, suggestions), never per event
    assert many <= few + 4, "\n".join(sqls)


def test_topic_page_shows_readable_history(client, topic, users, tree):
    advance(topic, users, tree, to="approved")
    client.force_login(users.secretary)
    html = client.get(reverse("consultations:topic", args=[topic.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "状态由" in html
    assert "status:" not in html
