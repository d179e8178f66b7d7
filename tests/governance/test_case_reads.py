"""Reading under a case through the existing dataset pages: exactly the case's
datasets of its employee within its window, while approved and unexpired."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditRecord
from apps.governance.models import Case
from apps.governance.services.cases import case_close
from tests.governance.factories import approved_case, open_case

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def dataset_url(employee, key="keystrokes"):
    return reverse(
        "people:subject_dataset", kwargs={"public_id": employee.public_id, "key": key}
    )


def file_url(employee, file_key, key="screens"):
    return reverse(
        "people:subject_file",
        kwargs={"public_id": employee.public_id, "key": key, "file_key": file_key},
    )


def test_it_reads_only_records_in_the_window_and_audits_the_case(
    client, investigator, dpo, alice, catalog
):
    case = approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    client.force_login(investigator)
    response = client.get(dataset_url(alice))
    assert response.status_code == 200
    page = response.context["page"]
    # Alice wrote a, b, c on 1, 2 and 3 November; the window is 2 November.
    assert [r.values["typed_text"] for r in page.records] == ["alice wrote b"]
    assert "alice wrote a" not in response.content.decode()
    read = AuditRecord.objects.get(action=AuditAction.READ_RECORDS)
    assert (read.actor_id, read.subject_id) == (investigator.pk, alice.pk)
    assert read.detail["case_id"] == case.pk
    assert read.purpose == case.justification


def test_datasets_outside_the_case_are_404(client, investigator, dpo, alice, catalog):
    approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    client.force_login(investigator)
    key = "captures/SN-ALICE-1/2026-11-05/1.png"
    assert client.get(dataset_url(alice, "screens")).status_code == 404
    assert client.get(file_url(alice, key)).status_code == 404


def test_other_employees_are_404(client, investigator, dpo, alice, bob, catalog):
    approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    client.force_login(investigator)
    assert client.get(dataset_url(bob)).status_code == 404
    assert not AuditRecord.objects.filter(subject=bob).exists()


def test_requested_closed_or_expired_cases_read_nothing(
    client, investigator, dpo, alice, catalog
):
    client.force_login(investigator)
    case = open_case(investigator, alice, [catalog["keystrokes"]])
    assert client.get(dataset_url(alice)).status_code == 404
    case = approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    Case.objects.filter(pk=case.pk).update(
        expires_at=case.decided_at + dt.timedelta(microseconds=1)
    )
    assert client.get(dataset_url(alice)).status_code == 404
    case = approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    assert client.get(dataset_url(alice)).status_code == 200
    case_close(case=case, closed_by=investigator, reason="done")
    assert client.get(dataset_url(alice)).status_code == 404


def test_the_approver_and_others_read_nothing(
    client, investigator, dpo, alice, catalog
):
    approved_case(investigator, dpo, alice, [catalog["keystrokes"]])
    client.force_login(dpo)
    assert client.get(dataset_url(alice)).status_code == 404


def test_files_under_a_case_are_limited_to_the_window(
    client, investigator, dpo, alice, catalog
):
    approved_case(
        investigator,
        dpo,
        alice,
        [catalog["screens"]],
        window_start=dt.datetime(2026, 11, 5, tzinfo=dt.UTC),
        window_end=dt.datetime(2026, 11, 6, tzinfo=dt.UTC),
    )
    client.force_login(investigator)
    response = client.get(dataset_url(alice, "screens"))
    assert [r.key for r in response.context["page"].records] == [
        "captures/SN-ALICE-1/2026-11-05/1.png"
    ]
    assert (
        client.get(file_url(alice, "captures/SN-ALICE-1/2026-11-05/1.png")).status_code
        == 200
    )
    assert (
        client.get(file_url(alice, "captures/SN-ALICE-1/2026-11-06/2.png")).status_code
        == 404
    )
    opened = AuditRecord.objects.get(action=AuditAction.READ_FILE)
    assert opened.detail["case_id"] is not None
