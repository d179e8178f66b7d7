"""Writes of the reports app: the DPIA register, bundles, export audit records."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import audit_record_access
from apps.catalog.models import DpiaStatus, Program
from apps.governance.permissions import has_capability
from apps.people.models import User
from apps.reports import actions
from apps.reports.bundles import bundle_write
from apps.reports.models import Bundle, BundleStatus, DpiaEntry

logger = logging.getLogger(__name__)
RECEIVE_BUNDLE = "reports.receive_bundle"
# A RUNNING bundle older than this lost its worker: it may be claimed again.
STALE_AFTER = dt.timedelta(minutes=15)


def export_record(
    *,
    actor: User,
    report: str,
    fmt: str,
    rows: int,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit one export (a page's download, a bundle's preparation)."""
    audit_record_access(
        actor=actor,
        subject=None,
        action=actions.REPORT_EXPORTED,
        purpose=f"Exported {report} ({fmt})",
        dataset_key=f"reports.{report}",
        detail={"report": report, "format": fmt, "rows": rows, **(detail or {})},
    )


@transaction.atomic
def dpia_entry_update(
    *,
    program: Program,
    actor: User,
    status: str,
    reviewer: User | None = None,
    started_on: dt.date | None = None,
    decided_on: dt.date | None = None,
    document_url: str = "",
    review_due_on: dt.date | None = None,
    notes: str = "",
) -> DpiaEntry:
    """Create or update `program`'s register entry and mirror its status onto
    Program.dpia_status. An approval or rejection needs a reviewer and a date
    (the reviewer defaults to `actor`, the date to today)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    entry = DpiaEntry.objects.filter(program=program).first() or DpiaEntry(
        program=program
    )
    if status in (DpiaStatus.APPROVED, DpiaStatus.REJECTED):
        reviewer = reviewer or actor
        decided_on = decided_on or timezone.localdate()
    entry.status = status
    entry.reviewer = reviewer
    entry.started_on = started_on
    entry.decided_on = decided_on
    entry.document_url = document_url
    entry.review_due_on = review_due_on
    entry.notes = notes
    entry.full_clean()
    entry.save()
    if program.dpia_status != status:
        program.dpia_status = status
        program.full_clean()
        program.save(update_fields=["dpia_status", "updated_at"])
    return entry


@transaction.atomic
def bundle_request(
    *,
    requested_by: User,
    recipient: User,
    period_start: dt.date,
    period_end: dt.date,
    note: str = "",
) -> Bundle:
    """Record a bundle for `recipient` (a regulator) and build it after commit."""
    if not has_capability(user=recipient, perm=RECEIVE_BUNDLE):
        raise ValidationError({"recipient": _("Bundles go to regulators only.")})
    bundle = Bundle(
        recipient=recipient,
        requested_by=requested_by,
        period_start=period_start,
        period_end=period_end,
        note=note,
    )
    bundle.full_clean()
    bundle.save()
    audit_record_access(
        actor=requested_by,
        subject=None,
        action=actions.BUNDLE_REQUESTED,
        purpose="Prepared an evidence bundle for a regulator",
        dataset_key="reports.bundle",
        detail={
            "bundle": str(bundle.public_id),
            "recipient": recipient.get_username(),
            "period": f"{period_start}..{period_end}",
        },
    )
    from apps.reports.tasks import build_bundle

    build_bundle.delay_on_commit(bundle.pk)
    return bundle


def _claim(bundle_id: int) -> bool:
    now = timezone.now()
    pending = Bundle.objects.filter(pk=bundle_id, status=BundleStatus.PENDING)
    stale = Bundle.objects.filter(
        pk=bundle_id, status=BundleStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    fields = {"status": BundleStatus.RUNNING, "started_at": now, "progress": 0}
    return bool(pending.update(**fields) or stale.update(**fields))


def bundle_build(*, bundle_id: int) -> Bundle | None:
    """Claim a pending bundle and build it: READY with its file and hash, or
    FAILED with the error. None when another worker has it (or it is done).

    Not one transaction: progress must be visible while it runs.
    """
    if not _claim(bundle_id):
        return None
    bundle = Bundle.objects.select_related("recipient").get(pk=bundle_id)
    name = f"{bundle.public_id}.zip"
    path = Path(settings.REPORTS_BUNDLE_DIR) / name

    def progress(percent: int) -> None:
        Bundle.objects.filter(pk=bundle_id).update(progress=percent)

    try:
        digest = bundle_write(bundle=bundle, path=path, progress=progress)
    except Exception as exc:
        logger.exception("Bundle %s failed", bundle.public_id)
        Bundle.objects.filter(pk=bundle_id).update(
            status=BundleStatus.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    Bundle.objects.filter(pk=bundle_id).update(
        status=BundleStatus.READY,
        progress=100,
        file_name=name,
        size=path.stat().st_size,
        sha256=digest,
        last_error="",
        finished_at=timezone.now(),
    )
    bundle.refresh_from_db()
    return bundle


def bundle_downloaded(*, bundle: Bundle, actor: User) -> None:
    """Audit a download of `bundle`."""
    audit_record_access(
        actor=actor,
        subject=None,
        action=actions.BUNDLE_DOWNLOADED,
        purpose="Downloaded an evidence bundle",
        dataset_key="reports.bundle",
        detail={"bundle": str(bundle.public_id), "sha256": bundle.sha256},
    )
