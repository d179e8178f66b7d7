"""Claiming a job's row and holding it while the work runs.

A claim is one conditional UPDATE (pending and due, or running with its
lease run out) that also counts the attempt; the lease is renewed by a
heartbeat thread, and whoever no longer holds it stops (apps.rights.services
.jobs writes every outcome on the condition that the claim is still its own).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.rights.models import Job, JobStatus

logger = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return timezone.now()


class LeaseLost(Exception):
    """Another worker took the job over: stop without writing anything."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.RIGHTS_JOB_LEASE_SECONDS)


def job_claim(*, job_id: int, worker: str) -> tuple[Job, str] | None:
    """Take job `job_id` for `worker`: (the job, the claim token), or None
    when it is not ours to run (done, running under a live lease, not due).

    The attempt is counted here, in the database, so the cap holds across
    redeliveries and restarts.
    """
    now = _now()
    token = f"{worker}:{uuid.uuid4().hex[:12]}"
    claimable = Q(status=JobStatus.PENDING, run_after__lte=now) | Q(
        status=JobStatus.RUNNING, lease_expires_at__lt=now
    )
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        lease_expires_at=now + _lease(),
        claimed_by=token,
        attempts=F("attempts") + 1,
        started_at=Coalesce("started_at", now),
        updated_at=now,
    )
    if not claimed:
        return None
    job = Job.objects.select_related(
        "request", "request__subject", "dataset", "dataset__store"
    ).get(pk=job_id)
    return job, token


class Heartbeat:
    """Renews a claimed job's lease and records its progress, from a thread,
    while the connector works in the caller's thread.

    `lost` turns true when the row is no longer ours (another worker took it
    over after our lease ran out); long loops check it and stop.
    """

    def __init__(self, job: Job, token: str, measure: Callable[[], int] | None = None):
        self.job_id = job.pk
        self.token = token
        self.done = 0
        self.bytes = 0
        self.measure = measure
        self.lost = False
        self._stop = threading.Event()
        self._interval = max(0.2, settings.RIGHTS_JOB_LEASE_SECONDS / 4)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                self.beat()
        finally:
            connection.close()  # This thread's own database connection.

    def beat(self) -> None:
        if self.measure is not None:
            try:
                self.done = self.measure()
            except Exception:  # noqa: BLE001 - progress is best effort
                logger.debug("job %s: progress unknown", self.job_id, exc_info=True)
        renewed = Job.objects.filter(
            pk=self.job_id, status=JobStatus.RUNNING, claimed_by=self.token
        ).update(
            lease_expires_at=_now() + _lease(),
            records_done=self.done,
            bytes_written=self.bytes,
            updated_at=_now(),
        )
        if not renewed:
            self.lost = True
            self._stop.set()

    def check(self) -> None:
        if self.lost:
            raise LeaseLost
