"""Browser journeys in Debian's chromium through Playwright, against pytest-django's live server.

Use the `page` fixture (1280 px) or `phone` (375 px); `login(page, live_server, username)`
signs in through the real form. Tests here are marked `e2e` automatically."""

import inspect
import os
import shutil
import sys

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's chromium-headless-shell is the old headless shell that Playwright itself uses for headless
# runs: a new page or context costs it ~0.25 s of CPU against ~1 s for the full browser (which opens
# a browser window with its own WebUI renderers for every page), a navigation about half. The full
# browser is the fallback where the shell is not installed.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.path.exists(path)),
    "/usr/bin/chromium")
PASSWORD = "pw-12345"  # tests.factories.UserFactory's password


class _ShallowInspect:
    """`inspect` for Playwright's sync API, which records `inspect.stack(0)` at every call (to name
    the API in errors and traces): the real one reads every frame's source file and module — on
    pytest's deep stacks a sixth of a browser test's CPU. Same frames, nearest 16, no source."""

    def __getattr__(self, name):
        return getattr(inspect, name)

    @staticmethod
    def stack(context=1):
        frames, frame = [], sys._getframe(1)
        while frame is not None and len(frames) < 16:
            code = frame.f_code
            frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
            frame = frame.f_back
        return frames


def _shallow_playwright_stacks():
    from playwright._impl import _connection, _sync_base

    _sync_base.inspect = _connection.inspect = _ShallowInspect()


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

    _shallow_playwright_stacks()
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


def scroll_width(page):
    """The page's laid-out width. After a click that navigates, Playwright returns once the new
    document has committed, when it may not have a root element yet: wait for it to be parsed."""
    page.wait_for_load_state("domcontentloaded")
    return page.evaluate("document.documentElement.scrollWidth")
