"""Browser journeys in Debian's chromium through Playwright, against pytest-django's live server.

Use the `page` fixture (1280 px) or `phone` (375 px); `login(page, live_server, username)`
signs in through the real form. Tests here are marked `e2e` automatically."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "pw-12345"  # tests.factories.UserFactory's password


def pytest_collection_modifyitems(config, items):
    # No xdist group: each journey goes to whichever worker is free (every worker has its own
    # database, live server and chromium), so the journeys never queue up behind one another.
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("Debian's chromium is required for browser tests (apt-get install chromium)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


def _new_page(browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.fixture
def page(_browser, transactional_db):
    context, page = _new_page(_browser, 1280, 900)
    yield page
    context.close()


@pytest.fixture
def phone(_browser, transactional_db):
    context, page = _new_page(_browser, 375, 760)
    yield page
    context.close()


def login(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")
    assert "/accounts/login/" not in page.url, "login failed"
