"""Sending work to the workers after the transaction that created it commits.

robust=True: a broker that is down at that moment must not turn a committed
request (or an officer's retry) into an error page; the job rows are the
outbox, and the beat sweeper sends what is pending later.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction


def enqueue_jobs_on_commit(job_ids: list[int]) -> None:
    """Send one run_job task per job after the transaction commits."""
    from apps.rights.tasks import run_job

    for job_id in job_ids:
        transaction.on_commit(partial(run_job.delay, job_id), robust=True)


def enqueue_finish_on_commit(request_id: int) -> None:
    from apps.rights.tasks import finish_request

    transaction.on_commit(partial(finish_request.delay, request_id), robust=True)
