"""Reads of requests, their jobs and outputs, for pages, the API and e-mails.

Every selector that returns requests takes the acting user and returns only
what that user may see: the employee their own requests, an officer (the
`governance.handle_requests` capability) every request. Anyone else gets
None or an empty list, which views turn into a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from apps.governance.permissions import has_capability
from apps.people.models import Employee, User
from apps.rights.lifecycle import OPEN, RequestStatus
from apps.rights.models import Job, JobStatus, Request, Restriction

HANDLE_REQUESTS = "governance.handle_requests"

# Job statuses after which a job needs nothing more from a worker or a person.
JOB_SETTLED = frozenset({JobStatus.DONE, JobStatus.SKIPPED})


def is_officer(*, user: User) -> bool:
    """Whether `user` handles requests (the privacy-officer role)."""
    return has_capability(user=user, perm=HANDLE_REQUESTS)


def _requests() -> QuerySet[Request]:
    return Request.objects.select_related("subject", "subject__user")


def requests_for_subject(*, user: User) -> list[Request]:
    """`user`'s own requests, newest first (none for a user with no employee)."""
    return list(_requests().filter(subject__user=user).order_by("-received_at", "-pk"))


def request_for_subject(*, user: User, public_id) -> Request | None:
    """`user`'s own request `public_id`, or None (someone else's, unknown)."""
    return _requests().filter(subject__user=user, public_id=public_id).first()


def request_for_officer(*, user: User, public_id) -> Request | None:
    """Request `public_id` if `user` is an officer; None otherwise."""
    if not is_officer(user=user):
        return None
    return _requests().filter(public_id=public_id).first()


def officer_queue(
    *,
    user: User,
    status: str = "",
    kind: str = "",
    due_before: dt.datetime | None = None,
    open_only: bool = True,
) -> list[Request]:
    """The officers' queue: overdue first, then by deadline. Empty for a
    non-officer. Filters: one status, one type, due before a time; closed
    requests only when `open_only` is false."""
    if not is_officer(user=user):
        return []
    requests = _requests()
    if open_only and not status:
        requests = requests.filter(status__in=OPEN)
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    if due_before is not None:
        requests = requests.filter(due_at__lt=due_before)
    now = timezone.now()
    overdue = Case(
        When(Q(due_at__lt=now) & Q(status__in=OPEN), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        requests.annotate(overdue_rank=overdue).order_by("overdue_rank", "due_at", "pk")
    )


@dataclass(frozen=True)
class JobProgress:
    """One dataset's part of a request, as pages show it.

    `percent` is None while the total is unknown. `reason` is what the
    employee is told (why data was kept, or that a person is on it);
    `error` is the last error, for officers only.
    """

    job: Job
    dataset_name: str
    dataset_key: str
    action: str
    status: str
    status_label: str
    records_found: int | None
    records_done: int
    records_remaining: int | None
    percent: int | None
    reason: str
    error: str
    attempts: int
    abandoned: bool


def _percent(job: Job) -> int | None:
    if job.status in JOB_SETTLED:
        return 100
    if not job.records_found:
        return None
    return min(99, int(job.records_done * 100 / job.records_found))


def request_progress(*, request: Request) -> list[JobProgress]:
    """Per dataset progress of `request` (callers have loaded the request
    through one of the selectors above, so may see it)."""
    jobs = request.jobs.select_related("dataset", "dataset__store").order_by("pk")
    result = []
    for job in jobs:
        reason = job.exemption_detail
        if job.status == JobStatus.MANUAL:
            reason = "A member of staff is carrying this out by hand."
        if job.abandoned_at:
            reason = job.abandon_reason
        result.append(
            JobProgress(
                job=job,
                dataset_name=job.dataset.name,
                dataset_key=job.dataset.key,
                action=job.action,
                status=job.status,
                status_label=job.get_status_display(),
                records_found=job.records_found,
                records_done=job.records_done,
                records_remaining=job.records_remaining,
                percent=_percent(job),
                reason=reason,
                error=job.last_error,
                attempts=job.attempts,
                abandoned=job.abandoned_at is not None,
            )
        )
    return result


def request_percent(*, request: Request) -> int:
    """One figure for the whole request: settled jobs and work done so far."""
    if request.status not in OPEN:
        return 100
    progress = request_progress(request=request)
    if not progress:
        return 0 if request.status != RequestStatus.IN_PROGRESS else 100
    shares = [p.percent if p.percent is not None else 0 for p in progress]
    return int(sum(shares) / len(shares))


def manual_jobs_for_user(*, user: User) -> list[Job]:
    """Manual-store tasks waiting for `user` (by their e-mail), or for
    everyone's when `user` is an officer."""
    jobs = Job.objects.filter(status=JobStatus.MANUAL).select_related(
        "dataset", "request", "request__subject"
    )
    if not is_officer(user=user):
        if not user.email:
            return []
        jobs = jobs.filter(assignee_email__iexact=user.email)
    return list(jobs.order_by("request__due_at", "pk"))


def manual_job_for_user(*, user: User, pk: int) -> Job | None:
    """One manual task `user` may confirm (assignee or officer), or None."""
    return next((job for job in manual_jobs_for_user(user=user) if job.pk == pk), None)


def job_for_officer(*, user: User, pk: int) -> Job | None:
    """Any job, for an officer (retry, give up); None for anyone else."""
    if not is_officer(user=user):
        return None
    return Job.objects.select_related("request", "dataset").filter(pk=pk).first()


def restricted_dataset_ids(*, employee: Employee) -> set[int]:
    """Datasets of `employee` under a restriction of processing (Art. 18)
    that has not been lifted: they are stored, not processed."""
    return set(
        Restriction.objects.filter(
            request__subject=employee, lifted_at__isnull=True
        ).values_list("dataset_id", flat=True)
    )


def restrictions_for_officer(*, user: User, request: Request) -> list[Restriction]:
    """`request`'s restrictions, for an officer; empty for anyone else."""
    if not is_officer(user=user):
        return []
    return list(request.restrictions.select_related("dataset").order_by("pk"))
