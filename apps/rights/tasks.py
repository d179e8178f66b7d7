"""Celery entry points of the rights engine: each takes ids and calls a service.

No retry on the decorators: a job's attempts, backoff and cap live in its
row (apps.rights.services.jobs), so they hold across redeliveries, worker
kills and restarts, which a broker-side retry count does not. acks_late and
reject_on_worker_lost (portal/settings.py) redeliver a task whose worker
died; the claim makes the second delivery harmless.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.rights.services.finishing import request_finish
from apps.rights.services.jobs import job_run
from apps.rights.services.sweeper import (
    deadlines_check,
    erasure_wishes_file,
    jobs_redrive,
)

LIMITS = {
    "soft_time_limit": settings.RIGHTS_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.RIGHTS_TASK_TIME_LIMIT,
}


@shared_task(**LIMITS)
def run_job(job_id: int) -> str:
    """Claim and carry out one job; returns what happened."""
    return job_run(job_id=job_id)


@shared_task(**LIMITS)
def finish_request(request_id: int) -> bool:
    """Finish a request whose jobs are all settled (archive, certificate)."""
    return request_finish(request_id=request_id) is not None


@shared_task
def redrive_jobs() -> dict[str, int]:
    """Beat: the jobs' relay and re-drive, and consent erasure wishes."""
    return {**jobs_redrive(), **erasure_wishes_file()}


@shared_task
def check_deadlines() -> dict[str, int]:
    """Beat: deadline warnings, overdue flags, expired archives."""
    return deadlines_check()
