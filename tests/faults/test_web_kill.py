"""The web process killed right after the commit that filed a request, before
it sent a single message: the job rows are the outbox, and the sweeper sends
them; the request completes as if nothing happened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from apps.rights.models import Job, JobStatus, Request
from tests.faults.conftest import alice_archive_is_whole
from tests.faults.test_worker_kills import recover
from tests.faults.workers import forget_queue
from tests.worker import BASE_DIR, database_url

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]

FILE_A_REQUEST = """
from apps.people.models import Employee
from apps.rights.services.lifecycle import request_file
alice = Employee.objects.get(pk={pk})
request_file(subject=alice, kind="access", filed_by=alice.user)
print("still alive after the commit")
"""


def _tasks_waiting(queue: str) -> list[str]:
    """The names of the tasks sent to `queue`, where nobody consumes them."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis"):
        import redis

        messages = redis.Redis.from_url(url).lrange(queue, 0, -1)
        forget_queue(queue)
    else:
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        paths = list(folder.glob(f"*.{queue}.msg"))
        messages = [path.read_bytes() for path in paths]
        for path in paths:
            path.unlink()
    return [json.loads(message)["headers"]["task"] for message in messages]


def test_web_process_killed_after_commit(
    alice, bob, catalog, snapshot, clean_worker, officer, scenario
):
    # Nobody listens on this queue: a message sent there would stay.
    unheard = f"unheard-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url("default"),
        "TELEMETRY_DATABASE_URL": database_url("telemetry"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": unheard,
        "CANDOR_FAULT_POINT": "queue.after_commit",
    }
    web = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            FILE_A_REQUEST.format(pk=alice.pk),
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert web.returncode == -signal.SIGKILL, web.stderr
    assert "still alive" not in web.stdout
    # Committed: the request and its jobs, none of them sent or run.
    request = Request.objects.get(subject=alice)
    assert request.status == "in_progress"
    jobs = Job.objects.filter(request=request)
    assert [(j.status, j.attempts) for j in jobs] == [(JobStatus.PENDING, 0)] * 2
    # (A notification may have gone out before it: not a job.)
    assert "apps.rights.tasks.run_job" not in _tasks_waiting(unheard)

    recover(request, clean_worker, scenario)

    request.refresh_from_db()
    assert request.status == "completed"
    alice_archive_is_whole(request, snapshot)
    assert snapshot.others_unchanged()
    scenario["end"] = "completed by the sweeper's re-drive, ZIP whole and correct"
