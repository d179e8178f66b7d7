"""Running one job: claim its row, call the store's connector, record what
happened.

A job is claimed with a conditional UPDATE (pending and due, or running with
its lease run out), which also counts the attempt in the row: a message
delivered twice, a worker killed mid-job and redelivered, or a sweeper
re-drive all go through the same claim, and only one of them wins. The
winner holds a lease, renewed by a heartbeat thread while the connector
works; every write of the outcome is conditional on still holding it, so a
worker that lost its lease (it stalled, another took over) changes nothing.
The work itself is idempotent: erasing twice erases nothing more, an
export rewrites its part files.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import AuditEntry, audit_record_many
from apps.people.selectors import subject_identifiers
from apps.rights import faults
from apps.rights.models import Job, JobAction, JobStatus
from apps.rights.notifications import request_notify_on_commit
from apps.rights.services.claims import Heartbeat, LeaseLost, job_claim, worker_name
from apps.rights.services.queueing import after_commit
from apps.stores.base import ManualStep, StoreMisconfigured, StoreUnavailable
from apps.stores.registry import get_connector

logger = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return timezone.now()


def _ours(job: Job, token: str):
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, claimed_by=token)


def _settle(job: Job, entry: AuditEntry) -> None:
    """Write the job's audit record and, if it was the request's last
    unsettled job, finish the request. Without an archive to build, that is
    done in this transaction (finishing.request_settle). An archive is built
    outside any lock, so an access request is finished here, in this worker,
    once the job's outcome is committed (no second task to wait for); should
    the worker die first, the sweeper sends the finish."""
    from apps.rights.services.finishing import (
        EXPORT_KINDS,
        jobs_settled,
        request_finish,
        request_settle,
    )

    if job.request.kind not in EXPORT_KINDS:
        request_settle(request_id=job.request_id, entries=[entry])
        return
    audit_record_many(entries=[entry])
    if jobs_settled(request_id=job.request_id):
        after_commit(request_finish, request_id=job.request_id)


def _audit_entry(job: Job, action: str, **detail) -> AuditEntry:
    return AuditEntry(
        actor=None,
        subject=job.request.subject,
        action=action,
        purpose=f"{job.request.get_kind_display()} request",
        dataset_key=job.dataset.key,
        detail={"request_id": job.request_id, "job_id": job.pk, **detail},
    )


@transaction.atomic
def _finish(job: Job, token: str, audit_action: str, audit: dict, **fields) -> bool:
    now = _now()
    finished = _ours(job, token).update(
        status=JobStatus.DONE,
        lease_expires_at=None,
        finished_at=now,
        updated_at=now,
        last_error="",
        **fields,
    )
    if not finished:
        return False
    _settle(job, _audit_entry(job, audit_action, **audit))
    return True


@transaction.atomic
def job_fail(*, job: Job, error: str, token: str | None = None) -> bool:
    """Mark `job` failed with `error` and tell the officers, who may retry it.

    With `token`, only while the claim is still ours."""
    rows = _ours(job, token) if token else Job.objects.filter(pk=job.pk)
    now = _now()
    failed = rows.exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED,
        last_error=error[:2000] or "failed",
        lease_expires_at=None,
        finished_at=now,
        updated_at=now,
    )
    if failed:
        logger.warning("job %s failed: %s", job.pk, error)
        request_notify_on_commit(
            request_id=job.request_id,
            event="job_failed",
            extra={"dataset_name": job.dataset.name, "error": error},
        )
    return bool(failed)


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^attempts, capped, times a
    random factor in [0.5, 1) so that retries of many jobs spread out."""
    ceiling = min(
        settings.RIGHTS_RETRY_BASE_SECONDS * 2**attempts,
        settings.RIGHTS_RETRY_MAX_SECONDS,
    )
    return ceiling * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not secrets


def _visibility_timeout() -> float | None:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    return options.get("visibility_timeout")


@transaction.atomic
def _retry_later(job: Job, token: str, error: str) -> str:
    if job.attempts >= job.max_attempts:
        job_fail(
            job=job,
            token=token,
            error=f"gave up after {job.attempts} attempts: {error}",
        )
        return "failed"
    delay = backoff_seconds(job.attempts)
    moved = _ours(job, token).update(
        status=JobStatus.PENDING,
        run_after=_now() + dt.timedelta(seconds=delay),
        lease_expires_at=None,
        claimed_by="",
        last_error=error[:2000],
        updated_at=_now(),
    )
    if not moved:
        return "lost"
    # A countdown longer than the broker's visibility timeout would be
    # redelivered (and run) several times: leave those to the sweeper,
    # which sends the job once run_after has passed.
    visibility = _visibility_timeout()
    if visibility is None or delay < visibility:
        from apps.rights.tasks import run_job

        after_commit(run_job.apply_async, (job.pk,), countdown=delay)
    return "retry"


@transaction.atomic
def _to_manual(job: Job, token: str, step: ManualStep) -> str:
    moved = _ours(job, token).update(
        status=JobStatus.MANUAL,
        assignee_email=step.assignee if "@" in step.assignee else "",
        lease_expires_at=None,
        last_error=step.reason[:2000],
        updated_at=_now(),
    )
    if not moved:
        return "lost"
    request_notify_on_commit(
        request_id=job.request_id,
        event="manual_task",
        extra={"dataset_name": job.dataset.name, "assignee": step.assignee},
    )
    return "manual"


# -- the work per action -------------------------------------------------------


def _identifiers(job: Job) -> list[str]:
    return subject_identifiers(
        employee=job.request.subject, kind=job.dataset.identifier_kind
    )


def _export(job: Job, token: str) -> str:
    from apps.rights.services.exports import export_job_write

    faults.checkpoint("export.claimed")
    with Heartbeat(job, token) as heartbeat:
        output = export_job_write(
            job=job, identifiers=_identifiers(job), heartbeat=heartbeat
        )
    heartbeat.check()
    finished = _finish(
        job,
        token,
        AuditAction.RIGHTS_DATA_EXPORTED,
        {
            "records": output["records"],
            "files": output["files"],
            "bytes": output["bytes"],
        },
        output=output,
        records_found=output["records"],
        records_done=output["records"],
        bytes_written=output["bytes"],
    )
    return "done" if finished else "lost"


def _erase(job: Job, token: str) -> str:
    faults.checkpoint("erase.claimed")
    connector = get_connector(job.dataset.store)
    dataset, identifiers = job.dataset, _identifiers(job)
    found = job.records_found
    if found is None:
        # Counted once, before anything is erased: a rerun after a crash
        # keeps the first count, which the certificate reports as "before".
        found = connector.count(dataset, identifiers)
        _ours(job, token).update(records_found=found)

    def erased_so_far() -> int:
        return max(0, found - connector.count(dataset, identifiers))

    with Heartbeat(job, token, measure=erased_so_far) as heartbeat:
        # Erased, and what remains counted (verification): by the SQL
        # connector inside its last batch's transaction.
        erased, remaining = connector.erase_verified(
            dataset,
            identifiers,
            batch_size=settings.RIGHTS_BATCH_SIZE,
            found=found,
        )
    heartbeat.check()
    if remaining:
        _ours(job, token).update(records_remaining=remaining)
        job_fail(
            job=job,
            token=token,
            error=f"{remaining} records of the employee remain after erasure",
        )
        return "failed"
    faults.checkpoint("erase.verified")
    finished = _finish(
        job,
        token,
        AuditAction.RIGHTS_DATA_ERASED,
        {"records_before": found, "erased_now": erased, "records_after": 0},
        records_done=found,
        records_remaining=0,
    )
    return "done" if finished else "lost"


def _rectify(job: Job, token: str) -> str:
    details = job.request.details
    changes = dict(details.get("changes") or {})
    try:
        updated = get_connector(job.dataset.store).rectify(
            job.dataset, _identifiers(job), str(details.get("record", "")), changes
        )
    except ValueError as exc:
        job_fail(job=job, token=token, error=str(exc))
        return "failed"
    if not updated:
        job_fail(job=job, token=token, error="record not found or not yours")
        return "failed"
    finished = _finish(
        job,
        token,
        AuditAction.RIGHTS_DATA_RECTIFIED,
        {"record": str(details.get("record")), "fields": sorted(changes)},
        records_found=1,
        records_done=1,
    )
    return "done" if finished else "lost"


HANDLERS = {
    JobAction.EXPORT: _export,
    JobAction.ERASE: _erase,
    JobAction.RECTIFY: _rectify,
}


def job_run(*, job_id: int, worker: str | None = None) -> str:
    """Claim and carry out job `job_id`. Returns what happened: "done",
    "retry", "failed", "manual", "lost" (another worker has it) or
    "skipped" (nothing to do: settled, running elsewhere, not due).

    Its database connection was recycled when the task started
    (portal.celery.recycle_database_connections)."""
    claim = job_claim(job_id=job_id, worker=worker or worker_name())
    if claim is None:
        return "skipped"
    job, token = claim
    if job.attempts > job.max_attempts:
        job_fail(
            job=job,
            token=token,
            error=f"gave up after {job.max_attempts} attempts: the worker running "
            "it was lost each time",
        )
        return "failed"
    try:
        return HANDLERS[job.action](job, token)
    except LeaseLost:
        logger.warning("job %s: lease lost, another worker has it", job.pk)
        return "lost"
    except ManualStep as step:
        return _to_manual(job, token, step)
    except StoreUnavailable as exc:
        return _retry_later(job, token, str(exc))
    except SoftTimeLimitExceeded:
        job_fail(job=job, token=token, error="the job ran past its time limit")
        return "failed"
    except StoreMisconfigured as exc:
        job_fail(job=job, token=token, error=str(exc))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - shown to the officer, who retries
        logger.exception("job %s failed", job.pk)
        job_fail(job=job, token=token, error=f"{type(exc).__name__}: {exc}")
        return "failed"
