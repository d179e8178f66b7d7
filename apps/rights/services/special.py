"""Officers' and assignees' steps on the work itself: retrying or giving up
a failed job, confirming a manual task, lifting a restriction, deciding an
objection.

Each checks who may act (an officer holds governance.handle_requests; a
manual task's assignee is named by e-mail) and raises RequestRefused with a
clear message otherwise; views load objects through apps.rights.selectors
first, so outsiders have had their 404 already.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.consent.models import BlockKind, ProcessingBlock
from apps.consent.services.blocks import processing_block_lift
from apps.people.models import User
from apps.rights.lifecycle import RequestStatus
from apps.rights.models import Export as ExportModel
from apps.rights.models import (
    ExportStatus,
    Job,
    JobAction,
    JobStatus,
    ObjectionDecision,
    Request,
    RequestKind,
    Restriction,
)
from apps.rights.notifications import request_notify_on_commit
from apps.rights.selectors import is_officer
from apps.rights.services.finishing import jobs_settled
from apps.rights.services.lifecycle import (
    RequestRefused,
    request_approve,
    request_refuse,
)
from apps.rights.services.queueing import (
    enqueue_finish_on_commit,
    enqueue_jobs_on_commit,
)


def _now() -> dt.datetime:
    return timezone.now()


def _require_officer(user: User) -> None:
    if not is_officer(user=user):
        raise RequestRefused("Only the privacy team can do this.")


def _audit(request: Request, actor: User, action: str, **detail) -> None:
    audit_record_access(
        actor=actor,
        subject=request.subject,
        action=action,
        purpose=f"{request.get_kind_display()} request",
        detail={"request_id": request.pk, **detail},
    )


@transaction.atomic
def job_retry(*, job: Job, officer: User) -> Job:
    """Run a failed job again, with a fresh budget of attempts."""
    _require_officer(officer)
    if job.request.status != RequestStatus.IN_PROGRESS:
        raise RequestRefused("The request is closed: its jobs can no longer run.")
    moved = Job.objects.filter(
        pk=job.pk, status=JobStatus.FAILED, abandoned_at__isnull=True
    ).update(
        status=JobStatus.PENDING,
        attempts=0,
        run_after=_now(),
        finished_at=None,
        claimed_by="",
        updated_at=_now(),
    )
    if not moved:
        raise RequestRefused("Only a failed job that was not given up can be retried.")
    # An archive that failed to assemble is assembled again after the job.
    ExportModel.objects.filter(request=job.request, status=ExportStatus.FAILED).update(
        status=ExportStatus.PENDING, last_error=""
    )
    _audit(
        job.request,
        officer,
        AuditAction.RIGHTS_REQUEST_MOVED,
        job_id=job.pk,
        job="retried",
    )
    enqueue_jobs_on_commit([job.pk])
    job.refresh_from_db()
    return job


@transaction.atomic
def job_abandon(*, job: Job, officer: User, reason: str) -> Job:
    """Give up a failed job: the request finishes without it, partially,
    and the employee is told `reason`."""
    _require_officer(officer)
    reason = reason.strip()
    if not reason:
        raise RequestRefused(
            "Say why this dataset cannot be dealt with: the employee is told."
        )
    moved = Job.objects.filter(
        pk=job.pk, status=JobStatus.FAILED, abandoned_at__isnull=True
    ).update(
        abandoned_at=_now(),
        abandoned_by=officer,
        abandon_reason=reason,
        updated_at=_now(),
    )
    if not moved:
        raise RequestRefused("Only a failed job can be given up.")
    _audit(
        job.request,
        officer,
        AuditAction.RIGHTS_REQUEST_MOVED,
        job_id=job.pk,
        job="given up",
    )
    if jobs_settled(request_id=job.request_id):
        enqueue_finish_on_commit(job.request_id)
    job.refresh_from_db()
    return job


@transaction.atomic
def export_retry(*, export: ExportModel, officer: User) -> None:
    """Assemble again an archive whose assembly failed."""
    _require_officer(officer)
    if ExportModel.objects.filter(pk=export.pk, status=ExportStatus.FAILED).update(
        status=ExportStatus.PENDING, last_error="", assembling_until=None
    ):
        enqueue_finish_on_commit(export.request_id)


AUDIT_BY_ACTION = {
    JobAction.EXPORT: AuditAction.RIGHTS_DATA_EXPORTED,
    JobAction.ERASE: AuditAction.RIGHTS_DATA_ERASED,
    JobAction.RECTIFY: AuditAction.RIGHTS_DATA_RECTIFIED,
}


@transaction.atomic
def manual_job_confirm(
    *,
    job: Job,
    user: User,
    evidence: UploadedFile | None,
    note: str,
    records: int = 0,
) -> Job:
    """The person a manual task was given to (or an officer) says it is done:
    how many records it concerned, a note, and optionally evidence (for an
    access request, the exported file, which goes into the archive)."""
    email = (user.email or "").lower()
    assignee = job.assignee_email.lower()
    if not (assignee and email == assignee) and not is_officer(user=user):
        raise RequestRefused("This task was given to someone else.")
    if job.status != JobStatus.MANUAL:
        raise RequestRefused("This task is not waiting for anyone.")
    if records < 0:
        raise RequestRefused("The number of records cannot be negative.")
    note = note.strip()
    if not note and evidence is None:
        raise RequestRefused("Describe what was done, or attach the evidence.")
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status != JobStatus.MANUAL:
        raise RequestRefused("This task was confirmed meanwhile.")
    now = _now()
    locked.status = JobStatus.DONE
    locked.confirmed_by = user
    locked.confirmed_at = now
    locked.confirmation_note = note
    locked.records_found = records
    locked.records_done = records
    locked.finished_at = now
    if job.action == JobAction.ERASE:
        locked.records_remaining = 0
    if evidence is not None:
        locked.evidence.save(evidence.name, evidence, save=False)
    locked.last_error = ""
    locked.full_clean(exclude=["request", "dataset", "records_remaining"])
    locked.save()
    audit_record_access(
        actor=user,
        subject=job.request.subject,
        action=AUDIT_BY_ACTION.get(job.action, AuditAction.RIGHTS_REQUEST_MOVED),
        purpose=f"{job.request.get_kind_display()} request",
        dataset_key=job.dataset.key,
        detail={
            "request_id": job.request_id,
            "job_id": job.pk,
            "records": records,
            "manual": True,
        },
    )
    if jobs_settled(request_id=job.request_id):
        enqueue_finish_on_commit(job.request_id)
    return locked


def _program_still_restricted(restriction: Restriction) -> bool:
    """Whether another unlifted restriction of the employee's keeps the
    program's block in place."""
    return (
        Restriction.objects.filter(
            request__subject=restriction.request.subject,
            dataset__program=restriction.dataset.program,
            lifted_at__isnull=True,
        )
        .exclude(pk=restriction.pk)
        .exists()
    )


@transaction.atomic
def restriction_lift(
    *, restriction: Restriction, officer: User, reason: str
) -> Restriction:
    """Lift a restriction in two steps (Art. 18(3)): the first call tells the
    employee, with the reason, and sets when it may go; a call after that
    lifts it and the program's processing block."""
    _require_officer(officer)
    reason = reason.strip()
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.lifted_at:
        raise RequestRefused("This restriction has been lifted already.")
    now = _now()
    request = restriction.request
    if restriction.subject_told_at is None:
        if not reason:
            raise RequestRefused(
                "Give the reason: the employee is told before it is lifted."
            )
        restriction.subject_told_at = now
        restriction.lift_reason = reason
        restriction.lift_after = now + dt.timedelta(
            days=settings.RIGHTS_RESTRICTION_NOTICE_DAYS
        )
        restriction.save(update_fields=["subject_told_at", "lift_reason", "lift_after"])
        request_notify_on_commit(
            request_id=request.pk,
            event="restriction_lifting",
            extra={
                "dataset_name": restriction.dataset.name,
                "reason": reason,
                "lift_after": restriction.lift_after,
            },
        )
        return restriction
    if now < restriction.lift_after:
        raise RequestRefused(
            f"The employee was told on {restriction.subject_told_at:%d %B %Y}; the "
            f"restriction can be lifted from {restriction.lift_after:%d %B %Y, %H:%M}."
        )
    restriction.lifted_at = now
    restriction.lifted_by = officer
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    if not _program_still_restricted(restriction):
        blocks = ProcessingBlock.objects.filter(
            employee=request.subject,
            program=restriction.dataset.program,
            kind=BlockKind.RESTRICTION,
            lifted_at__isnull=True,
        )
        for block in blocks:
            processing_block_lift(block=block)
    _audit(
        request,
        officer,
        AuditAction.RIGHTS_RESTRICTION_LIFTED,
        dataset=restriction.dataset.key,
    )
    return restriction


@transaction.atomic
def objection_decide(
    *, request: Request, officer: User, upheld: bool, reasoning: str
) -> Request:
    """Record the balancing of the employee's grounds against the program's
    interests (Art. 21(1)). Upheld: processing stops for the employee in
    every program in scope and the request completes. Not upheld: the
    request is refused with the balancing as its reason."""
    _require_officer(officer)
    if request.kind != RequestKind.OBJECTION:
        raise RequestRefused("Only an objection is decided by balancing.")
    if request.status != RequestStatus.AWAITING_APPROVAL:
        raise RequestRefused("Only an objection awaiting a decision can be decided.")
    reasoning = reasoning.strip()
    if not reasoning:
        raise RequestRefused("Write down the balancing: the employee is told.")
    decision = ObjectionDecision(
        request=request,
        upheld=upheld,
        reasoning=reasoning,
        decided_by=officer,
        decided_at=_now(),
    )
    decision.full_clean(exclude=["request"])
    decision.save()
    request.objection_decision = decision
    if upheld:
        return request_approve(request=request, officer=officer, reason=reasoning)
    return request_refuse(request=request, officer=officer, reason=reasoning)
