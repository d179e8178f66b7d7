"""Cases: open, approve or reject (a DPO, never one's own), close, expire.

Approval grants `governance.read_under_case` on the case to its requester
(apps.governance.permissions); closing, expiry and rejection leave no grant.
Every step is audited with the case's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit.services import audit_record_access
from apps.catalog.models import Dataset
from apps.governance import actions
from apps.governance.models import Case, CaseStatus
from apps.governance.permissions import (
    case_access_grant,
    case_access_revoke,
    has_capability,
)
from apps.governance.services.common import now, purpose_text
from apps.people.models import Employee, User

OPEN_CASE = "governance.open_case"
DECIDE_CASE = "governance.decide_case"


def _audit(case: Case, *, actor: User | None, action: str, **detail) -> None:
    audit_record_access(
        actor=actor,
        subject=case.subject,
        action=action,
        purpose=purpose_text(case.justification),
        detail={"case_id": case.pk, **detail},
    )


@transaction.atomic
def case_open(
    *,
    requester: User,
    subject: Employee,
    datasets: Iterable[Dataset],
    window_start: dt.datetime,
    window_end: dt.datetime,
    justification: str,
    notify_delay_days: int = 0,
    notify_delay_reason: str = "",
) -> Case:
    """Ask to read `subject`'s `datasets` (records in [start, end)).

    Only security investigators and privacy officers open cases; a case
    needs a justification, at least one dataset and a non-empty window, and
    a delay before the employee is told needs its reason.
    """
    if not has_capability(user=requester, perm=OPEN_CASE):
        raise PermissionDenied(_("Only investigators and privacy officers open cases."))
    if subject.user_id == requester.pk:
        raise ValidationError(_("Your own data needs no case."), code="own")
    datasets = list(datasets)
    if not datasets:
        raise ValidationError(_("Name at least one dataset."), code="no_datasets")
    case = Case(
        requester=requester,
        subject=subject,
        window_start=window_start,
        window_end=window_end,
        justification=justification.strip(),
        notify_delay_days=notify_delay_days,
        notify_delay_reason=notify_delay_reason.strip(),
    )
    case.full_clean()
    case.save()
    case.datasets.set(datasets)
    _audit(
        case,
        actor=requester,
        action=actions.CASE_OPENED,
        datasets=sorted(d.key for d in datasets),
        window=[window_start.isoformat(), window_end.isoformat()],
    )
    return case


def _decidable(case: Case, decider: User) -> Case:
    """The case locked for a decision; refusals say why."""
    if not has_capability(user=decider, perm=DECIDE_CASE):
        raise PermissionDenied(_("Only a DPO decides cases."))
    locked = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
    if locked.requester_id == decider.pk:
        raise ValidationError(_("Nobody decides their own case."), code="own_case")
    if locked.status != CaseStatus.REQUESTED:
        raise ValidationError(_("This case was already decided."), code="decided")
    return locked


@transaction.atomic
def case_approve(*, case: Case, approver: User, reason: str = "") -> Case:
    """Approve: the requester may read under the case until it expires
    (settings.GOVERNANCE_CASE_DAYS). The employee is told at once, or after
    the case's recorded delay (tasks send the notice)."""
    case = _decidable(case, approver)
    decided = now()
    case.status = CaseStatus.APPROVED
    case.approver = approver
    case.decided_at = decided
    case.decision_reason = reason.strip()
    case.expires_at = decided + dt.timedelta(days=settings.GOVERNANCE_CASE_DAYS)
    case.notify_subject_after = decided + dt.timedelta(days=case.notify_delay_days)
    case.full_clean()
    case.save()
    case_access_grant(case=case)
    _audit(
        case,
        actor=approver,
        action=actions.CASE_APPROVED,
        requester=case.requester.get_username(),
        datasets=sorted(case.datasets.values_list("key", flat=True)),
        expires_at=case.expires_at.isoformat(),
        notify_subject_after=case.notify_subject_after.isoformat(),
    )
    if case.notify_delay_days == 0:
        from apps.governance.tasks import send_case_notice

        send_case_notice.delay_on_commit(case.pk)
    return case


@transaction.atomic
def case_reject(*, case: Case, approver: User, reason: str) -> Case:
    """Reject with a reason; nothing is granted."""
    if not reason.strip():
        raise ValidationError(_("Say why the case is rejected."), code="no_reason")
    case = _decidable(case, approver)
    case.status = CaseStatus.REJECTED
    case.approver = approver
    case.decided_at = now()
    case.decision_reason = reason.strip()
    case.full_clean()
    case.save()
    _audit(case, actor=approver, action=actions.CASE_REJECTED, reason=reason.strip())
    return case


def _end(
    case: Case, *, status: str, actor: User | None, action: str, reason: str
) -> Case:
    case.status = status
    case.closed_at = now()
    case.close_reason = reason
    case.full_clean()
    case.save()
    case_access_revoke(case=case)
    _audit(case, actor=actor, action=action, reason=reason)
    return case


@transaction.atomic
def case_close(*, case: Case, closed_by: User, reason: str) -> Case:
    """End a requested or approved case early; reads stop at once.

    The requester closes their own case; a DPO closes any.
    """
    case = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
    may = case.requester_id == closed_by.pk or has_capability(
        user=closed_by, perm=DECIDE_CASE
    )
    if not may:
        raise PermissionDenied(_("Only the requester or a DPO closes a case."))
    if case.status not in (CaseStatus.REQUESTED, CaseStatus.APPROVED):
        raise ValidationError(_("This case is no longer open."), code="ended")
    if not reason.strip():
        raise ValidationError(_("Say why the case is closed."), code="no_reason")
    return _end(
        case,
        status=CaseStatus.CLOSED,
        actor=closed_by,
        action=actions.CASE_CLOSED,
        reason=reason.strip(),
    )


def case_expire_due() -> list[int]:
    """Expire every approved case past its expiry and remove its grant.

    One short transaction per case, each re-checked under a row lock, so a
    case closed meanwhile is left alone. Returns the ids expired.
    """
    due = Case.objects.filter(
        status=CaseStatus.APPROVED, expires_at__lte=now()
    ).values_list("pk", flat=True)
    expired = []
    for pk in list(due):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update()
                .select_related("subject")
                .filter(pk=pk, status=CaseStatus.APPROVED, expires_at__lte=now())
                .first()
            )
            if case is None:
                continue
            _end(
                case,
                status=CaseStatus.EXPIRED,
                actor=None,  # Candor's own scheduled work
                action=actions.CASE_EXPIRED,
                reason="Expired",
            )
            expired.append(pk)
    return expired
