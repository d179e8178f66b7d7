"""Case services: who may open, approve, reject, close; expiry removes grants."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from apps.audit.models import AuditRecord
from apps.governance import actions
from apps.governance.models import Case, CaseStatus, CaseUserObjectPermission
from apps.governance.permissions import case_access_holders, readable_cases
from apps.governance.services import cases as case_services
from apps.governance.services.cases import (
    case_approve,
    case_close,
    case_expire_due,
    case_reject,
)
from tests.governance.conftest import make_user
from tests.governance.factories import approved_case, make_dataset, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def keystrokes(db):
    return make_dataset("keystrokes")


def test_it_opens_a_case_and_audits_it(investigator, alice, keystrokes):
    case = open_case(investigator, alice, [keystrokes])
    assert case.status == CaseStatus.REQUESTED
    assert list(case.datasets.all()) == [keystrokes]
    record = AuditRecord.objects.get(action=actions.CASE_OPENED)
    assert (record.actor_id, record.subject_id) == (investigator.pk, alice.pk)
    assert record.detail["case_id"] == case.pk
    assert record.purpose == "Suspected exfiltration, ticket SEC-1"
    assert case_access_holders(case=case) == []


@pytest.mark.parametrize("text", ["", "   \n "])
def test_a_case_without_justification_is_refused(investigator, alice, keystrokes, text):
    with pytest.raises(ValidationError) as exc:
        open_case(investigator, alice, [keystrokes], justification=text)
    assert "justification" in exc.value.message_dict
    assert not Case.objects.exists()


def test_the_database_refuses_a_blank_justification(investigator, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            requester=investigator,
            subject=alice,
            window_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            window_end=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
            justification="",
        )


def test_the_database_refuses_an_unknown_status(investigator, alice, keystrokes):
    case = open_case(investigator, alice, [keystrokes])
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="granted")


def test_only_investigators_and_officers_open_cases(roles, alice, bob, keystrokes):
    for role in ("employee", "manager", "hr", "dpo", "auditor", "regulator"):
        user = make_user(f"x-{role}", role)
        with pytest.raises(PermissionDenied):
            open_case(user, bob, [keystrokes])
    officer = make_user("po", "privacy_officer")
    assert open_case(officer, bob, [keystrokes]).pk


def test_a_case_needs_datasets_a_window_and_a_reason_for_delay(
    investigator, alice, keystrokes
):
    with pytest.raises(ValidationError):
        open_case(investigator, alice, [])
    with pytest.raises(ValidationError):
        open_case(
            investigator,
            alice,
            [keystrokes],
            window_end=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        )
    with pytest.raises(ValidationError):
        open_case(investigator, alice, [keystrokes], notify_delay_days=7)
    assert not Case.objects.exists()


def test_nobody_opens_a_case_on_their_own_data(investigator, keystrokes):
    with pytest.raises(ValidationError):
        open_case(investigator, investigator.employee, [keystrokes])


def test_approval_grants_the_requester_and_tells_the_employee(
    investigator,
    dpo,
    alice,
    keystrokes,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = approved_case(investigator, dpo, alice, [keystrokes])
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.approver == dpo
    assert case.expires_at - case.decided_at == dt.timedelta(days=14)
    assert case_access_holders(case=case) == [investigator.pk]
    assert list(readable_cases(user=investigator, subject=alice)) == [case]
    approval = AuditRecord.objects.get(action=actions.CASE_APPROVED)
    assert (approval.actor_id, approval.detail["case_id"]) == (dpo.pk, case.pk)
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "Keystrokes" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert case.subject_notified_at is not None
    assert AuditRecord.objects.filter(action=actions.CASE_SUBJECT_NOTIFIED).count() == 1


def test_nobody_approves_their_own_case(roles, alice, keystrokes):
    both = make_user("both", "privacy_officer", "dpo")
    case = open_case(both, alice, [keystrokes])
    with pytest.raises(ValidationError, match="own case"):
        case_approve(case=case, approver=both)
    case.refresh_from_db()
    assert case.status == CaseStatus.REQUESTED
    assert not CaseUserObjectPermission.objects.exists()


def test_only_a_dpo_approves(investigator, privacy_officer, alice, keystrokes):
    case = open_case(investigator, alice, [keystrokes])
    with pytest.raises(PermissionDenied):
        case_approve(case=case, approver=privacy_officer)
    assert Case.objects.get().status == CaseStatus.REQUESTED


def test_a_decided_case_is_not_decided_again(investigator, dpo, alice, keystrokes):
    case = approved_case(investigator, dpo, alice, [keystrokes])
    with pytest.raises(ValidationError, match="already decided"):
        case_reject(case=case, approver=dpo, reason="Changed my mind")


def test_rejection_needs_a_reason_and_grants_nothing(
    investigator, dpo, alice, keystrokes
):
    case = open_case(investigator, alice, [keystrokes])
    with pytest.raises(ValidationError):
        case_reject(case=case, approver=dpo, reason=" ")
    case = case_reject(case=case, approver=dpo, reason="Not proportionate")
    assert case.status == CaseStatus.REJECTED
    assert case_access_holders(case=case) == []
    assert AuditRecord.objects.filter(action=actions.CASE_REJECTED).count() == 1


def test_closing_stops_access_at_once(investigator, dpo, alice, keystrokes):
    case = approved_case(investigator, dpo, alice, [keystrokes])
    assert readable_cases(user=investigator, subject=alice).exists()
    case_close(case=case, closed_by=investigator, reason="Done")
    assert not readable_cases(user=investigator, subject=alice).exists()
    assert Case.objects.get().status == CaseStatus.CLOSED
    assert AuditRecord.objects.filter(action=actions.CASE_CLOSED).count() == 1


def test_a_stranger_cannot_close_a_case(investigator, dpo, alice, bob, keystrokes):
    case = approved_case(investigator, dpo, alice, [keystrokes])
    with pytest.raises(PermissionDenied):
        case_close(case=case, closed_by=bob.user, reason="x")


def test_expiry_removes_the_grant(investigator, dpo, alice, keystrokes, monkeypatch):
    case = approved_case(investigator, dpo, alice, [keystrokes])
    assert case_expire_due() == []
    later = case.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(case_services, "now", lambda: later)
    assert case_expire_due() == [case.pk]
    case.refresh_from_db()
    assert case.status == CaseStatus.EXPIRED
    assert case_access_holders(case=case) == []
    record = AuditRecord.objects.get(action=actions.CASE_EXPIRED)
    assert record.actor_id is None
    assert case_expire_due() == []


def test_a_case_past_expiry_opens_nothing_even_before_the_task(
    investigator, dpo, alice, keystrokes
):
    case = approved_case(investigator, dpo, alice, [keystrokes])
    Case.objects.filter(pk=case.pk).update(
        expires_at=case.decided_at + dt.timedelta(microseconds=1)
    )
    assert not readable_cases(user=investigator, subject=alice).exists()


def test_losing_the_role_stops_reading(investigator, dpo, alice, keystrokes):
    approved_case(investigator, dpo, alice, [keystrokes])
    investigator.groups.clear()
    assert not readable_cases(user=investigator, subject=alice).exists()
