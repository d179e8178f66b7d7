"""No HR page or export reveals a group smaller than five."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditRecord
from apps.catalog.models import LegalBasis
from apps.consent.services.consent import consent_grant, notice_latest
from apps.consent.services.notices import notice_publish_from_catalog
from apps.rights.models import Request
from tests.reports.conftest import department_of, full_program

pytestmark = pytest.mark.django_db

# Every reports URL without an object; HR may open only its dashboard.
PAGES = [
    "officer_dashboard", "hr_dashboard", "dpo_dashboard", "ropa", "ropa_export",
    "request_records", "request_records_export", "request_metrics_export",
    "dpia_register", "bundle_list",
]  # fmt: skip


@pytest.fixture
def workforce(users, organisation):
    big = department_of("Engineering", 6, "eng")
    small = department_of("Legal", 3, "leg")
    program = full_program(
        "ai_training",
        legal_basis=LegalBasis.CONSENT,
        legitimate_interests_assessment="",
    )
    notice_publish_from_catalog(program=program)
    notice = notice_latest(program=program)
    for employee in big[:4] + small[:1]:
        consent_grant(employee=employee, program=program, notice=notice)
    return {"big": big, "small": small, "program": program}


def test_hr_opens_only_its_dashboard(client, users, workforce):
    client.force_login(users["hr"])
    opened = [
        name
        for name in PAGES
        if client.get(reverse(f"reports:{name}")).status_code == 200
    ]
    assert opened == ["hr_dashboard"]


def _month_back(months: int) -> dt.datetime:
    """Noon on the 15th, `months` months before this one."""
    now = timezone.localtime()
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    return now.replace(year=year, month=month + 1, day=15, hour=12)


@pytest.fixture
def history(users):
    """Six requests two months ago, two requests four months ago."""
    subject = users["employee"].employee
    for n, months in enumerate([2] * 6 + [4] * 2):
        received = _month_back(months) + dt.timedelta(minutes=n)
        Request.objects.create(
            public_id=uuid.uuid4(), subject=subject, kind="access",
            all_programs=False, filed_by=users["privacy_officer"],
            jurisdiction="EU", received_at=received,
            due_at=received + dt.timedelta(days=30),
        )  # fmt: skip
    return [subject]


def test_the_dashboard_shows_no_small_group(client, users, workforce, history):
    client.force_login(users["hr"])
    response = client.get(reverse("reports:hr_dashboard"))
    board = response.context["board"]
    page = response.content.decode()
    departments = {row.department for row in board.rates}
    assert "Engineering" in departments
    assert "Legal" not in departments and "Legal" not in page
    assert all(row.people >= 5 for row in board.rates)
    engineering = next(r for r in board.rates if r.department == "Engineering")
    assert (engineering.people, engineering.granted, engineering.percent) == (6, 4, 67)
    assert board.suppressed_groups >= 1
    months = {p.label: p.value for p in board.requests_by_month}
    assert months[_month_back(2).strftime("%Y-%m")] == 6
    assert months[_month_back(4).strftime("%Y-%m")] is None
    assert set(months.values()) == {6, None}
    # No per-request or per-person row reaches the page.
    for employee in workforce["small"]:
        assert employee.full_name not in page


def test_a_tiny_workforce_shows_no_coverage(client, roles, organisation):
    from tests.governance.conftest import make_user

    hr = make_user("hrsolo", "hr", employee_number="HR1")
    full_program("endpoint_monitoring")
    client.force_login(hr)
    board = client.get(reverse("reports:hr_dashboard")).context["board"]
    assert [p.employees for p in board.programs] == [None]
    assert board.rates == []


def test_each_view_is_an_audited_aggregate_read(client, users, workforce):
    client.force_login(users["hr"])
    client.get(reverse("reports:hr_dashboard"))
    records = AuditRecord.objects.filter(
        action=AuditAction.READ_AGGREGATE, actor=users["hr"]
    )
    groups = {r.detail["group"]: r.detail["group_size"] for r in records}
    assert groups["department Engineering"] == 6
    assert "department Legal" not in groups
    assert all(size >= 5 for size in groups.values())
    assert all(r.subject_id is None for r in records)
    engineering = records.get(detail__group="department Engineering")
    assert engineering.detail["department_id"] == workforce["big"][0].department_id
