"""The admin reads as Chinese, including third-party apps' models (axes, celery-beat, auth, …):
the index, and every registered model's list and add page, as a superuser in zh-hans.

Generic on purpose: an app added later (a new dependency with an admin) is crawled too."""

import html as htmllib
import re
import zoneinfo
from urllib.parse import unquote_plus

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from ..page_checks import english_words, raw_codes, visible_text

pytestmark = pytest.mark.django_db

# Names that stay as they are in a Chinese admin, on top of page_checks.ALLOWED_ENGLISH.
ADMIN_ALLOWED = {"totp", "otp", "hotp", "cron", "crontab", "utc", "sms", "uuid", "sha256", "ajax", "amqp",
                 "rabbitmq", "ldap", "celery_task_queues",
                 # celery-beat's JSON examples: ["arg1", "arg2"], {"argument": "value"}
                 "arg1", "arg2", "argument", "value",
                 # Django's own Chinese for the multiple-select hint: "按住 Control 键，或者 Mac 上的 Command 键"
                 "control", "command", "mac"}


# What a page shows of the records and inputs, not its labels: the rows of a list, a text box's
# content, a read-only value (celery-beat's cron description), time-zone names, task paths.
DATA = [re.compile(p, re.S) for p in (r"<tbody>.*?</tbody>", r"<textarea[^>]*>.*?</textarea>",
                                      r'<div class="readonly">.*?</div>')]
TIME_ZONES = zoneinfo.available_timezones()


def _raw_value_filter(m: re.Match) -> str:
    """A list filter's link that shows the stored value itself (axes' path "<unknown>") is data;
    a link whose text differs from its value (a choice's label) stays checked."""
    value, text = unquote_plus(m.group(1)), htmllib.unescape(m.group(2)).strip()
    return "" if value == text else m.group(0)


def _labels_only(html: str) -> str:
    for pattern in DATA:
        html = pattern.sub("", html)
    html = re.sub(r'<a href="\?[\w]+=([^"&]*)">([^<]*)</a>', _raw_value_filter, html)
    html = re.sub(r'<option value="([^"]*)"[^>]*>[^<]*</option>',
                  lambda m: "" if m.group(1) in TIME_ZONES else m.group(0), html)
    return re.sub(r"\b[a-z_]+(?:\.[a-z_]+)+\b", "", visible_text(html))


def _admin_pages():
    yield "/admin/"
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        try:
            yield reverse("admin:{}_{}_changelist".format(*info))
            yield reverse("admin:app_list", args=[model._meta.app_label])
            yield reverse("admin:{}_{}_add".format(*info))
        except NoReverseMatch:
            continue


@pytest.fixture
def superuser(users):
    user = users.admin
    user.is_staff = user.is_superuser = True
    user.language = "zh-hans"
    user.save()
    return user


def test_every_admin_page_reads_as_chinese(client, superuser):
    client.force_login(superuser)
    problems, seen = [], 0
    for url in dict.fromkeys(_admin_pages()):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code == 403:  # e.g. axes' logs cannot be added by hand
            continue
        assert response.status_code == 200, (url, response.status_code)
        seen += 1
        text = _labels_only(response.content.decode())
        words = english_words(text, allowed=ADMIN_ALLOWED)
        if words:
            problems.append(f"{url}: English {sorted(words)}")
        problems += [f"{url}: {c}" for c in raw_codes(text)]
    assert seen > len(admin.site._registry), seen  # lists and add pages were really looked at
    assert not problems, "\n".join(problems)


def test_the_audit_trail_in_the_admin_names_actions_not_codes(client, superuser):
    client.force_login(superuser)  # audited as "user.login"
    html = client.get("/admin/portal/auditevent/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    text = visible_text(html)
    assert "user.login" not in text
    assert "登录" in text  # the row and the filter read the action's label
