"""What the screenshots show beyond seed_demo: a year of requests, a failed
job, DPIA register entries, a verified audit chain, a regulator and a bundle
prepared for them. Run only inside take_screenshots' scratch databases."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import Group
from django.utils import timezone

from apps.audit.services import audit_chain_verify
from apps.catalog.models import Dataset, LegalBasis, Program
from apps.consent.models import ConsentState
from apps.consent.services.consent import consent_grant, notice_latest
from apps.people.models import Employee, User
from apps.reports.models import Bundle
from apps.reports.sample import sample_requests_create
from apps.reports.services import bundle_build, dpia_entry_update
from apps.rights.models import Job, JobAction, JobStatus, Request, RequestStatus

REGULATOR = "regulator@example.com"
PASSWORD = "candor-demo"  # noqa: S105 - the demo's published password


def screenshot_data_prepare(*, requests: int) -> None:
    now = timezone.now()
    officer = User.objects.filter(groups__name="privacy_officer").first()
    dpo = User.objects.filter(groups__name="dpo").first()
    regulator, created = User.objects.get_or_create(
        username=REGULATOR, defaults={"email": REGULATOR}
    )
    if created:
        regulator.set_password(PASSWORD)
        regulator.save()
    regulator.groups.add(Group.objects.get(name="regulator"))
    employees = list(Employee.objects.filter(is_leaver=False).order_by("pk"))
    if not Request.objects.exists():
        sample_requests_create(
            count=requests, subjects=employees, filed_by=officer, now=now, seed=3
        )
        request = Request.objects.filter(status=RequestStatus.IN_PROGRESS).first()
        dataset = Dataset.objects.order_by("pk").first()
        if request and dataset:
            Job.objects.create(
                request=request, dataset=dataset, action=JobAction.EXPORT,
                status=JobStatus.FAILED, run_after=now, attempts=5,
                last_error="StoreUnavailable: the monitoring database did not "
                "answer within 10 s (5 attempts)",
            )  # fmt: skip
    _consent(employees)
    _dpia(dpo)
    audit_chain_verify()
    if not Bundle.objects.exists():
        today = timezone.localdate()
        bundle = Bundle.objects.create(
            recipient=regulator, requested_by=officer,
            period_start=today - dt.timedelta(days=365), period_end=today,
            note="Annual review",
        )  # fmt: skip
        bundle_build(bundle_id=bundle.pk)


def _consent(employees: list[Employee]) -> None:
    if ConsentState.objects.exists():
        return
    rng = random.Random(5)  # noqa: S311 (sample data, not secrets)
    for program in Program.objects.filter(legal_basis=LegalBasis.CONSENT):
        notice = notice_latest(program=program)
        if notice is None:
            continue
        for employee in employees:
            if rng.random() < 0.55:
                consent_grant(employee=employee, program=program, notice=notice)


def _dpia(dpo: User) -> None:
    today = timezone.localdate()
    for program in Program.objects.order_by("name"):
        if program.dpia_status == "approved":
            due = 20 if "endpoint" in program.key else 215
            dpia_entry_update(
                program=program, actor=dpo, status="approved",
                started_on=today - dt.timedelta(days=200),
                decided_on=today - dt.timedelta(days=150),
                document_url=f"https://intranet.example.com/dpia/{program.dpia_reference}",
                review_due_on=today + dt.timedelta(days=due),
            )  # fmt: skip
        elif program.dpia_status == "in_progress":
            dpia_entry_update(
                program=program, actor=dpo, status="in_progress",
                started_on=today - dt.timedelta(days=30),
                review_due_on=today + dt.timedelta(days=45),
            )  # fmt: skip
