"""Beat work: the jobs' relay and re-drive, finishing stragglers, filing
consent erasure wishes, deadline warnings and expired archives.

Messages get lost (a crash between commit and send, a broker restart) and
workers die (SIGKILL, OOM, a host gone): the rows say what is owed, and this
sweep sends it again. Sending twice is harmless: the claim decides.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.consent.models import ConsentErasureWish
from apps.rights.lifecycle import OPEN, RequestStatus
from apps.rights.models import (
    Export,
    ExportStatus,
    Job,
    JobStatus,
    Request,
    RequestChannel,
    RequestKind,
)
from apps.rights.notifications import request_notify_on_commit
from apps.rights.services.exports import exports_expire
from apps.rights.services.finishing import settled_q
from apps.rights.services.lifecycle import RequestRefused, request_file

logger = logging.getLogger(__name__)

# A job sent on commit a moment ago is on its way: do not send it again yet.
GRACE = dt.timedelta(seconds=10)
SWEEP_LIMIT = 500


def _now() -> dt.datetime:
    return timezone.now()


def _send(job_ids: list[int]) -> None:
    from apps.rights.tasks import run_job

    for job_id in job_ids:
        try:
            run_job.delay(job_id)
        except Exception:  # noqa: BLE001 - broker down: the next sweep tries again
            logger.warning("could not send job %s", job_id, exc_info=True)
            return


def _requests_to_finish(now: dt.datetime) -> list[int]:
    in_progress = Request.objects.filter(status=RequestStatus.IN_PROGRESS)
    unsettled = Job.objects.exclude(settled_q()).values("request_id")
    candidates = in_progress.exclude(pk__in=unsettled)
    # Exports being assembled under a live lease are someone's work already.
    busy = Export.objects.filter(
        Q(assembling_until__gt=now) | Q(status=ExportStatus.FAILED)
    ).values("request_id")
    return list(
        candidates.exclude(pk__in=busy).values_list("pk", flat=True)[:SWEEP_LIMIT]
    )


def jobs_redrive(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send pending jobs that are due, running jobs whose lease ran out (the
    claim counts that as an attempt), and finishes for requests whose jobs
    are all settled. Returns how many of each."""
    now = now or _now()
    due = list(
        Job.objects.filter(
            status=JobStatus.PENDING, run_after__lte=now, updated_at__lte=now - GRACE
        ).values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    stale = list(
        Job.objects.filter(
            status=JobStatus.RUNNING, lease_expires_at__lt=now
        ).values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    _send(due + stale)
    finishing = _requests_to_finish(now)
    if finishing:
        from apps.rights.tasks import finish_request

        for request_id in finishing:
            try:
                finish_request.delay(request_id)
            except Exception:  # noqa: BLE001 - the next sweep tries again
                logger.warning("could not send finish %s", request_id, exc_info=True)
                break
    return {"pending": len(due), "stale": len(stale), "finishing": len(finishing)}


def erasure_wishes_file() -> dict[str, int]:
    """File an erasure request for each consent withdrawal that asked for
    one, as the employee (their own wish), through the privacy team's
    channel; set filed_at either way so that each is handled once."""
    filed = refused = 0
    wishes = ConsentErasureWish.objects.filter(filed_at__isnull=True).select_related(
        "employee", "employee__user", "program"
    )
    for wish in wishes[:SWEEP_LIMIT]:
        with transaction.atomic():
            claimed = ConsentErasureWish.objects.filter(
                pk=wish.pk, filed_at__isnull=True
            ).update(filed_at=_now())
            if not claimed:
                continue
            try:
                with transaction.atomic():
                    request_file(
                        subject=wish.employee,
                        kind=RequestKind.ERASURE,
                        filed_by=wish.employee.user,
                        channel=RequestChannel.OFFICER,
                        all_programs=False,
                        programs=[wish.program],
                        text=f"Erase what was collected under my consent to "
                        f"“{wish.program.name}” (asked when withdrawing it).",
                    )
                filed += 1
            except RequestRefused as exc:
                # Already asked for, or nothing held: the wish is answered.
                logger.info("erasure wish %s not filed: %s", wish.pk, exc)
                refused += 1
    return {"filed": filed, "not_filed": refused}


def _warn(
    field: str,
    event: str,
    requests,
    *,
    now: dt.datetime,
    also: dict | None = None,
    days: int = 0,
) -> int:
    sent = 0
    for request_id in requests.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Request.objects.filter(
                pk=request_id, **{f"{field}__isnull": True}
            )
            if claimed.update(**{field: now}, **(also or {})):
                request_notify_on_commit(
                    request_id=request_id, event=event, extra={"days_left": days}
                )
                sent += 1
    return sent


def deadlines_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn officers 7 days and 1 day before a deadline and flag overdue
    requests, each once (the *_at columns). A paused clock (waiting on the
    employee) is not counted down."""
    now = now or _now()
    running = Request.objects.filter(status__in=OPEN).exclude(
        status=RequestStatus.AWAITING_SUBJECT
    )
    overdue = _warn(
        "overdue_flagged_at",
        "overdue",
        running.filter(due_at__lte=now, overdue_flagged_at__isnull=True),
        now=now,
        also={"warned_1d_at": now},
    )
    # A request that is already inside one day gets that warning only.
    one_day = _warn(
        "warned_1d_at",
        "due_soon",
        running.filter(
            due_at__gt=now,
            due_at__lte=now + dt.timedelta(days=1),
            warned_1d_at__isnull=True,
        ),
        now=now,
        also={"warned_7d_at": now},
        days=1,
    )
    seven_days = _warn(
        "warned_7d_at",
        "due_soon",
        running.filter(
            due_at__gt=now + dt.timedelta(days=1),
            due_at__lte=now + dt.timedelta(days=7),
            warned_7d_at__isnull=True,
        ),
        now=now,
        days=7,
    )
    expired = exports_expire(now=now)
    return {
        "warned_7d": seven_days,
        "warned_1d": one_day,
        "overdue": overdue,
        "exports_expired": expired,
    }
