"""Sending work to the workers after the transaction that created it commits.

robust=True: a broker that is down at that moment must not turn a committed
request (or an officer's retry) into an error page; the job rows are the
outbox, and the beat sweeper sends what is pending later.
"""

from __future__ import annotations

from django.db import transaction

from apps.rights import faults


def after_commit(func, /, *args, **kwargs) -> None:
    """Call func(*args, **kwargs) once the transaction commits; an error there
    (a broker that is down) is logged, never raised: the outcome is committed.

    A closure, not functools.partial: Django's robust on_commit names the
    failed callable by its __qualname__, which a partial lacks, so its error
    handler itself raised AttributeError (tests/faults/test_redis_restart)."""

    def call() -> None:
        func(*args, **kwargs)

    transaction.on_commit(call, robust=True)


def enqueue_jobs_on_commit(job_ids: list[int]) -> None:
    """Send one run_job task per job after the transaction commits."""
    from apps.rights.tasks import run_job

    # The web process dying here (tests/faults/test_web_kill.py) leaves
    # committed jobs that no message announces: the sweeper's work.
    transaction.on_commit(lambda: faults.checkpoint("queue.after_commit"))
    for job_id in job_ids:
        after_commit(run_job.delay, job_id)


def enqueue_finish_on_commit(request_id: int) -> None:
    from apps.rights.tasks import finish_request

    after_commit(finish_request.delay, request_id)
