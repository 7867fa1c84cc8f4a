"""Residents' phone numbers are masked except where staff must call them."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from hall import services
from portal.accounts.privacy import mask_phone
from tests.hall.conftest import make_submission


@pytest.mark.parametrize(("raw", "masked"), [
    ("13812345678", "138****5678"), (" 13812345678 ", "138****5678"), ("0561-3012345", "056*-***2345"),
    ("+8613812345678", "+86*******5678"), ("1234567", "*****67"), ("12", "12"), ("", ""), (None, ""),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_the_template_filter():
    html = Template("{% load portal_privacy %}{{ p|mask_phone }}").render(Context({"p": "13812345678"}))
    assert html == "138****5678"


@pytest.mark.django_db
def test_a_submissions_phone_is_shown_while_it_is_screened_and_masked_after(client, tree, users):
    submission = make_submission(tree.township_a1, contact_name="张女士", contact_phone="13812345678")
    client.force_login(users.secretary)
    url = reverse("hall:manage_submission", args=[submission.pk])
    assert '<span id="contact-phone">13812345678</span>' in client.get(url).content.decode()
    services.submission_decline(actor=users.secretary, submission=submission, reply="已转相关部门")
    page = client.get(url).content.decode()
    assert "13812345678" not in page and '<span id="contact-phone">138****5678</span>' in page
