"""What the request pages show of a request's clock and progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from apps.rights.deadlines import days_left
from apps.rights.lifecycle import OPEN, RequestStatus
from apps.rights.models import Export, ExportStatus, JobStatus, Request
from apps.rights.selectors import JobProgress, request_percent, request_progress


@dataclass(frozen=True)
class Clock:
    """The statutory clock as both sides see it."""

    due_at: dt.datetime
    days_left: int
    paused: bool
    overdue: bool
    running: bool


def clock_of(request: Request, now: dt.datetime | None = None) -> Clock:
    """Days left until the deadline; frozen while waiting on the employee
    (the deadline moves later by the pause when they answer)."""
    now = now or timezone.now()
    paused = request.paused_at is not None
    running = request.status in OPEN
    return Clock(
        due_at=request.due_at,
        days_left=days_left(request.due_at, request.paused_at if paused else now),
        paused=paused,
        overdue=running and not paused and request.due_at < now,
        running=running,
    )


@dataclass(frozen=True)
class Progress:
    rows: list[JobProgress]
    percent: int
    # Nothing will change without a person: the page stops polling.
    settled: bool


# Job statuses that wait on nobody but a worker.
_MOVING = frozenset({JobStatus.PENDING, JobStatus.RUNNING})


def progress_of(request: Request) -> Progress:
    rows = request_progress(request=request)
    export = Export.objects.filter(request=request).first()
    working = (
        not rows
        or any(row.status in _MOVING for row in rows)
        or (export is not None and export.status == ExportStatus.PENDING)
    )
    return Progress(
        rows=rows,
        percent=request_percent(request=request),
        settled=request.status != RequestStatus.IN_PROGRESS or not working,
    )
