"""Starting a request's work: the jobs planned per kind, exemptions, manual
stores, and what is sent to the workers after commit."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.catalog.models import Dataset, Store
from apps.consent.models import BlockKind, ProcessingBlock
from apps.governance.models import Case, CaseStatus
from apps.governance.services.holds import legal_hold_place
from apps.rights.models import Exemption, Export, JobAction, JobStatus, RequestKind
from apps.rights.services.execution import erasure_exemption, request_execute
from apps.rights.services.lifecycle import (
    RequestRefused,
    request_approve,
    request_file,
)

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def file(employee, kind, **kwargs):
    return request_file(subject=employee, kind=kind, filed_by=employee.user, **kwargs)


def jobs_of(request):
    return {
        job.dataset.key: job for job in request.jobs.select_related("dataset").all()
    }


def test_it_plans_one_export_job_per_dataset_and_sends_them_after_commit(
    alice, catalog, sent
):
    request = file(alice, RequestKind.ACCESS)

    assert request.status == "in_progress"
    jobs = jobs_of(request)
    assert set(jobs) == {"keystrokes", "screens"}
    assert {job.action for job in jobs.values()} == {JobAction.EXPORT}
    assert {job.status for job in jobs.values()} == {JobStatus.PENDING}
    assert sorted(sent.jobs) == sorted(job.pk for job in jobs.values())
    assert Export.objects.get(request=request).status == "pending"


def test_a_rolled_back_request_sends_nothing(alice, catalog, sent):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        file(alice, RequestKind.ACCESS)
        raise RuntimeError("the view failed after filing")

    assert sent.jobs == []


def test_erasure_waits_for_approval_then_plans_erase_jobs(
    alice, catalog, officer, sent
):
    request = file(alice, RequestKind.ERASURE)
    assert request.jobs.count() == 0
    assert sent.jobs == []

    request = request_approve(request=request, officer=officer)

    jobs = jobs_of(request)
    assert {job.action for job in jobs.values()} == {JobAction.ERASE}
    assert len(sent.jobs) == 2


def test_a_legal_hold_keeps_a_dataset_and_says_why(alice, catalog, officer, sent):
    legal_hold_place(
        placed_by=officer,
        employee=alice,
        reason="Tribunal claim 2026/17",
        datasets=[catalog["keystrokes"]],
    )
    request = request_approve(request=file(alice, RequestKind.ERASURE), officer=officer)

    jobs = jobs_of(request)
    kept = jobs["keystrokes"]
    assert kept.status == JobStatus.SKIPPED
    assert kept.exemption == Exemption.LEGAL_HOLD
    assert "legal hold" in kept.exemption_detail
    # The hold's confidential reason is not told to the employee.
    assert "Tribunal" not in kept.exemption_detail
    assert jobs["screens"].status == JobStatus.PENDING
    assert sent.jobs == [jobs["screens"].pk]


def test_a_legal_obligation_program_is_kept_while_its_retention_runs(
    alice, catalog, officer, sent
):
    program = catalog["program"]
    program.legal_basis = "legal_obligation"
    program.purpose = "Working-time records required by law"
    program.save()

    request = request_approve(request=file(alice, RequestKind.ERASURE), officer=officer)

    jobs = jobs_of(request)
    assert {job.exemption for job in jobs.values()} == {Exemption.LEGAL_OBLIGATION}
    assert "Working-time records" in jobs["keystrokes"].exemption_detail
    # Nothing for a worker: the request is answered at once, partially.
    request.refresh_from_db()
    assert request.status == "partially_completed"
    assert "Keystrokes" in request.response_summary
    assert sent.jobs == []
    assert request.certificate.payload["datasets"][0]["outcome"] == "kept"


def test_a_leavers_legal_obligation_ends_with_its_retention(alice, catalog):
    program = catalog["program"]
    program.legal_basis = "legal_obligation"
    program.leaver_retention_days = 30
    program.save()
    alice.left_on = timezone.now().date() - dt.timedelta(days=31)
    alice.save()
    dataset = Dataset.objects.select_related("program").get(key="keystrokes")

    assert erasure_exemption(alice, dataset, {}) == ("", "")

    alice.left_on = timezone.now().date() - dt.timedelta(days=29)
    assert erasure_exemption(alice, dataset, {})[0] == Exemption.LEGAL_OBLIGATION


def test_an_approved_case_keeps_its_datasets_for_legal_claims(
    alice, bob, catalog, officer
):
    now = timezone.now()
    case = Case.objects.create(
        requester=officer,
        subject=alice,
        window_start=now - dt.timedelta(days=30),
        window_end=now,
        justification="Harassment complaint",
        status=CaseStatus.APPROVED,
        approver=bob.user,
        decided_at=now,
        expires_at=now + dt.timedelta(days=5),
        notify_subject_after=now,
    )
    case.datasets.set([catalog["screens"]])
    screens = Dataset.objects.select_related("program").get(key="screens")
    keystrokes = Dataset.objects.select_related("program").get(key="keystrokes")

    assert erasure_exemption(alice, screens, {})[0] == Exemption.LEGAL_CLAIMS
    assert erasure_exemption(alice, keystrokes, {}) == ("", "")

    Case.objects.filter(pk=case.pk).update(expires_at=now - dt.timedelta(seconds=1))
    assert erasure_exemption(alice, screens, {}) == ("", "")


def test_a_manual_store_becomes_a_task_for_its_owner(alice, catalog, sent):
    paper = Store.objects.create(
        key="paper",
        name="Paper files",
        kind="manual",
        connection={"assignee_email": "records@example.com"},
    )
    Dataset.objects.create(
        store=paper,
        program=catalog["program"],
        key="paper_notes",
        name="Paper notes",
        location="cabinet 3",
        identifier_kind="email",
    )

    request = file(alice, RequestKind.ACCESS)

    manual = jobs_of(request)["paper_notes"]
    assert manual.status == JobStatus.MANUAL
    assert manual.assignee_email == "records@example.com"
    assert manual.pk not in sent.jobs
    assert len(sent.jobs) == 2


def test_restriction_places_rows_and_blocks_and_completes(
    alice, catalog, officer, sent
):
    request = file(
        alice,
        RequestKind.RESTRICTION,
        all_programs=False,
        datasets=[catalog["screens"]],
    )
    request = request_approve(request=request, officer=officer)

    request.refresh_from_db()
    assert request.status == "completed"
    assert list(request.restrictions.values_list("dataset__key", flat=True)) == [
        "screens"
    ]
    block = ProcessingBlock.objects.get(employee=alice)
    assert (block.kind, block.program_id, block.lifted_at) == (
        BlockKind.RESTRICTION,
        catalog["program"].pk,
        None,
    )
    assert sent.jobs == []


def test_an_objection_cannot_be_approved_without_a_balancing_decision(
    alice, catalog, officer
):
    request = file(alice, RequestKind.OBJECTION, text="I object to keystroke logging")

    with pytest.raises(RequestRefused, match="balancing"):
        request_approve(request=request, officer=officer)

    request.refresh_from_db()
    assert request.status == "awaiting_approval"
    assert not ProcessingBlock.objects.exists()


def test_executing_twice_creates_no_second_job(alice, catalog, sent):
    request = file(alice, RequestKind.ACCESS)

    with pytest.raises(Exception):  # noqa: B017 - the unique constraint
        request_execute(request=request)

    assert request.jobs.count() == 2
