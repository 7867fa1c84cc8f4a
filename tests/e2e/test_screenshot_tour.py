"""The screenshot tour: every role's main pages at 1280 px and 375 px in Debian's chromium with a
CJK font, each checked automatically — no horizontal overflow on a phone, no raw codes, no
untranslated English, no console errors — and kept as PNGs in var/screenshots/ (CI artifacts).
`make screenshots` runs only this. One browser; each role signs in once and reuses its context."""

import os
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from organizations.permissions import roles_of
from portal.nav import items_for

from ..consultations.conftest import advance
from ..page_checks import english_words, raw_codes
from .conftest import login

SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(settings.VAR_DIR) / "screenshots"))
ROLES = ["clerk", "proposal", "secretary", "approver", "member", "dept", "leader"]
WIDTHS = [(1280, 900), (375, 760)]


def _pages(user, topic):
    urls = ["/"] + [reverse(item.url_name) for item in items_for(roles_of(user))]
    if "secretary" in roles_of(user) or "office_clerk" in roles_of(user):
        urls.append(reverse("consultations:topic", args=[topic.pk]))
    return list(dict.fromkeys(urls))


def test_every_role_main_pages_read_well_at_both_widths(live_server, _browser, transactional_db, users, tree):
    from consultations import services

    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                  description="庆相桥社区停车位不足，群众反映强烈。", channel="resident",
                                  category="民生", proposer_name="居民张某")
    advance(topic, users, tree, to="reviewed")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems, shots = [], 0
    for role in ROLES:
        user = getattr(users, role)
        context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15000)
        errors = []
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on("response", lambda r, errors=errors: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
        login(page, live_server, user.username)
        for url in _pages(user, topic):
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("load")
            text = page.inner_text("body")
            where = f"{role} {url}"
            problems += [f"{where}: {c}" for c in raw_codes(text)]
            if english := english_words(text, allowed=[user.username]):
                problems.append(f"{where}: English {sorted(english)}")
            for width, height in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                # the menu (portal.js) and the cockpit's charts re-lay out 100 ms after a resize and then
                # mark the width on <html data-laid-out-for>: wait until they have, for this width
                page.wait_for_function("w => { const d = document.documentElement.dataset;"
                                       " return d.laidOutFor === undefined || d.laidOutFor == w; }", arg=width)
                if width == 375:
                    overflow = page.evaluate("document.documentElement.scrollWidth")
                    if overflow > width:
                        problems.append(f"{where}: {overflow} px wide at {width} px")
                else:
                    nav = page.evaluate("(() => { const b = document.querySelector('.portal-navbar .container-fluid');"
                                        " return b ? b.scrollWidth - b.clientWidth : 0; })()")
                    if nav > 1:
                        problems.append(f"{where}: the menu overflows by {nav} px at {width} px")
                name = re.sub(r"[^a-z0-9]+", "-", url.strip("/")) or "home"
                page.screenshot(path=str(SHOTS / f"{role}--{name}--{width}.png"), full_page=True)
                shots += 1
            problems += [f"{where}: console error {e}" for e in errors]
            errors.clear()
        context.close()
    assert shots >= len(ROLES) * 2 * 2
    assert not problems, "\n".join(problems)
