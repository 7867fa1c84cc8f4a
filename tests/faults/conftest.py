"""Fixtures for the fault tests: a private Redis server (never the machine's own) and real
Celery workers, both started and killed by the tests themselves."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a free port; kill() is kill -9, start() reuses port and dir."""

    def __init__(self, folder: Path, *, persistent: bool):
        self.port, self.folder, self.persistent, self.proc = free_port(), folder, persistent, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        args = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
                "--save", "", "--daemonize", "no", "--logfile", str(self.folder / "redis.log")]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)


def _redis_or_skip():
    if not shutil.which("redis-server"):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is needed for the fault tests")
        pytest.skip("redis-server is not installed")


@pytest.fixture
def private_redis(tmp_path):
    _redis_or_skip()
    server = PrivateRedis(tmp_path / "redis-volatile", persistent=False)
    server.folder.mkdir()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def persistent_redis(tmp_path):
    _redis_or_skip()
    server = PrivateRedis(tmp_path / "redis-aof", persistent=True)
    server.folder.mkdir()
    server.start()
    yield server
    server.kill()


class Worker:
    """A real `celery -A portal worker` (solo pool: kill -9 hits the process running the task)."""

    def __init__(self, broker_url: str, folder: Path, name: str):
        self.broker_url, self.folder, self.name, self.proc = broker_url, folder, name, None

    def start(self):
        env = {**os.environ, "REDIS_URL": self.broker_url, "CELERY_BROKER_URL": self.broker_url,
               "CELERY_VISIBILITY_TIMEOUT": "3", "DJANGO_SETTINGS_MODULE": "portal.settings.test",
               # The worker's own heartbeat task must not touch any real database.
               "DATABASE_URL": f"sqlite:///{self.folder / 'worker.sqlite3'}",
               "PYTHONPATH": str(ROOT)}
        self.log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-I", "tests.faults.probe_tasks",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO", "-n", f"{self.name}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(broker_url: str, name: str) -> Worker:
        worker = Worker(broker_url, tmp_path, name).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
