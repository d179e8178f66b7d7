"""Rectification, restriction, objection and manual stores: the officer's
and the assignee's steps, carried out against the stores."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.http import Http404
from django.utils import timezone

from apps.catalog.models import Dataset, Store
from apps.consent.models import BlockKind, ProcessingBlock
from apps.governance.gateway import gateway_records_page
from apps.governance.models import Case, CaseStatus
from apps.governance.permissions import case_access_grant
from apps.rights.models import (
    Job,
    JobStatus,
    ObjectionDecision,
    Request,
    RequestKind,
    Restriction,
)
from apps.rights.selectors import restricted_dataset_ids
from apps.rights.services.execution import (
    manual_job_confirm,
    objection_decide,
    restriction_lift,
)
from apps.rights.services.finishing import request_finish
from apps.rights.services.jobs import job_run
from apps.rights.services.lifecycle import (
    RequestRefused,
    request_approve,
    request_file,
)
from tests.governance.conftest import make_user
from tests.monitoring_fixtures import EVENTS_TABLE

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def file(employee, kind, **kwargs):
    return request_file(subject=employee, kind=kind, filed_by=employee.user, **kwargs)


def typed(pk: int) -> tuple:
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(
            f"SELECT device_serial, typed_text FROM {EVENTS_TABLE} WHERE id = %s", [pk]
        )
        return cursor.fetchone()


# -- rectification -------------------------------------------------------------


def rectify(employee, officer, record: str):
    request = file(
        employee,
        RequestKind.RECTIFICATION,
        all_programs=False,
        datasets=[Dataset.objects.get(key="keystrokes")],
        details={
            "dataset": "keystrokes",
            "record": record,
            "changes": {"typed_text": "corrected"},
        },
    )
    request = request_approve(request=request, officer=officer)
    job = request.jobs.get()
    return request, job


def test_rectification_corrects_the_subjects_record(alice, catalog, officer, sent):
    request, job = rectify(alice, officer, record="2")

    assert job_run(job_id=job.pk) == "done"

    assert typed(2) == ("SN-ALICE-1", "corrected")
    assert typed(1) == ("SN-ALICE-1", "alice wrote a")
    request.refresh_from_db()
    assert request.status == "completed"


def test_rectification_of_someone_elses_record_fails(alice, catalog, officer, sent):
    request, job = rectify(alice, officer, record="4")  # bob's row

    assert job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.last_error == "record not found or not yours"
    assert typed(4) == ("SN-BOB-1", "bob secret one")
    request.refresh_from_db()
    assert request.status == "in_progress"


# -- restriction ---------------------------------------------------------------


def restrict(employee, officer, dataset):
    request = file(
        employee, RequestKind.RESTRICTION, all_programs=False, datasets=[dataset]
    )
    return request_approve(request=request, officer=officer)


def test_the_employee_is_told_before_a_restriction_is_lifted(
    alice, catalog, officer, sent, settings
):
    settings.RIGHTS_RESTRICTION_NOTICE_DAYS = 7
    restrict(alice, officer, catalog["screens"])
    restriction = Restriction.objects.get()
    assert restricted_dataset_ids(employee=alice) == {catalog["screens"].pk}

    with pytest.raises(RequestRefused, match="reason"):
        restriction_lift(restriction=restriction, officer=officer, reason="")
    told = restriction_lift(
        restriction=restriction, officer=officer, reason="The accuracy was verified"
    )
    assert told.subject_told_at is not None and told.lifted_at is None
    assert (told.lift_after - told.subject_told_at) == dt.timedelta(days=7)
    with pytest.raises(RequestRefused, match="can be lifted from"):
        restriction_lift(restriction=restriction, officer=officer, reason="")

    Restriction.objects.filter(pk=restriction.pk).update(
        lift_after=timezone.now() - dt.timedelta(seconds=1)
    )
    lifted = restriction_lift(restriction=restriction, officer=officer, reason="")

    assert lifted.lifted_at is not None and lifted.lifted_by == officer
    assert restricted_dataset_ids(employee=alice) == set()
    block = ProcessingBlock.objects.get(employee=alice, kind=BlockKind.RESTRICTION)
    assert block.lifted_at is not None


def test_only_officers_lift_restrictions(alice, catalog, officer, sent):
    restrict(alice, officer, catalog["screens"])
    with pytest.raises(RequestRefused):
        restriction_lift(
            restriction=Restriction.objects.get(), officer=alice.user, reason="mine"
        )


def test_a_restricted_dataset_is_closed_to_investigators_not_to_the_subject(
    alice, bob, catalog, officer, sent
):
    investigator = make_user("ivan", "security_investigator", employee_number="S001")
    now = timezone.now()
    case = Case.objects.create(
        requester=investigator,
        subject=alice,
        window_start=now - dt.timedelta(days=3650),
        window_end=now + dt.timedelta(days=1),
        justification="Data leak",
        status=CaseStatus.APPROVED,
        approver=officer,
        decided_at=now,
        expires_at=now + dt.timedelta(days=5),
        notify_subject_after=now,
    )
    case.datasets.set([catalog["keystrokes"]])
    case_access_grant(case=case)
    page = dict(
        subject=alice, dataset=catalog["keystrokes"], number=1, per_page=10, purpose="x"
    )
    assert gateway_records_page(actor=investigator, **page).total == 3

    restrict(alice, officer, catalog["keystrokes"])

    with pytest.raises(Http404):
        gateway_records_page(actor=investigator, **page)
    assert gateway_records_page(actor=alice.user, **page).total == 3


# -- objection -----------------------------------------------------------------


def test_an_upheld_objection_stops_the_programs_processing(
    alice, catalog, officer, sent
):
    request = file(alice, RequestKind.OBJECTION, text="My health makes typing slow")

    request = objection_decide(
        request=request,
        officer=officer,
        upheld=True,
        reasoning="Her grounds outweigh a marginal security gain",
    )

    request.refresh_from_db()
    assert request.status == "completed"
    decision = ObjectionDecision.objects.get(request=request)
    assert decision.upheld and decision.decided_by == officer
    block = ProcessingBlock.objects.get(employee=alice)
    assert (block.kind, block.program_id) == (
        BlockKind.OBJECTION,
        catalog["program"].pk,
    )


def test_an_objection_not_upheld_is_refused_with_the_balancing(
    alice, catalog, officer, sent
):
    request = file(alice, RequestKind.OBJECTION, text="I dislike it")

    request = objection_decide(
        request=request,
        officer=officer,
        upheld=False,
        reasoning="Protecting customer data outweighs a general dislike",
    )

    assert request.status == "refused"
    assert request.refusal_reason.startswith("Protecting customer data")
    assert "complain" in request.response_summary
    assert not ProcessingBlock.objects.exists()
    with pytest.raises(RequestRefused):
        objection_decide(request=request, officer=officer, upheld=True, reasoning="x")


# -- manual stores -------------------------------------------------------------


@pytest.fixture
def paper(catalog):
    store = Store.objects.create(
        key="paper",
        name="Paper files",
        kind="manual",
        connection={"assignee_email": "records@example.com"},
    )
    return Dataset.objects.create(
        store=store,
        program=catalog["program"],
        key="paper_notes",
        name="Paper notes",
        location="cabinet 3",
        identifier_kind="email",
    )


def test_the_assignee_confirms_a_manual_erasure(
    alice, bob, catalog, officer, paper, sent
):
    request = request_approve(
        request=file(alice, RequestKind.ERASURE, all_programs=False, datasets=[paper]),
        officer=officer,
    )
    job = request.jobs.get()
    assert (job.status, job.assignee_email) == (JobStatus.MANUAL, "records@example.com")
    clerk = make_user("records")

    with pytest.raises(RequestRefused, match="someone else"):
        manual_job_confirm(
            job=job, user=bob.user, evidence=None, note="done", records=1
        )
    manual_job_confirm(
        job=job,
        user=clerk,
        evidence=SimpleUploadedFile("shredding.pdf", b"%PDF receipt"),
        note="Shredded 4 sheets",
        records=4,
    )

    job.refresh_from_db()
    assert (job.status, job.confirmed_by, job.records_done) == (
        JobStatus.DONE,
        clerk,
        4,
    )
    assert job.evidence.read() == b"%PDF receipt"
    assert sent.finishes == [request.pk]
    request = request_finish(request_id=request.pk)
    assert request.status == "completed"
    outcome = request.certificate.payload["datasets"][0]
    assert (outcome["outcome"], outcome["records_before"]) == ("confirmed_by_person", 4)
    with pytest.raises(RequestRefused):
        manual_job_confirm(job=job, user=clerk, evidence=None, note="again", records=1)


def test_a_manual_step_raised_by_the_connector_becomes_a_task(
    alice, catalog, sent, monkeypatch
):
    from apps.stores.base import ManualStep

    def manual(store):
        class Connector:
            def stream(self, *args, **kwargs):
                raise ManualStep(
                    store, "export by hand", assignee="it@example.com", action="export"
                )

        return Connector()

    monkeypatch.setattr("apps.rights.services.exports.get_connector", manual)
    request = file(alice, RequestKind.ACCESS)
    job = request.jobs.order_by("pk").first()

    assert job_run(job_id=job.pk) == "manual"

    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.assignee_email) == (JobStatus.MANUAL, "it@example.com")
    assert Request.objects.get(pk=request.pk).status == "in_progress"
