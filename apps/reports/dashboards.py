"""The dashboards' figures: privacy officer, HR and DPO. Each takes the
acting user and answers None when their role may not open it.

HR sees aggregates only: every group it is shown (a department, the
workforce, a month's requests) holds at least REPORTS_MIN_GROUP_SIZE people
or requests, smaller ones are left out, and no totals are given that would
let a left-out group be worked out by subtraction. Each HR view of the
figures is an aggregate read in the audit log.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from apps.audit.models import AuditCheckpoint, AuditVerification
from apps.audit.services import audit_aggregate_entry, audit_record_many
from apps.catalog.models import LegalBasis, Program
from apps.catalog.selectors import EMPLOYEE_SUBJECT
from apps.consent.selectors import consent_rates
from apps.governance.permissions import has_capability
from apps.governance.roles import AGGREGATES
from apps.governance.selectors.cases import decision_queue
from apps.governance.selectors.exposure import exposure_report
from apps.people.models import Department, Employee, User
from apps.reports.charts import Point
from apps.reports.dpia import RegisterLine, dpia_due, dpia_flags
from apps.reports.requests import ANSWERED, CLOSED, by_month
from apps.reports.ropa import RopaRow, ropa_rows
from apps.rights.models import Job, JobStatus, Request, RequestKind, RequestStatus

HANDLE_REQUESTS = "governance.handle_requests"
DECIDE_CASE = "governance.decide_case"
LIST_LIMIT = 10


@dataclass
class Flags:
    """What every dashboard flags: DPIAs not approved, incomplete records."""

    dpia: list[RegisterLine]
    incomplete: list[RopaRow]


def flags() -> Flags:
    return Flags(dpia=dpia_flags(), incomplete=ropa_rows().incomplete)


def _open() -> object:
    return Request.objects.exclude(status__in=CLOSED)


def _median_days_by_month(now: dt.datetime, months: int = 12) -> list[Point]:
    zone = timezone.get_current_timezone()
    labels = [label for label, _n in by_month(months=months, now=now)]
    first = dt.datetime(*(int(p) for p in labels[0].split("-")), 1, tzinfo=zone)
    days: dict[str, list[float]] = defaultdict(list)
    for received, responded in Request.objects.filter(
        status__in=ANSWERED, responded_at__gte=first
    ).values_list("received_at", "responded_at"):
        month = responded.astimezone(zone).strftime("%Y-%m")
        days[month].append((responded - received).total_seconds() / 86400)
    return [
        Point(label, round(statistics.median(days[label]), 1) if days[label] else None)
        for label in labels
    ]


@dataclass
class OfficerDashboard:
    by_status: list[Point]
    by_kind: list[Point]
    overdue: list[Request]
    overdue_count: int
    due_soon: list[Request]
    due_soon_count: int
    median_days: list[Point]
    failed_jobs: list[Job]
    failed_count: int
    exposure_flagged: list
    verification: AuditVerification | None
    checkpoint: AuditCheckpoint | None
    flags: Flags


def officer_dashboard(
    *, user: User, now: dt.datetime | None = None
) -> OfficerDashboard | None:
    """The privacy officer's queue, deadlines, failures and health checks."""
    if not has_capability(user=user, perm=HANDLE_REQUESTS):
        return None
    now = now or timezone.now()
    open_requests = _open()
    statuses = Counter(open_requests.values_list("status", flat=True))
    kinds = Counter(open_requests.values_list("kind", flat=True))
    overdue = open_requests.filter(due_at__lt=now).order_by("due_at", "pk")
    due_soon = open_requests.filter(
        due_at__gte=now, due_at__lt=now + dt.timedelta(days=7)
    ).order_by("due_at", "pk")
    failed = (
        Job.objects.filter(status=JobStatus.FAILED)
        .select_related("request", "dataset")
        .order_by("-updated_at", "-pk")
    )
    report = exposure_report(user=user)
    return OfficerDashboard(
        by_status=[
            Point(str(s.label), statuses.get(s.value, 0))
            for s in RequestStatus
            if s.value not in CLOSED
        ],
        by_kind=[Point(str(k.label), kinds.get(k.value, 0)) for k in RequestKind],
        overdue=list(overdue[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        due_soon=list(due_soon[:LIST_LIMIT]),
        due_soon_count=due_soon.count(),
        median_days=_median_days_by_month(now),
        failed_jobs=list(failed[:LIST_LIMIT]),
        failed_count=failed.count(),
        exposure_flagged=[r for r in report.datasets if r.flagged] if report else [],
        verification=AuditVerification.objects.order_by("-started_at").first(),
        checkpoint=AuditCheckpoint.objects.order_by("-seq").first(),
        flags=flags(),
    )


@dataclass
class ProgramCoverage:
    program: Program
    employees: int | None  # None: fewer than the minimum (not shown)
    datasets: int


@dataclass
class HrDashboard:
    min_group: int
    programs: list[ProgramCoverage]
    rates: list  # consent RateRow, groups >= min_group only
    suppressed_groups: int
    requests_by_month: list[Point]  # None where fewer than min_group
    flags: Flags = field(default_factory=lambda: Flags([], []))


def hr_dashboard(*, user: User, now: dt.datetime | None = None) -> HrDashboard | None:
    """Programs and their coverage, consent rates per program and department,
    requests per month: never a figure about fewer than the minimum."""
    if not has_capability(user=user, perm=AGGREGATES):
        return None
    minimum = settings.REPORTS_MIN_GROUP_SIZE
    workforce = Employee.objects.filter(is_leaver=False).count()
    programs = []
    for program in Program.objects.prefetch_related("datasets").order_by("name"):
        covered = workforce if EMPLOYEE_SUBJECT in (program.data_subjects or []) else 0
        programs.append(
            ProgramCoverage(
                program=program,
                employees=covered if covered >= minimum else None,
                datasets=len(program.datasets.all()),
            )
        )
    rates = consent_rates(user=user, now=now)
    shown = [r for r in rates.rows if r.people >= minimum] if rates else []
    suppressed = (rates.suppressed if rates else 0) + (
        len(rates.rows) - len(shown) if rates else 0
    )
    months = [
        Point(label, count if count >= minimum else None)
        for label, count in by_month(months=12, now=now)
    ]
    dashboard = HrDashboard(
        min_group=minimum,
        programs=programs,
        rates=shown,
        suppressed_groups=suppressed,
        requests_by_month=months,
        flags=flags(),
    )
    _audit_hr_view(user=user, dashboard=dashboard, workforce=workforce)
    return dashboard


def _audit_hr_view(*, user: User, dashboard: HrDashboard, workforce: int) -> None:
    """One aggregate record per group the page showed figures about."""
    purpose = "HR dashboard"
    entries = []
    if workforce >= dashboard.min_group:
        entries.append(
            audit_aggregate_entry(
                actor=user,
                purpose=purpose,
                group="current employees",
                group_size=workforce,
            )  # fmt: skip
        )
    departments = dict(Department.objects.values_list("name", "pk"))
    for name, size in sorted({(r.department, r.people) for r in dashboard.rates}):
        entries.append(
            audit_aggregate_entry(
                actor=user,
                purpose=f"{purpose}: consent rates",
                group=f"department {name}",
                group_size=size,
                department_id=departments.get(name),
            )  # fmt: skip
        )
    audit_record_many(entries=entries)


@dataclass
class DpoDashboard:
    cases: list
    requests_awaiting: list[Request]
    requests_awaiting_count: int
    dpia_due: list
    flags: Flags


def dpo_dashboard(*, user: User) -> DpoDashboard | None:
    """Cases and requests awaiting the DPO, DPIA reviews falling due."""
    if not has_capability(user=user, perm=DECIDE_CASE):
        return None
    awaiting = Request.objects.filter(status=RequestStatus.AWAITING_APPROVAL).order_by(
        "due_at", "pk"
    )
    return DpoDashboard(
        cases=decision_queue(user=user),
        requests_awaiting=list(awaiting[:LIST_LIMIT]),
        requests_awaiting_count=awaiting.count(),
        dpia_due=dpia_due(),
        flags=flags(),
    )


def consent_based(program: Program) -> bool:
    return program.legal_basis == LegalBasis.CONSENT
