"""Erasure against the real stores: the subject's rows and files go, every
one else's stay, the result is verified and certified."""

import pytest
from django.db import connections

from apps.audit.models import AuditAction, AuditRecord
from apps.catalog.models import Field
from apps.rights.models import Job, JobStatus, RequestKind
from apps.rights.services.finishing import certificate_document
from apps.rights.services.jobs import job_run
from apps.rights.services.lifecycle import request_approve, request_file
from apps.rights.signing import verify_document
from apps.stores.sql import pseudonym
from tests.monitoring_fixtures import EVENTS, EVENTS_TABLE

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def rows() -> list[tuple]:
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(
            f"SELECT id, device_serial, typed_text FROM {EVENTS_TABLE} ORDER BY id"
        )
        return cursor.fetchall()


def erase(employee, officer):
    request = request_file(
        subject=employee, kind=RequestKind.ERASURE, filed_by=employee.user
    )
    return request_approve(request=request, officer=officer)


def run_all(request):
    for job in request.jobs.filter(status=JobStatus.PENDING):
        assert job_run(job_id=job.pk) == "done"
    request.refresh_from_db()
    return request


def test_it_erases_the_subject_and_no_one_else(
    alice, bob, catalog, officer, sent, settings
):
    files_root = settings.TELEMETRY_FILES_ROOT
    bobs_rows = [r for r in rows() if r[1] == "SN-BOB-1"]

    request = run_all(erase(alice, officer))

    assert request.status == "completed"
    assert rows() == bobs_rows
    assert not list((files_root / "captures/SN-ALICE-1").rglob("*.png"))
    assert (files_root / "captures/SN-BOB-1/2026-11-05/3.png").is_file()
    jobs = {j.dataset.key: j for j in request.jobs.select_related("dataset")}
    assert (jobs["keystrokes"].records_found, jobs["keystrokes"].records_remaining) == (
        3,
        0,
    )
    assert (jobs["screens"].records_found, jobs["screens"].records_remaining) == (2, 0)

    erased = AuditRecord.objects.filter(action=AuditAction.RIGHTS_DATA_ERASED)
    assert {(r.dataset_key, r.detail["records_before"]) for r in erased} == {
        ("keystrokes", 3),
        ("screens", 2),
    }
    # Metadata only: no value of the erased records reaches the audit log.
    assert "alice wrote" not in str([r.detail for r in erased])

    certificate = request.certificate
    payload = certificate.payload
    assert payload["request"] == str(request.public_id)
    assert payload["subject"] == str(alice.public_id)
    assert payload["verification"] == {"result": "passed", "records_remaining": 0}
    assert {
        (d["dataset"], d["records_before"], d["records_after"], d["outcome"])
        for d in payload["datasets"]
    } == {("keystrokes", 3, 0, "erased"), ("screens", 2, 0, "erased")}
    assert verify_document(certificate_document(certificate)) == []


def test_masking_keeps_rows_but_nothing_that_identifies(
    alice, bob, catalog, officer, sent
):
    dataset = catalog["keystrokes"]
    dataset.erasure_strategy = "mask"
    dataset.save()
    Field.objects.create(
        dataset=dataset, name="device_serial", data_category="x", mask="hash"
    )
    before = rows()

    run_all(erase(alice, officer))

    after = rows()
    assert len(after) == len(before)
    alices = [
        r for r in after if r[0] in {b[0] for b in before if b[1] == "SN-ALICE-1"}
    ]
    assert {r[1] for r in alices} == {pseudonym("SN-ALICE-1")[:64]}
    assert {r[2] for r in alices} == {"[redacted]"}
    assert [r for r in after if r[1] == "SN-BOB-1"] == [
        r for r in before if r[1] == "SN-BOB-1"
    ]


def test_a_rerun_after_a_crash_keeps_the_first_count(alice, catalog, officer, sent):
    request = erase(alice, officer)
    job = request.jobs.get(dataset__key="keystrokes")
    assert job_run(job_id=job.pk) == "done"
    # As if the worker died after erasing, before recording it.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING, records_done=0)

    assert job_run(job_id=job.pk) == "done"

    job.refresh_from_db()
    assert (job.records_found, job.records_done, job.records_remaining) == (3, 3, 0)
    assert len([r for r in rows() if r[1] == "SN-ALICE-1"]) == 0
    assert len(rows()) == len([e for e in EVENTS if e[0] == "SN-BOB-1"])


def test_records_left_after_erasure_fail_the_job(
    alice, catalog, officer, sent, monkeypatch
):
    from apps.stores.sql import SqlConnector

    def two_left(self, dataset, ids, **options):
        return 1, 2

    monkeypatch.setattr(SqlConnector, "erase_verified", two_left)
    request = erase(alice, officer)
    job = request.jobs.get(dataset__key="keystrokes")

    assert job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.last_error == "2 records of the employee remain after erasure"
    assert job.records_remaining == 2


def _chain(request) -> list[str]:
    return list(
        AuditRecord.objects.filter(detail__request_id=request.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_the_last_job_to_settle_finishes_the_request_no_finish_task_needed(
    alice, catalog, officer, sent
):
    request = erase(alice, officer)
    first, last = request.jobs.order_by("pk")

    assert job_run(job_id=first.pk) == "done"
    request.refresh_from_db()
    assert request.status == "in_progress"  # The other job has not run.
    assert not hasattr(request, "certificate")

    assert job_run(job_id=last.pk) == "done"

    request.refresh_from_db()
    assert request.status == "completed"
    assert request.certificate.payload["verification"]["result"] == "passed"
    assert sent.finishes == []  # Nothing left for a finish task to do.
    # The last job's record, the certificate's and the move's, in that order.
    assert _chain(request)[-3:] == [
        AuditAction.RIGHTS_DATA_ERASED,
        AuditAction.RIGHTS_CERTIFICATE_ISSUED,
        AuditAction.RIGHTS_REQUEST_MOVED,
    ]


def test_a_finish_that_fails_leaves_the_last_jobs_outcome_unwritten_too(
    alice, catalog, officer, sent, monkeypatch
):
    from apps.rights import signing
    from apps.rights.services.special import job_retry

    request = erase(alice, officer)
    first, last = request.jobs.order_by("pk")
    assert job_run(job_id=first.pk) == "done"
    before = _chain(request)

    def no_key(payload):
        raise RuntimeError("signing key unavailable")

    monkeypatch.setattr(signing, "sign", no_key)
    assert job_run(job_id=last.pk) == "failed"

    # The job's outcome, its audit record, the certificate and the move were
    # one transaction: none of them was written. The erasure itself (in the
    # store) was, and the job failed for the officers to see and retry.
    last.refresh_from_db()
    request.refresh_from_db()
    assert last.status == JobStatus.FAILED
    assert "signing key unavailable" in last.last_error
    assert request.status == "in_progress"
    assert not hasattr(request, "certificate")
    assert _chain(request) == before
    assert [r for r in rows() if r[1] == "SN-ALICE-1"] == []

    monkeypatch.undo()
    job_retry(job=last, officer=officer)
    assert job_run(job_id=last.pk) == "done"

    request.refresh_from_db()
    assert request.status == "completed"
    assert request.certificate.payload["verification"]["result"] == "passed"
