"""Objects for the permission matrix's rights rows (pages and API): each
cell gets a request of its own in the state the URL acts on.

Requests here never reach a worker: erasures wait for approval, the one
approval starts a restriction (finished at once), and jobs are rows made
by hand, so no Celery message leaves the test.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from apps.rights.lifecycle import OPEN, RequestStatus
from apps.rights.models import (
    ErasureCertificate,
    Export,
    ExportStatus,
    Job,
    JobStatus,
    Request,
    RequestChannel,
    Restriction,
)
from apps.rights.services.lifecycle import request_file, request_withdraw
from apps.rights.views.downloads import download_token

# URLs acting on a request of the employee's own (or another's, to be
# refused), and those the privacy team uses on someone else's.
SUBJECT_URLS = frozenset(
    {
        "rights:request_detail",
        "rights:request_progress",
        "rights:request_message",
        "rights:request_withdraw",
        "rights:certificate",
        "rights:download",
        "api:rights_request",
        "api:rights_withdraw",
        "api:rights_messages",
        "api:rights_download",
        "api:rights_download_file",
    }
)
OFFICER_URLS = frozenset(
    {
        "rights:officer_request",
        "rights:officer_confirm_identity",
        "rights:officer_approve",
        "rights:officer_refuse",
        "rights:officer_ask",
        "rights:officer_extend",
        "rights:officer_split",
        "rights:officer_message",
        "rights:officer_objection",
        "rights:officer_job_retry",
        "rights:officer_job_abandon",
        "rights:officer_restriction_lift",
        "api:rights_approve",
        "api:rights_refuse",
        "api:rights_extend",
        "api:rights_ask",
        "api:rights_confirm_identity",
    }
)

# States from which a leftover request is cleared before a fresh one is filed
# (the service allows one open request per employee and type).
_CLEARABLE = OPEN - {RequestStatus.IN_PROGRESS}


def _fresh(subject, kind: str, *, filed_by=None, **kwargs) -> Request:
    """A new request of `kind` for `subject`, filed by themselves (identity
    confirmed) or by `filed_by` for them (waiting for confirmation)."""
    for old in Request.objects.filter(
        subject=subject, kind=kind, status__in=_CLEARABLE
    ):
        request_withdraw(request=old, user=subject.user, reason="Matrix: cleared")
    user = filed_by or subject.user
    channel = RequestChannel.PORTAL if filed_by is None else RequestChannel.OFFICER
    return request_file(
        subject=subject, kind=kind, filed_by=user, channel=channel, **kwargs
    )


def _job(request: Request, dataset, status: str, **fields) -> Job:
    return Job.objects.create(
        request=request,
        dataset=dataset,
        action="erase",
        status=status,
        run_after=timezone.now(),
        **fields,
    )


def _expired_export(request: Request) -> Export:
    now = timezone.now()
    return Export.objects.create(
        request=request,
        status=ExportStatus.EXPIRED,
        path="gone.zip.enc",
        sha256="0" * 64,
        created_at=now - dt.timedelta(days=8),
        expires_at=now - dt.timedelta(days=1),
    )


def rights_url(name: str, subject, world) -> str:
    """The URL of `name` on a request of `subject` (an Employee) in the
    state the URL needs."""
    keystrokes = world["catalog"]["keystrokes"]
    officer = world["strangers"]["investigator"]  # files for the employee
    args = {}
    if name in ("rights:officer_confirm_identity", "api:rights_confirm_identity"):
        req = _fresh(subject, "erasure", filed_by=officer)
    elif name in ("rights:officer_approve", "api:rights_approve"):
        req = _fresh(subject, "restriction")
    elif name == "rights:officer_objection":
        req = _fresh(subject, "objection", text="Matrix grounds")
    elif name in ("rights:download", "api:rights_download_file"):
        token = download_token(_expired_export(_fresh(subject, "erasure")))
        return reverse(name, kwargs={"token": token})
    else:
        req = _fresh(subject, "erasure")
    if name == "rights:certificate":
        ErasureCertificate.objects.create(
            request=req,
            payload={"matrix": True},
            signature="x",
            key_id="k",
            created_at=timezone.now(),
        )
    if name in ("rights:officer_job_retry", "rights:officer_job_abandon"):
        failed = _job(req, keystrokes, JobStatus.FAILED, last_error="Matrix")
        # A second, unsettled job: giving the first up finishes nothing.
        _job(req, world["catalog"]["screens"], JobStatus.PENDING)
        args["job_id"] = failed.pk
    if name == "rights:officer_restriction_lift":
        restriction = Restriction.objects.create(
            request=req, dataset=keystrokes, placed_at=timezone.now()
        )
        args["restriction_id"] = restriction.pk
    return reverse(name, kwargs={"public_id": req.public_id, **args})


def task_url(assignee_email: str, subject, world) -> str:
    """A manual task on one of `subject`'s requests, named for
    `assignee_email`, beside a pending job (confirming it finishes nothing)."""
    req = _fresh(subject, "erasure")
    task = _job(
        req,
        world["catalog"]["keystrokes"],
        JobStatus.MANUAL,
        assignee_email=assignee_email,
    )
    _job(req, world["catalog"]["screens"], JobStatus.PENDING)
    return reverse("rights:task_confirm", kwargs={"job_id": task.pk})
