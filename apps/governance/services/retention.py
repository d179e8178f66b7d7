"""Retention: delete what is older than each program allows, and leavers'
data after the leaver period, never what a legal hold keeps.

All deletion goes through the store connectors (set-based, batched); every
run leaves a RetentionRun with one entry per dataset (and per leaver) that
says what was removed and what was kept for a hold.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.audit.services import audit_record_access
from apps.catalog.models import Dataset, Program
from apps.governance import actions
from apps.governance.models import (
    RetentionEntry,
    RetentionEntryKind,
    RetentionRun,
    RetentionRunStatus,
)
from apps.governance.selectors.holds import held_datasets_for, held_identifiers
from apps.governance.services.common import now, purpose_text
from apps.people.models import Employee
from apps.people.selectors import subject_identifiers
from apps.stores.base import StoreError, TimeWindow
from apps.stores.registry import get_connector

# A run still "running" after this long lost its worker (the task's hard
# time limit is far shorter): it is marked failed so the next can start.
STALE_AFTER = dt.timedelta(hours=3)


def _claim() -> RetentionRun | None:
    started = now()
    RetentionRun.objects.filter(
        status=RetentionRunStatus.RUNNING, started_at__lt=started - STALE_AFTER
    ).update(
        status=RetentionRunStatus.FAILED,
        finished_at=started,
        last_error="Abandoned: the worker stopped before finishing.",
    )
    try:
        with transaction.atomic():
            return RetentionRun.objects.create(started_at=started)
    except IntegrityError:
        return None  # Another run is under way.


def retention_run_all(*, batch_size: int | None = None) -> RetentionRun | None:
    """One retention pass over every dataset and every leaver.

    Returns the run, or None when another run is under way. A store that
    fails is recorded on its entry and the pass goes on with the others.
    """
    run = _claim()
    if run is None:
        return None
    batch = batch_size or settings.GOVERNANCE_RETENTION_BATCH_SIZE
    datasets = Dataset.objects.select_related("program", "store").order_by("key")
    for dataset in datasets:
        _by_age(run, dataset, batch)
    for program in Program.objects.filter(leaver_retention_days__isnull=False):
        _leavers(run, program, batch)
    errors = list(run.entries.exclude(error="").values_list("error", flat=True))
    run.status = RetentionRunStatus.FAILED if errors else RetentionRunStatus.SUCCEEDED
    run.last_error = errors[-1] if errors else ""
    run.finished_at = now()
    run.save(update_fields=["status", "last_error", "finished_at"])
    return run


def _by_age(run: RetentionRun, dataset: Dataset, batch: int) -> RetentionEntry:
    cutoff = run.started_at - dt.timedelta(days=dataset.program.retention_days)
    held, held_people = held_identifiers(dataset=dataset)
    entry = RetentionEntry(
        run=run,
        kind=RetentionEntryKind.AGE,
        dataset=dataset,
        dataset_key=dataset.key,
        cutoff=cutoff,
        held_employees=held_people,
    )
    connector = get_connector(dataset.store)
    try:
        if held:
            entry.skipped_for_hold = connector.summarize(
                dataset, held, window=TimeWindow(end=cutoff)
            ).count
        entry.deleted = connector.erase_older_than(
            dataset, cutoff, batch_size=batch, exclude_identifiers=held
        )
    except StoreError as exc:
        entry.error = str(exc)
    if entry.skipped_for_hold:
        entry.note = f"{held_people} employee(s) under legal hold"
    entry.save()
    if entry.deleted:
        audit_record_access(
            actor=None,  # Candor's own scheduled work
            subject=None,
            action=actions.RETENTION_ERASED,
            purpose=f"Retention: older than {dataset.program.retention_days} days",
            dataset_key=dataset.key,
            detail=_detail(entry),
        )
    return entry


def _leavers(run: RetentionRun, program: Program, batch: int) -> None:
    period = dt.timedelta(days=program.leaver_retention_days)
    left_before = (run.started_at - period).date()
    leavers = Employee.objects.filter(is_leaver=True, left_on__lt=left_before)
    datasets = list(program.datasets.select_related("store").order_by("key"))
    for employee in leavers.order_by("pk"):
        held = held_datasets_for(employee=employee)
        for dataset in datasets:
            _leaver_dataset(run, employee, dataset, held.get(dataset.pk), batch)


def _leaver_dataset(run, employee, dataset, hold, batch) -> None:
    identifiers = subject_identifiers(employee=employee, kind=dataset.identifier_kind)
    entry = RetentionEntry(
        run=run,
        kind=RetentionEntryKind.LEAVER,
        dataset=dataset,
        dataset_key=dataset.key,
        employee=employee,
    )
    connector = get_connector(dataset.store)
    try:
        if hold is not None:
            entry.skipped_for_hold = connector.summarize(dataset, identifiers).count
            entry.held_employees = 1
            entry.note = purpose_text(f"Legal hold #{hold.pk}: {hold.reason}")
        else:
            entry.deleted = connector.erase(dataset, identifiers, batch_size=batch)
    except StoreError as exc:
        entry.error = str(exc)
    if not (entry.deleted or entry.skipped_for_hold or entry.error):
        return  # Purged on an earlier run: nothing to report.
    entry.save()
    if entry.deleted:
        audit_record_access(
            actor=None,  # Candor's own scheduled work
            subject=employee,
            action=actions.LEAVER_DATA_PURGED,
            purpose=f"Leaver: left more than {dataset.program.leaver_retention_days} "
            "days ago",
            dataset_key=dataset.key,
            detail=_detail(entry),
        )


def _detail(entry: RetentionEntry) -> dict:
    return {
        "retention_run_id": entry.run_id,
        "deleted": entry.deleted,
        "skipped_for_hold": entry.skipped_for_hold,
        "cutoff": entry.cutoff.isoformat() if entry.cutoff else None,
    }
