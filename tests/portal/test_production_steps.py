"""The README's production steps, run as written against PostgreSQL and Redis: migrate,
collectstatic, compilemessages, then gunicorn serving the login page behind a TLS proxy."""

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def _readme_steps() -> list[str]:
    """The bash block of the README's "Without Docker" paragraph, one command per line."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("Without Docker"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scratch_database():
    """A database beside the test database (same server and user), dropped afterwards. In a run
    with the migrated template (tests/conftest.py) it starts as a copy of that template, so the
    README's `migrate` finds nothing left to apply (migrating from empty is how the template itself
    was built); otherwise it starts empty and `migrate` builds it."""
    import psycopg

    from tests.conftest import TEMPLATE_ENV

    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/") + "_prodsteps"
    admin = urlunsplit(url._replace(path="/postgres"))
    template = os.environ.get(TEMPLATE_ENV)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        for attempt in range(40):
            try:
                conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
                break
            except psycopg.errors.ObjectInUse:  # another worker is copying the template this moment
                if attempt == 39:
                    raise
                time.sleep(0.25)
    yield urlunsplit(url._replace(path="/" + name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=120) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)


def test_readme_production_steps_serve_the_login_page(scratch_database, tmp_path):
    steps = _readme_steps()
    assert steps[0] == "export DJANGO_SETTINGS_MODULE=portal.settings.prod"
    assert any(s.startswith("gunicorn ") for s in steps)
    port = _free_port()
    env = {**os.environ, "SECRET_KEY": "x" * 60, "DATABASE_URL": scratch_database,
           "REDIS_URL": os.environ.get("REDIS_URL") or pytest.fail("REDIS_URL is needed"),
           "ALLOWED_HOSTS": "portal.example.gov.cn,127.0.0.1", "STATIC_ROOT": str(tmp_path / "static"),
           "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    setup = [s for s in steps if not s.startswith("gunicorn ")]
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(setup)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=1800)  # collectstatic compresses every file: minutes on a busy machine
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert (tmp_path / "static" / "staticfiles.json").exists() or any((tmp_path / "static").iterdir())

    gunicorn = next(s for s in steps if s.startswith("gunicorn "))
    gunicorn = re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", gunicorn) + " --workers 1"
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 - a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen(["bash", "-c", f"export DJANGO_SETTINGS_MODULE=portal.settings.prod; exec {gunicorn}"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # up to ~2 minutes on a busy CI machine
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        status, body, _headers = _get(f"{base}/accounts/login/", Host="portal.example.gov.cn",
                                      **{"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"})
        assert status == 200, body[:500]
        assert 'name="password"' in body and "登录" in body
        # The page's stylesheets are served under their hashed names (the only ones collectstatic keeps).
        sheets = re.findall(r'href="(/static/[^"]+\.css)"', body)
        assert sheets and all(re.search(r"\.[0-9a-f]{12}\.css$", s) for s in sheets), sheets
        for sheet in sheets:
            status, css, headers = _get(f"{base}{sheet}", Host="portal.example.gov.cn", **{"X-Forwarded-Proto": "https"})
            assert status == 200 and css and "immutable" in headers.get("Cache-Control", ""), (sheet, status, headers)
        # Without the proxy's header the request is plain HTTP and is sent to HTTPS.
        status, _body, headers = _get(f"{base}/accounts/login/", Host="portal.example.gov.cn")
        assert status == 301 and headers["Location"].startswith("https://portal.example.gov.cn/")
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
