"""Numbers that people read as words."""

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(("score", "words"), [(0.92, "高度相似"), (0.7, "高度相似"), (0.55, "较为相似"),
                                              (0.35, "部分相似"), ("x", "")])
def test_similarity_reads_as_words(score, words):
    with translation.override("zh-hans"):
        html = Template("{% load portal_words %}{{ s|similarity }}").render(Context({"s": score}))
    assert html == words


def test_score_reads_as_points_and_the_annual_minimum():
    with translation.override("zh-hans"):
        html = Template('{% include "members/_score.html" %}').render(Context({"score": {
            "points": 128, "minimum": 15, "below_minimum": False, "breakdown": [], "missing_quotas": []}}))
    assert "128</span> 分" in html and "（年度最低 15 分）" in html
    assert "/ 15" not in html
