"""The one module that talks to django-guardian.

Deny by default: a user may read an employee's monitoring data when it is
their own, or when an object permission names that employee. Global
(model-level) permissions and superuser status grant nothing here, so a
group holding `people.view_telemetry` does not see everyone.
"""

from django.db import transaction
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from apps.audit.models import AuditAction
from apps.audit.services import audit_record_access
from apps.people.models import Employee, User

VIEW_TELEMETRY = "people.view_telemetry"


def may_read_telemetry(*, user: User, employee: Employee) -> bool:
    """Whether `user` may read `employee`'s monitoring data right now.

    Checked afresh on every call: guardian caches per checker object, and a
    grant revoked a moment ago must stop access at once.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if employee.user_id == user.pk:
        return True
    granted = get_objects_for_user(
        user,
        VIEW_TELEMETRY,
        klass=Employee.objects.filter(pk=employee.pk),
        accept_global_perms=False,
        with_superuser=False,
    )
    return granted.exists()


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
