"""Finishing a request once its jobs are settled: the access archive, the
erasure certificate, the answer to the employee.

A job is settled when done, skipped for an exemption, or failed and given
up by an officer. A failed job that nobody gave up keeps the request in
progress: the officer sees it and retries it (or gives it up). The request
ends "partially completed" when a dataset was kept (an exemption) or given
up; the answer names each one and why.

The worker that settles a request's last job finishes it: without an
archive in that job's own transaction (request_settle), with one after its
commit (request_finish). A manual job confirmed or a failed one given up
sends a finish task, and the sweeper finishes any request left behind (a
lost message, a killed worker). Finishing twice is harmless: the request's
status moves under a row lock and a conditional update, the archive's
assembly under a lease.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import AuditEntry
from apps.rights import faults, signing
from apps.rights.lifecycle import RequestStatus
from apps.rights.models import (
    ErasureCertificate,
    Export,
    ExportStatus,
    Job,
    JobStatus,
    Request,
    RequestKind,
)
from apps.rights.notifications import (
    request_notify_by_worker_on_commit,
    request_notify_on_commit,
)
from apps.rights.services.lifecycle import Journal, request_move

logger = logging.getLogger(__name__)

EXPORT_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)


def _now() -> dt.datetime:
    return timezone.now()


def settled_q() -> Q:
    """Jobs that need nothing more from a worker or a person."""
    return Q(status__in=[JobStatus.DONE, JobStatus.SKIPPED]) | Q(
        status=JobStatus.FAILED, abandoned_at__isnull=False
    )


def jobs_settled(*, request_id: int) -> bool:
    return not Job.objects.filter(request_id=request_id).exclude(settled_q()).exists()


def _outcome(job: Job) -> str:
    if job.status == JobStatus.SKIPPED:
        return "kept"
    if job.abandoned_at:
        return "given_up"
    if job.confirmed_at:
        return "confirmed_by_person"
    return {"erase": "erased", "export": "exported", "rectify": "rectified"}.get(
        job.action, job.action
    )


def _answer(request: Request, jobs: list[Job]) -> tuple[bool, str]:
    """(partial, the answer): one line per dataset not fully carried out."""
    lines = []
    for job in jobs:
        if job.status == JobStatus.SKIPPED:
            lines.append(f"{job.dataset.name}: {job.exemption_detail}")
        elif job.abandoned_at:
            lines.append(f"{job.dataset.name}: not carried out: {job.abandon_reason}")
    if not lines:
        return (
            False,
            f"Your {request.get_kind_display()} request was carried out in full.",
        )
    head = f"Your {request.get_kind_display()} request was carried out in part."
    return True, "\n".join([head, *lines])


def certificate_payload(request: Request, jobs: list[Job], issued: dt.datetime) -> dict:
    """What the certificate states: references and counts, no personal data."""
    datasets = []
    remaining = 0
    verified = True
    for job in jobs:
        outcome = _outcome(job)
        after = job.records_remaining
        if outcome in ("erased", "confirmed_by_person"):
            remaining += after or 0
            verified = verified and after == 0
        datasets.append(
            {
                "dataset": job.dataset.key,
                "name": job.dataset.name,
                "store": job.dataset.store.key,
                "strategy": job.dataset.erasure_strategy,
                "outcome": outcome,
                "records_before": job.records_found,
                "records_after": after,
                "exemption": job.exemption or None,
                "reason": job.exemption_detail or job.abandon_reason or None,
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            }
        )
    return {
        "certificate": "erasure",
        "version": 1,
        "issuer": settings.SITE_URL,
        "request": str(request.public_id),
        "subject": str(request.subject.public_id),
        "received_at": request.received_at.isoformat(),
        "approved_at": request.approved_at.isoformat() if request.approved_at else None,
        "issued_at": issued.isoformat(),
        "datasets": datasets,
        "verification": {
            "result": "passed" if verified else "failed",
            "records_remaining": remaining,
        },
    }


def certificate_issue(
    *, request: Request, jobs: list[Job], journal: Journal
) -> ErasureCertificate:
    """Issue the request's erasure certificate; its audit record goes into
    `journal`. Issued in the transaction that completes the request, under
    its lock: a finish that did not get further rolled it back with the
    move. One INSERT (no savepoint), which would leave a certificate
    already there as it is."""
    issued = _now()
    payload = certificate_payload(request, jobs, issued)
    signed = signing.sign(payload)
    certificate = ErasureCertificate(
        request=request,
        payload=payload,
        signature=signed.signature,
        key_id=signed.key_id,
        created_at=issued,
    )
    certificate.full_clean(exclude=["request"], validate_unique=False)
    ErasureCertificate.objects.bulk_create([certificate], ignore_conflicts=True)
    journal.note(
        AuditEntry(
            actor=None,
            subject=request.subject,
            action=AuditAction.RIGHTS_CERTIFICATE_ISSUED,
            purpose=f"{request.get_kind_display()} request",
            detail={"request_id": request.pk, "key_id": signed.key_id},
        )
    )
    return certificate


def certificate_document(cert: ErasureCertificate) -> bytes:
    """The certificate as a downloadable, verifiable JSON document."""
    return signing.document(
        payload=cert.payload, signature=cert.signature, signed_by=cert.key_id
    )


def _assemble(request: Request) -> bool:
    """The archive is ready (now, or already); False if another worker is
    assembling it or assembly failed (the officers are told)."""
    from apps.rights.services.assembly import (
        AssemblyLease,
        export_assemble,
        export_claim,
    )

    export, _ = Export.objects.get_or_create(request=request)
    export.request = request  # Read already, with its subject.
    if export.status == ExportStatus.READY:
        return True
    if export.status != ExportStatus.PENDING or not export_claim(export=export):
        return False
    _discard_abandoned_archives(request, export)
    try:
        with AssemblyLease(export):
            export_assemble(export=export)
    except Exception as exc:
        logger.exception("request %s: archive assembly failed", request.pk)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED,
            last_error=str(exc)[:2000],
            assembling_until=None,
        )
        request_notify_on_commit(
            request_id=request.pk,
            event="job_failed",
            extra={"dataset_name": "archive", "error": str(exc)},
        )
        return False
    return True


def _discard_abandoned_archives(request: Request, export: Export) -> None:
    """Delete what an earlier assembly of `export` left half-written.

    Holding the claim means the earlier assembler's lease ran out: it was
    killed (or lost its host) between opening its temporary file and
    renaming it into place, and nothing else would ever remove that file,
    a partial archive of someone's personal data."""
    from apps.rights.services.exports import request_dir

    for leftover in request_dir(request).glob(f".export-{export.pk}.zip.enc.*.tmp"):
        leftover.unlink(missing_ok=True)


def request_finish(*, request_id: int) -> Request | None:
    """Finish request `request_id` if it is in progress and every job is
    settled: assemble the archive or issue the certificate, then answer.
    Returns the request, or None when it was not (yet) to be finished.
    (The worker that settles the last job finishes a request without an
    archive in that job's own transaction: request_settle.)"""
    request = Request.objects.select_related("subject").get(pk=request_id)
    if request.status != RequestStatus.IN_PROGRESS:
        return None
    # The archive is built before the lock is taken (it takes a while), so
    # only once every job is settled. Without one, the locked check below is
    # the only one needed.
    if request.kind in EXPORT_KINDS and not (
        jobs_settled(request_id=request_id) and _assemble(request)
    ):
        return None
    faults.checkpoint("finish.start")
    with transaction.atomic():
        return request_settle(request_id=request_id, entries=[])


def request_settle(*, request_id: int, entries: list[AuditEntry]) -> Request | None:
    """Inside the caller's transaction (for a request without an archive,
    the one that records its last job's outcome; else request_finish's):
    take the request's row lock and, if every job is settled, finish the
    request in that transaction. The job's audit `entries` come first, and
    everything is written in one statement of each kind. Returns the
    request if it was finished.

    Under the lock the last job of several to settle sees every other's
    outcome (each commits before letting the lock go), so the request is
    finished here and never left to the sweeper. Locks are taken job first,
    then request, as nowhere takes them the other way round (an officer's
    retry or give-up takes the job only; a finish reads the jobs unlocked)."""
    journal = Journal()
    for entry in entries:
        journal.note(entry)
    finished = _complete(_locked(request_id), journal)
    journal.write()
    return finished


def _locked(request_id: int) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("subject")
        .get(pk=request_id)
    )


def _complete(request: Request, journal: Journal) -> Request | None:
    """Under `request`'s row lock: if it is in progress and every job is
    settled, issue the certificate (erasure) and answer the employee;
    the records go into `journal`. None when it was not to be finished."""
    if request.status != RequestStatus.IN_PROGRESS:
        return None
    jobs = list(request.jobs.select_related("dataset", "dataset__store").order_by("pk"))
    if any(not _settled(job) for job in jobs):
        return None  # Another job runs, or an officer retried one meanwhile.
    if request.kind == RequestKind.ERASURE:
        faults.checkpoint("finish.before_certificate")
        certificate_issue(request=request, jobs=jobs, journal=journal)
        faults.checkpoint("finish.after_certificate")
    partial, answer = _answer(request, jobs)
    status = RequestStatus.PARTIALLY_COMPLETED if partial else RequestStatus.COMPLETED
    # Under the lock, in progress: the move cannot be refused (were it, the
    # whole transaction would roll back, the job's outcome with it).
    request = request_move(
        request=request,
        to=status,
        actor=None,
        reason="Every dataset was dealt with",
        journal=journal,
        responded_at=_now(),
        response_summary=answer,
    )
    request_notify_by_worker_on_commit(request_id=request.pk, events=["completed"])
    return request


def _settled(job: Job) -> bool:
    return job.status in (JobStatus.DONE, JobStatus.SKIPPED) or (
        job.status == JobStatus.FAILED and job.abandoned_at is not None
    )
