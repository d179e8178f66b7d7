"""Telling an employee that a case opened their data to someone."""

from __future__ import annotations

from django.db import transaction

from apps.audit.services import audit_record_access
from apps.governance import actions
from apps.governance.emails import send_templated
from apps.governance.models import Case, CaseStatus
from apps.governance.services.common import now, purpose_text


def case_notify_subject(*, case_id: int) -> bool:
    """E-mail the case's employee, once, when the notice is due.

    Claimed with a conditional UPDATE so two workers never both send; if
    sending fails the claim is undone and the beat task tries again.
    Returns whether this call sent the notice.
    """
    claimed_at = now()
    claimed = Case.objects.filter(
        pk=case_id,
        subject_notified_at__isnull=True,
        notify_subject_after__lte=claimed_at,
        status__in=[CaseStatus.APPROVED, CaseStatus.EXPIRED, CaseStatus.CLOSED],
    ).update(subject_notified_at=claimed_at)
    if not claimed:
        return False
    case = Case.objects.select_related("subject", "requester").get(pk=case_id)
    try:
        send_templated(
            "case-notice",
            to=case.subject.work_email,
            context={
                "case": case,
                "employee": case.subject,
                "datasets": list(case.datasets.order_by("name")),
            },
        )
    except Exception:
        Case.objects.filter(pk=case_id).update(subject_notified_at=None)
        raise
    with transaction.atomic():
        audit_record_access(
            actor=None,  # Candor's own scheduled work
            subject=case.subject,
            action=actions.CASE_SUBJECT_NOTIFIED,
            purpose=purpose_text(case.justification),
            detail={"case_id": case.pk, "delay_days": case.notify_delay_days},
        )
    return True


def case_notices_due() -> list[int]:
    """Ids of decided cases whose notice is due and not yet sent."""
    return list(
        Case.objects.filter(
            subject_notified_at__isnull=True,
            notify_subject_after__lte=now(),
        ).values_list("pk", flat=True)
    )
