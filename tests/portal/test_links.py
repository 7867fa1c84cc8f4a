"""portal.links gives the URLs reverse() gives."""

from types import SimpleNamespace

from django.urls import reverse

from portal.links import link_to, row_links


def test_same_urls_as_reverse():
    to = link_to("consultations:topic")
    for pk in (1, 42, 987654321, 10**12):
        assert to(pk) == reverse("consultations:topic", args=[pk])


def test_row_links_follow_a_dotted_key():
    rows = [SimpleNamespace(member=SimpleNamespace(pk=pk)) for pk in (3, 7)]
    row_links(rows, "members:detail", key="member.pk")
    assert [r.href for r in rows] == [reverse("members:detail", args=[3]), reverse("members:detail", args=[7])]
