"""The one module that talks to django-guardian.

Deny by default: a user may read an employee's monitoring data when it is
their own, when an object permission names that employee, or when they hold
`governance.read_under_case` on an approved, unexpired case about that
employee (and then only the case's datasets within its time window).
Global (model-level) permissions and superuser status grant nothing here:
every guardian query passes accept_global_perms=False and
with_superuser=False, so a group holding `people.view_telemetry` or
`governance.read_under_case` model-wide sees no one.

Nothing is cached between calls: guardian caches per checker object, and a
grant revoked a moment ago must stop access at once.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.catalog.models import Dataset
from apps.governance.models import (
    Case,
    CaseStatus,
    CaseUserObjectPermission,
    EmployeeGroupObjectPermission,
    EmployeeUserObjectPermission,
)
from apps.governance.roles import EMPLOYEE, ROLES
from apps.people.models import Employee, User

VIEW_TELEMETRY = "people.view_telemetry"
READ_UNDER_CASE = "governance.read_under_case"
OPEN_CASE = "governance.open_case"
STAFF_ROLES = frozenset(ROLES) - {EMPLOYEE.name}


def has_capability(*, user: User, perm: str) -> bool:
    """Whether one of `user`'s roles (groups) holds `perm` ("app.codename").

    Only group permissions count: every capability comes from a documented
    role (apps.governance.roles), and superuser status grants none.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    app_label, _, codename = perm.partition(".")
    return Permission.objects.filter(
        group__user=user, content_type__app_label=app_label, codename=codename
    ).exists()


def is_staff_member(user: User) -> bool:
    """Staff, for the second factor, step-up and the shorter idle limit: the
    is_staff or is_superuser flag, or any role (group) but the employee's."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_ROLES).exists()


def _granted_employees(user: User, employee: Employee) -> QuerySet[Employee]:
    return get_objects_for_user(
        user,
        VIEW_TELEMETRY,
        klass=Employee.objects.filter(pk=employee.pk),
        accept_global_perms=False,
        with_superuser=False,
    )


def readable_cases(
    *, user: User, subject: Employee, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """The approved, unexpired cases about `subject` that open data to `user`.

    Needs the object permission on the case and, still, a role that may open
    cases: someone who changed job stops reading at once.
    """
    if not has_capability(user=user, perm=OPEN_CASE):
        return Case.objects.none()
    live = Case.objects.filter(
        subject=subject,
        status=CaseStatus.APPROVED,
        expires_at__gt=now or timezone.now(),
    )
    return get_objects_for_user(
        user,
        READ_UNDER_CASE,
        klass=live,
        accept_global_perms=False,
        with_superuser=False,
    )


def may_read_telemetry(*, user: User, employee: Employee) -> bool:
    """Whether `user` may read some of `employee`'s monitoring data right now:
    their own, a direct grant, or a live case about them."""
    if not user.is_authenticated or not user.is_active:
        return False
    if employee.user_id == user.pk:
        return True
    if _granted_employees(user, employee).exists():
        return True
    return readable_cases(user=user, subject=employee).exists()


def telemetry_access_for(
    *, user: User, employee: Employee, dataset: Dataset
) -> tuple[bool, Case | None]:
    """(allowed, case): whether `user` may read `employee`'s `dataset`, and
    the case that allows it when it is a case (then only its time window).

    Own data and direct grants come first and carry no window. Among several
    live cases covering the dataset, the most recently approved one decides.
    """
    if not user.is_authenticated or not user.is_active:
        return False, None
    if employee.user_id == user.pk or _granted_employees(user, employee).exists():
        return True, None
    case = (
        readable_cases(user=user, subject=employee)
        .filter(datasets=dataset)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return case is not None, case


def case_access_grant(*, case: Case) -> None:
    """Let the case's requester read under it (the caller audits the decision)."""
    assign_perm(READ_UNDER_CASE, case.requester, case)


def case_access_revoke(*, case: Case) -> None:
    """Withdraw the case's grant; reads stop at once."""
    remove_perm(READ_UNDER_CASE, case.requester, case)


def case_access_holders(*, case: Case) -> list[int]:
    """Ids of the users holding the case's object permission (for tests/reports)."""
    return sorted(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename="read_under_case"
        ).values_list("user_id", flat=True)
    )


def telemetry_user_grants() -> QuerySet[EmployeeUserObjectPermission]:
    """Every direct grant of `people.view_telemetry` to a user, with both ends."""
    return EmployeeUserObjectPermission.objects.filter(
        permission__codename="view_telemetry",
        permission__content_type__app_label="people",
    ).select_related("user", "content_object")


def telemetry_group_grants() -> QuerySet[EmployeeGroupObjectPermission]:
    """Every grant of `people.view_telemetry` to a group, with both ends."""
    return EmployeeGroupObjectPermission.objects.filter(
        permission__codename="view_telemetry",
        permission__content_type__app_label="people",
    ).select_related("group", "content_object")


@transaction.atomic
def telemetry_access_grant(
    *, granted_by: User, user: User, employee: Employee, reason: str
) -> None:
    """Let `user` read `employee`'s monitoring data. Audited; needs a reason."""
    if not reason.strip():
        raise ValueError("A grant needs a justification.")
    assign_perm(VIEW_TELEMETRY, user, employee)
    audit_record_access(
        actor=granted_by,
        subject=employee,
        action=AuditAction.GRANTED_ACCESS,
        purpose=reason,
        detail={"grantee": user.get_username(), "permission": VIEW_TELEMETRY},
    )


@transaction.atomic
def telemetry_access_revoke(
    *, revoked_by: User, user: User, employee: Employee, reason: str
) -> None:
    """Withdraw a grant made by telemetry_access_grant. Audited."""
    remove_perm(VIEW_TELEMETRY, user, employee)
    audit_record_access(
        actor=revoked_by,
        subject=employee,
        action=AuditAction.REVOKED_ACCESS,
        purpose=reason,
        detail={"grantee": user.get_username(), "permission": VIEW_TELEMETRY},
    )
