"""Legal holds: placed and released by officers, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit.services import audit_record_access
from apps.catalog.models import Dataset
from apps.governance import actions
from apps.governance.models import LegalHold
from apps.governance.permissions import has_capability
from apps.governance.services.common import now, purpose_text
from apps.people.models import Employee, User

MANAGE_HOLDS = "governance.manage_legal_holds"


@transaction.atomic
def legal_hold_place(
    *,
    placed_by: User,
    employee: Employee,
    reason: str,
    datasets: Iterable[Dataset] = (),
    all_datasets: bool = False,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> LegalHold:
    """Keep `employee`'s data in `datasets` (or all) from erasure and retention."""
    if not has_capability(user=placed_by, perm=MANAGE_HOLDS):
        raise PermissionDenied(_("Only officers place legal holds."))
    datasets = list(datasets)
    if not all_datasets and not datasets:
        raise ValidationError(
            _("Name the datasets to hold, or hold every dataset."), code="no_scope"
        )
    hold = LegalHold(
        employee=employee,
        all_datasets=all_datasets,
        reason=reason.strip(),
        placed_by=placed_by,
        starts_at=starts_at or now(),
        ends_at=ends_at,
    )
    hold.full_clean()
    hold.save()
    if not all_datasets:
        hold.datasets.set(datasets)
    audit_record_access(
        actor=placed_by,
        subject=employee,
        action=actions.LEGAL_HOLD_PLACED,
        purpose=purpose_text(hold.reason),
        detail={
            "hold_id": hold.pk,
            "datasets": "all" if all_datasets else sorted(d.key for d in datasets),
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
    )
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, released_by: User, reason: str) -> LegalHold:
    """End a hold now; erasure and retention reach the data again."""
    if not has_capability(user=released_by, perm=MANAGE_HOLDS):
        raise PermissionDenied(_("Only officers release legal holds."))
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError(_("This hold was already released."), code="released")
    hold.released_at = now()
    hold.released_by = released_by
    hold.release_reason = reason.strip()
    hold.full_clean()
    hold.save()
    audit_record_access(
        actor=released_by,
        subject=hold.employee,
        action=actions.LEGAL_HOLD_RELEASED,
        purpose=purpose_text(hold.release_reason),
        detail={"hold_id": hold.pk},
    )
    return hold
