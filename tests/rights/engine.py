"""Fixtures of the rights engine's tests (imported by tests/rights/conftest.py).

- `sent`: records the tasks the engine sends instead of sending them, so a
  test drives each job by hand (claims, races, retries).
- `eager`: Celery runs sent tasks at once, in the test's process.
- `export_root`: archives under the test's temporary folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from apps.rights import tasks
from portal.celery import app as celery_app


@dataclass
class Sent:
    jobs: list[int] = field(default_factory=list)
    countdowns: list[tuple[int, float]] = field(default_factory=list)
    finishes: list[int] = field(default_factory=list)


@pytest.fixture
def sent(monkeypatch) -> Sent:
    record = Sent()

    def apply_async(args, countdown=None, **_):
        record.countdowns.append((args[0], countdown))

    monkeypatch.setattr(tasks.run_job, "delay", record.jobs.append)
    monkeypatch.setattr(tasks.run_job, "apply_async", apply_async)
    monkeypatch.setattr(tasks.finish_request, "delay", record.finishes.append)
    return record


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def export_root(tmp_path, settings):
    settings.RIGHTS_EXPORT_ROOT = tmp_path / "exports"
    return settings.RIGHTS_EXPORT_ROOT
