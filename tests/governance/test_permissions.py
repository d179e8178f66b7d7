"""The permission module: deny by default, grants are explicit and audited."""

import pytest
from django.contrib.auth.models import Group, Permission

from apps.audit.models import AuditAction, AuditRecord
from apps.governance.models import EmployeeUserObjectPermission
from apps.governance.permissions import (
    may_read_telemetry,
    telemetry_access_grant,
    telemetry_access_revoke,
)
from apps.people.models import User
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def officer(db) -> User:
    return User.objects.create_user("officer", password=DEMO_PASSWORD)


def readable_by(user, employees) -> set[str]:
    return {
        e.employee_number
        for e in employees
        if may_read_telemetry(user=user, employee=e)
    }


def test_each_employee_reads_only_their_own(alice, bob, charlie):
    everyone = [alice, bob, charlie]
    assert readable_by(alice.user, everyone) == {"E00001"}
    assert readable_by(bob.user, everyone) == {"E00002"}
    assert readable_by(charlie.user, everyone) == {"E00003"}


def test_a_grant_opens_exactly_one_employee(officer, alice, bob, charlie):
    telemetry_access_grant(
        granted_by=officer, user=officer, employee=bob, reason="Case 7: leak"
    )
    assert readable_by(officer, [alice, bob, charlie]) == {"E00002"}
    record = AuditRecord.objects.get(action=AuditAction.GRANTED_ACCESS)
    assert (record.actor_id, record.subject_id, record.purpose) == (
        officer.pk,
        bob.pk,
        "Case 7: leak",
    )
    assert record.detail["grantee"] == "officer"


def test_a_grant_without_a_reason_is_refused(officer, bob):
    with pytest.raises(ValueError, match="justification"):
        telemetry_access_grant(
            granted_by=officer, user=officer, employee=bob, reason=" "
        )
    assert not EmployeeUserObjectPermission.objects.exists()
    assert not AuditRecord.objects.exists()


def test_a_revocation_stops_access_at_once(officer, bob):
    telemetry_access_grant(granted_by=officer, user=officer, employee=bob, reason="x")
    assert may_read_telemetry(user=officer, employee=bob)
    telemetry_access_revoke(
        revoked_by=officer, user=officer, employee=bob, reason="done"
    )
    assert not may_read_telemetry(user=officer, employee=bob)
    assert AuditRecord.objects.filter(action=AuditAction.REVOKED_ACCESS).count() == 1


def test_superusers_and_global_permissions_read_nobody(alice, bob):
    root = User.objects.create_superuser("root", password=DEMO_PASSWORD)
    assert readable_by(root, [alice, bob]) == set()
    group = Group.objects.create(name="telemetry-everyone")
    group.permissions.add(Permission.objects.get(codename="view_telemetry"))
    hr = User.objects.create_user("hr", password=DEMO_PASSWORD)
    hr.groups.add(group)
    assert readable_by(hr, [alice, bob]) == set()


def test_an_inactive_user_reads_nothing_not_even_their_own(alice):
    alice.user.is_active = False
    alice.user.save()
    assert not may_read_telemetry(user=alice.user, employee=alice)


def test_grants_die_with_their_employee(officer, bob):
    telemetry_access_grant(granted_by=officer, user=officer, employee=bob, reason="x")
    bob.delete()
    assert not EmployeeUserObjectPermission.objects.exists()
