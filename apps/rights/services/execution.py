"""Starting the work of a request: one job row per dataset, in the request's
transaction, sent to the workers after it commits.

The job rows are the outbox: a message lost between commit and broker, or a
broker that is down at that moment, only delays the job, because the beat
sweeper (apps.rights.services.sweeper) sends every pending job whose time
has come. Requests that need no worker (restriction, an upheld objection,
an erasure whose every dataset is kept) finish here, at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.catalog.models import Dataset, LegalBasis, StoreKind
from apps.consent.models import BlockKind
from apps.consent.services.blocks import processing_block_place
from apps.governance.models import Case, CaseStatus
from apps.governance.selectors.holds import held_datasets_for
from apps.people.models import Employee
from apps.rights.models import (
    Exemption,
    Export,
    Job,
    JobAction,
    JobStatus,
    Request,
    RequestKind,
    Restriction,
)
from apps.rights.notifications import request_notify_on_commit
from apps.rights.services.queueing import (
    enqueue_finish_on_commit,
    enqueue_jobs_on_commit,
)
from apps.rights.services.scope import scope_datasets

logger = logging.getLogger(__name__)

ACTIONS = {
    RequestKind.ACCESS: JobAction.EXPORT,
    RequestKind.PORTABILITY: JobAction.EXPORT,
    RequestKind.ERASURE: JobAction.ERASE,
    RequestKind.RECTIFICATION: JobAction.RECTIFY,
}


def _now() -> dt.datetime:
    return timezone.now()


def request_datasets(request: Request) -> list[Dataset]:
    """The datasets `request` reaches, as scoped when it was filed."""
    return scope_datasets(
        employee=request.subject,
        all_programs=request.all_programs,
        programs=request.programs.all(),
        datasets=request.datasets.all(),
    )


def manual_assignee(dataset: Dataset) -> str:
    """Who carries out work on a store without an API: the connection's
    assignee, else the store's owner when it is an address."""
    store = dataset.store
    assignee = str((store.connection or {}).get("assignee_email", "")).strip()
    if not assignee and "@" in store.owner:
        assignee = store.owner.strip()
    return assignee


# -- erasure exemptions (Art. 17(3)) ---------------------------------------


def _retention_ends(employee: Employee, dataset: Dataset) -> dt.date | None:
    """When a legal-obligation program's duty to keep `employee`'s data ends:
    None while they work here (records are kept for the retention period
    from collection, which is still running)."""
    program = dataset.program
    if not employee.left_on:
        return None
    days = program.leaver_retention_days or program.retention_days
    return employee.left_on + dt.timedelta(days=days)


def erasure_exemption(
    employee: Employee, dataset: Dataset, held: dict
) -> tuple[str, str]:
    """(exemption, what the employee is told) for a dataset erasure must
    skip, or ("", "") when it may be erased."""
    if dataset.pk in held:
        return (
            Exemption.LEGAL_HOLD,
            f"“{dataset.name}” is kept under a legal hold placed on "
            f"{held[dataset.pk].starts_at:%d %B %Y}; it will be erased when the "
            "hold is released unless another reason applies (GDPR Art. 17(3)(e)).",
        )
    program = dataset.program
    if program.legal_basis == LegalBasis.LEGAL_OBLIGATION:
        ends = _retention_ends(employee, dataset)
        if ends is None or ends > _now().date():
            until = (
                f"until {ends:%d %B %Y}"
                if ends
                else f"for {program.retention_days} days from collection"
            )
            return (
                Exemption.LEGAL_OBLIGATION,
                f"“{dataset.name}” is kept {until} because the law requires "
                f"it: {program.purpose} (GDPR Art. 17(3)(b)).",
            )
    claims = Case.objects.filter(
        subject=employee,
        status=CaseStatus.APPROVED,
        datasets=dataset,
        expires_at__gt=_now(),
    )
    if claims.exists():
        return (
            Exemption.LEGAL_CLAIMS,
            f"“{dataset.name}” is needed to establish, exercise or defend legal "
            "claims and is kept while that lasts (GDPR Art. 17(3)(e)).",
        )
    return "", ""


# -- per kind ---------------------------------------------------------------


def _new_job(request: Request, dataset: Dataset, action: str, **fields) -> Job:
    job = Job(
        request=request,
        dataset=dataset,
        action=action,
        run_after=_now(),
        max_attempts=settings.RIGHTS_JOB_MAX_ATTEMPTS,
        **fields,
    )
    if dataset.store.kind == StoreKind.MANUAL and "status" not in fields:
        job.status = JobStatus.MANUAL
        job.assignee_email = manual_assignee(dataset)
    # Counts are unknown (null) until a worker has looked. The constraints
    # are the database's to enforce: checking them here too would cost a
    # query each, per job, on every request.
    job.full_clean(
        exclude=[
            "request",
            "dataset",
            "evidence",
            "records_found",
            "records_remaining",
        ],
        validate_constraints=False,
    )
    job.save()
    return job


def _plan_jobs(request: Request, datasets: list[Dataset]) -> list[Job]:
    action = ACTIONS[request.kind]
    if request.kind == RequestKind.RECTIFICATION:
        key = request.details.get("dataset")
        datasets = [d for d in datasets if d.key == key]
    erasure = request.kind == RequestKind.ERASURE
    held = held_datasets_for(employee=request.subject) if erasure else {}
    jobs = []
    for dataset in datasets:
        fields = {}
        if erasure:
            exemption, detail = erasure_exemption(request.subject, dataset, held)
            if exemption:
                fields = {
                    "status": JobStatus.SKIPPED,
                    "exemption": exemption,
                    "exemption_detail": detail,
                    "finished_at": _now(),
                }
        jobs.append(_new_job(request, dataset, action, **fields))
    return jobs


def _restrict(request: Request, datasets: list[Dataset]) -> None:
    now = _now()
    for dataset in datasets:
        Restriction.objects.get_or_create(
            request=request, dataset=dataset, defaults={"placed_at": now}
        )
    for program in {d.program_id: d.program for d in datasets}.values():
        processing_block_place(
            employee=request.subject,
            program=program,
            kind=BlockKind.RESTRICTION,
            reason=f"Restriction of processing, request {request.public_id}",
        )
    audit_record_access(
        actor=request.approved_by,
        subject=request.subject,
        action=AuditAction.RIGHTS_PROCESSING_RESTRICTED,
        purpose=f"{request.get_kind_display()} request",
        detail={"request_id": request.pk, "datasets": sorted(d.key for d in datasets)},
    )


def _object(request: Request, datasets: list[Dataset]) -> None:
    from apps.rights.services.lifecycle import RequestRefused

    decision = getattr(request, "objection_decision", None)
    if decision is None or not decision.upheld:
        raise RequestRefused(
            "Record the balancing decision on the objection first: an upheld "
            "objection is carried out, one not upheld is refused."
        )
    for program in {d.program_id: d.program for d in datasets}.values():
        processing_block_place(
            employee=request.subject,
            program=program,
            kind=BlockKind.OBJECTION,
            reason=f"Upheld objection, request {request.public_id}",
        )


# No savepoint: it runs inside the transaction that moved the request in
# progress (filing, an approval), and its work commits or rolls back with it.
@transaction.atomic(savepoint=False)
def request_execute(
    *, request: Request, datasets: list[Dataset] | None = None
) -> list[Job]:
    """Carry out `request`, which has just gone in progress.

    Access and portability: an export job per dataset and the Export row.
    Erasure: an erase job per dataset, or a skipped one with the exemption
    told to the employee. Rectification: one job for the named record.
    Restriction and objection: processing blocks, and the request completes
    at once. Stores without an API get a manual job for a named person.
    Returns the jobs created. `datasets`: its scope, when the caller has
    just worked it out in this transaction (filing).
    """
    from apps.rights.services.finishing import request_finish

    if datasets is None:
        datasets = request_datasets(request)
    jobs: list[Job] = []
    if request.kind in ACTIONS:
        jobs = _plan_jobs(request, datasets)
        if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
            # One INSERT that leaves an existing row be (no read first, no
            # savepoint: a third of what get_or_create costs).
            Export.objects.bulk_create([Export(request=request)], ignore_conflicts=True)
    elif request.kind == RequestKind.RESTRICTION:
        _restrict(request, datasets)
    elif request.kind == RequestKind.OBJECTION:
        _object(request, datasets)
    for job in jobs:
        if job.status == JobStatus.MANUAL:
            request_notify_on_commit(
                request_id=request.pk,
                event="manual_task",
                extra={
                    "dataset_name": job.dataset.name,
                    "assignee": job.assignee_email,
                },
            )
    pending = [job.pk for job in jobs if job.status == JobStatus.PENDING]
    if pending:
        enqueue_jobs_on_commit(pending)
    elif not any(job.status == JobStatus.MANUAL for job in jobs):
        # Nothing for a worker or a person to do: answer now (exports still
        # need their archive, which a worker assembles).
        if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
            enqueue_finish_on_commit(request.pk)
        else:
            request_finish(request_id=request.pk)
    logger.info("request %s: %d jobs, %d to run", request.pk, len(jobs), len(pending))
    return jobs


# The engine's services in one place for views and the API (they live in
# modules of their own, one job each).
from apps.rights.services.exports import (  # noqa: E402
    ExportUnavailable,
    export_download,
    export_stream_plain,
)
from apps.rights.services.finishing import (  # noqa: E402
    certificate_document,
    request_finish,
)
from apps.rights.services.special import (  # noqa: E402
    export_retry,
    job_abandon,
    job_retry,
    manual_job_confirm,
    objection_decide,
    restriction_lift,
)

__all__ = [
    "ExportUnavailable",
    "certificate_document",
    "enqueue_finish_on_commit",
    "enqueue_jobs_on_commit",
    "export_download",
    "export_retry",
    "export_stream_plain",
    "job_abandon",
    "job_retry",
    "manual_job_confirm",
    "objection_decide",
    "request_execute",
    "request_finish",
    "restriction_lift",
]
