"""Start a real Celery worker process against the test databases and broker."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections

from portal.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)


def database_url(alias: str) -> str:
    """The URL of the database `alias` points at now (the test database)."""
    db = connections[alias].settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


class Worker:
    """A running worker; `log` holds what it printed so far."""

    def __init__(self, process: subprocess.Popen, queue: str) -> None:
        self.process = process
        self.queue = queue
        self.log: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)
            if " ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 60) -> None:
        if not self._ready.wait(timeout):
            self.process.kill()
            raise AssertionError("worker did not start:\n" + "".join(self.log))


def spawn_worker(queue: str, env: dict[str, str], *options: str) -> Worker:
    """A worker process on `queue` against the test databases and broker,
    with `env` over the test's own environment; not yet ready."""
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url("default"),
        "TELEMETRY_DATABASE_URL": database_url("telemetry"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        "TELEMETRY_FILES_ROOT": str(settings.TELEMETRY_FILES_ROOT),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        f"--hostname={queue}@%h",
        "--without-gossip",
        "--without-mingle",
        *options,
    ]
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=full_env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return Worker(process, queue)


@contextlib.contextmanager
def running_worker(**extra_env: str) -> Iterator[Worker]:
    """A worker on a queue of its own, so no other worker takes its tasks."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = spawn_worker(queue, extra_env)
    process = worker.process
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        worker.wait_ready()
        yield worker
    finally:
        celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, *, timeout: float = 60, interval: float = 0.2) -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
