"""Reads of the audit log.

The employee-facing selectors take the signed-in user and derive the
subject from them: there is no way to ask for somebody else's log.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AuditAction, AuditRecord
from apps.catalog.models import Dataset
from apps.governance.roles import role_label
from apps.people.models import User
from apps.people.selectors import employee_for_user

VIEW_AUDIT_LOG = ("audit", "view_auditrecord")


@dataclass(frozen=True)
class AccessEntry:
    """One line of "Who has looked at my data", ready for the template."""

    seq: int
    when: datetime
    who: str
    roles: list[str]
    action: str
    dataset: str
    case_id: str
    request_id: str
    purpose: str
    group: str


def access_log_for_subject(*, user: User) -> QuerySet[AuditRecord]:
    """Records about `user`'s own data written by anyone else, newest first.

    The user's own reads are left out (they are in the log all the same);
    Candor's scheduled work (no actor) is kept. Records of a case whose
    notice to the employee is delayed stay hidden until it is due, so the
    page cannot tip off an investigation. Empty for a user without an
    employee record.
    """
    employee = employee_for_user(user=user)
    if employee is None:
        return AuditRecord.objects.none()
    # Imported here: governance's selectors import this module (audit_officers).
    from apps.governance.selectors.cases import cases_hidden_from_subject

    records = AuditRecord.objects.filter(subject=employee).exclude(actor_id=user.pk)
    hidden = cases_hidden_from_subject(employee=employee)
    if hidden:
        records = records.exclude(detail__case_id__in=sorted(hidden))
    return records.order_by("-created_at", "-seq")


def aggregate_log_for_subject(*, user: User) -> QuerySet[AuditRecord]:
    """Reads of figures about a group covering `user`'s department, newest first.

    Only groups recorded with a department (detail["department_id"]) can be
    matched; empty for a user without an employee record or a department.
    """
    employee = employee_for_user(user=user)
    if employee is None or employee.department_id is None:
        return AuditRecord.objects.none()
    return (
        AuditRecord.objects.filter(
            action=AuditAction.READ_AGGREGATE,
            subject__isnull=True,
            detail__department_id=employee.department_id,
        )
        .exclude(actor_id=user.pk)
        .order_by("-created_at", "-seq")
    )


def access_entries(records: list[AuditRecord]) -> list[AccessEntry]:
    """`records` described for their subject: names, roles, dataset names.

    Three queries whatever the number of records: actors with their groups,
    and datasets by key.
    """
    actor_ids = {record.actor_id for record in records if record.actor_id}
    actors = {
        actor.pk: actor
        for actor in User.objects.filter(pk__in=actor_ids).prefetch_related("groups")
    }
    keys = {record.dataset_key for record in records if record.dataset_key}
    datasets = dict(Dataset.objects.filter(key__in=keys).values_list("key", "name"))
    return [_entry(record, actors.get(record.actor_id), datasets) for record in records]


def _entry(record: AuditRecord, actor: User | None, datasets: dict) -> AccessEntry:
    detail = record.detail if isinstance(record.detail, dict) else {}
    if actor is not None:
        who = actor.get_full_name() or actor.get_username()
        roles = [role_label(group.name) for group in actor.groups.all()]
    elif record.actor_id is None:
        who, roles = str(_("Candor (automatic)")), []
    else:
        # The account is gone; the record keeps the name it had.
        who, roles = record.actor_label, []
    return AccessEntry(
        seq=record.seq,
        when=record.created_at,
        who=who,
        roles=roles,
        action=record.get_action_display(),
        dataset=datasets.get(record.dataset_key, record.dataset_key),
        case_id=str(detail.get("case_id") or ""),
        request_id=str(detail.get("request_id") or ""),
        purpose=record.purpose,
        group=str(detail.get("group") or ""),
    )


def audit_officers() -> QuerySet[User]:
    """Active staff who may read the audit log: they are told when it breaks.

    Holders of the model permission (directly or through a group) and
    superusers; a system read, not one made on anybody's behalf.
    """
    app_label, codename = VIEW_AUDIT_LOG
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    )
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
