"""Writing audit records. Insert only: nothing here updates or deletes."""

from typing import Any

from apps.audit.models import AuditRecord
from apps.people.models import Employee, User


def audit_record_access(
    *,
    actor: User,
    subject: Employee | None,
    action: str,
    purpose: str,
    dataset_key: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    return AuditRecord.objects.create(
        actor=actor,
        actor_label=actor.get_username(),
        subject=subject,
        action=action,
        dataset_key=dataset_key,
        purpose=purpose,
        detail=detail or {},
    )
