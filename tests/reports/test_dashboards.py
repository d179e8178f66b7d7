"""The privacy officer's and the DPO's dashboards: figures from the data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditVerification
from apps.catalog.models import Dataset, Store
from apps.governance.models import Case
from apps.reports.services import dpia_entry_update
from apps.rights.models import Job, JobAction, JobStatus, Request, RequestStatus

pytestmark = pytest.mark.django_db
OPEN = {"submitted", "identity_confirmed", "awaiting_approval", "awaiting_subject",
        "in_progress"}  # fmt: skip


def test_the_officer_sees_the_queue(client, users, programs, history):
    now = timezone.now()
    request = Request.objects.filter(status__in=OPEN).first()
    store = Store.objects.create(key="s", name="S", kind="manual")
    dataset = Dataset.objects.create(
        store=store, program=programs[0], key="d", name="Keystrokes", location="x",
        identifier_kind="email",
    )  # fmt: skip
    Job.objects.create(
        request=request, dataset=dataset, action=JobAction.EXPORT,
        status=JobStatus.FAILED, last_error="store timed out", run_after=now,
    )  # fmt: skip
    AuditVerification.objects.create(
        started_at=now, finished_at=now, ok=False, records=10,
        message="record #4 was altered",
    )  # fmt: skip
    client.force_login(users["privacy_officer"])
    response = client.get(reverse("reports:officer_dashboard"))
    assert response.status_code == 200
    board = response.context["board"]
    open_requests = Request.objects.filter(status__in=OPEN)
    by_status = {p.label: p.value for p in board.by_status}
    assert by_status["Submitted"] == open_requests.filter(status="submitted").count()
    assert sum(p.value for p in board.by_kind) == open_requests.count()
    assert board.overdue_count == open_requests.filter(due_at__lt=now).count()
    assert (
        board.due_soon_count
        == open_requests.filter(
            due_at__gte=now, due_at__lt=now + dt.timedelta(days=7)
        ).count()
    )
    assert [j.last_error for j in board.failed_jobs] == ["store timed out"]
    assert board.verification.ok is False
    assert [line.program.key for line in board.flags.dpia] == ["ai_training"]
    assert [row.program.key for row in board.flags.incomplete] == ["chat_archive"]
    page = response.content.decode()
    assert "record #4 was altered" in page
    assert "<svg" in page and "<table" in page
    medians = [p for p in board.median_days if p.value is not None]
    assert medians and all(p.value > 0 for p in medians)


def test_the_dpo_sees_what_awaits_them(client, users, programs, history):
    case = Case.objects.create(
        requester=users["security_investigator"], subject=users["employee"].employee,
        window_start=timezone.now() - dt.timedelta(days=2),
        window_end=timezone.now(), justification="Exfiltration alert",
    )  # fmt: skip
    dpia_entry_update(
        program=programs[0], actor=users["dpo"], status="approved",
        review_due_on=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    client.force_login(users["dpo"])
    response = client.get(reverse("reports:dpo_dashboard"))
    board = response.context["board"]
    assert [c.pk for c in board.cases] == [case.pk]
    awaiting = Request.objects.filter(status=RequestStatus.AWAITING_APPROVAL)
    assert board.requests_awaiting_count == awaiting.count()
    assert [e.program.key for e in board.dpia_due] == ["endpoint_monitoring"]
    assert "DPIA In progress" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("officer_dashboard", {"privacy_officer"}),
        ("dpo_dashboard", {"dpo"}),
        ("hr_dashboard", {"hr", "manager", "privacy_officer", "dpo", "auditor",
                          "regulator"}),
    ],
)  # fmt: skip
def test_each_dashboard_is_for_its_roles(client, users, programs, name, allowed):
    url = reverse(f"reports:{name}")
    opened = set()
    for role, user in users.items():
        client.force_login(user)
        if client.get(url).status_code == 200:
            opened.add(role)
        else:
            assert client.get(url).status_code == 404
    assert opened == allowed
    assert client.post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
