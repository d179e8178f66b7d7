"""The gateway: every read of monitoring data passes through here.

Each function checks the permission (apps.governance.permissions), raises
Http404 to anyone who may not read (outsiders learn nothing, not even that
the person exists), resolves the subject's identifiers, calls the store's
connector and writes an audit record. Views and tasks never call connectors
for reading personal data directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import Http404

from apps.audit.models import AuditAction
from apps.audit.services import AuditEntry, audit_record_access, audit_record_many
from apps.catalog.models import Dataset
from apps.governance.models import Case
from apps.governance.permissions import may_read_telemetry, telemetry_access_for
from apps.governance.services.common import purpose_text
from apps.people.models import Employee, User
from apps.people.selectors import subject_identifier_map, subject_identifiers
from apps.stores.base import DatasetSummary, Record, StoreError, TimeWindow
from apps.stores.registry import get_connector


@dataclass(frozen=True)
class SummaryResult:
    """A dataset's summary for one subject, or the reason it could not be had."""

    dataset: Dataset
    summary: DatasetSummary | None
    error: str = ""


@dataclass(frozen=True)
class RecordsPage:
    records: list[Record]
    number: int
    per_page: int
    total: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def gateway_subject(*, actor: User, public_id) -> Employee:
    """The employee behind `public_id`, if `actor` may read their data; else 404."""
    employee = Employee.objects.filter(public_id=public_id).first()
    if employee is None or not may_read_telemetry(user=actor, employee=employee):
        raise Http404
    return employee


def _require(actor: User, subject: Employee, dataset: Dataset) -> Case | None:
    """404 unless `actor` may read `subject`'s `dataset` now; the case that
    allows it, if a case does (its window then bounds every read)."""
    allowed, case = telemetry_access_for(user=actor, employee=subject, dataset=dataset)
    if not allowed:
        raise Http404
    if subject.user_id != actor.pk and _restricted(subject, dataset):
        # Art. 18: restricted data is stored, not processed; only the
        # employee still sees their own.
        raise Http404
    return case


def _restricted(subject: Employee, dataset: Dataset) -> bool:
    from apps.rights.selectors import restricted_dataset_ids

    return dataset.pk in restricted_dataset_ids(employee=subject)


def _window(case: Case | None) -> TimeWindow | None:
    if case is None:
        return None
    return TimeWindow(start=case.window_start, end=case.window_end)


def _purpose(case: Case | None, purpose: str) -> str:
    """Under a case, the case's justification is the purpose of every read."""
    return purpose_text(case.justification) if case else purpose


def _case_detail(case: Case | None) -> dict:
    return {"case_id": case.pk} if case else {}


def summary_cache_key(subject: Employee, dataset: Dataset) -> str:
    return f"summary:{subject.pk}:{dataset.pk}"


def _summarize(
    dataset: Dataset, identifiers: list[str], window: TimeWindow | None
) -> SummaryResult:
    try:
        summary = get_connector(dataset.store).summarize(
            dataset, identifiers, window=window
        )
    except StoreError as exc:
        # One store being down must not hide what the others hold.
        return SummaryResult(dataset=dataset, summary=None, error=str(exc))
    return SummaryResult(dataset=dataset, summary=summary)


def gateway_dataset_summaries(
    *, actor: User, subject: Employee, datasets: list[Dataset], purpose: str
) -> list[SummaryResult]:
    """How many records each dataset holds about `subject`, oldest and newest.

    Whole-dataset counts are cached briefly per subject and dataset (a count
    bounded by a case's window never is); every call is audited, cached or
    not, because the actor saw the figures either way.
    """
    cases = {dataset.pk: _require(actor, subject, dataset) for dataset in datasets}
    identifiers = subject_identifier_map(employee=subject)
    keys = {
        dataset.pk: summary_cache_key(subject, dataset)
        for dataset in datasets
        if cases[dataset.pk] is None
    }
    cached = cache.get_many(list(keys.values()))
    results, fresh = [], {}
    for dataset in datasets:
        key = keys.get(dataset.pk)
        if key in cached:
            results.append(SummaryResult(dataset=dataset, summary=cached[key]))
            continue
        ids = identifiers.get(dataset.identifier_kind, [])
        result = _summarize(dataset, ids, _window(cases[dataset.pk]))
        if key and result.summary is not None:
            fresh[key] = result.summary
        results.append(result)
    cache.set_many(fresh, settings.STORE_COUNT_CACHE_SECONDS)
    # One chain append (one lock, one INSERT) for the whole page of counts.
    audit_record_many(
        entries=[
            AuditEntry(
                actor=actor,
                subject=subject,
                action=AuditAction.READ_COUNTS,
                dataset_key=result.dataset.key,
                purpose=_purpose(cases[result.dataset.pk], purpose),
                detail={
                    "count": result.summary.count if result.summary else None,
                    **_case_detail(cases[result.dataset.pk]),
                },
            )
            for result in results
        ]
    )
    return results


def gateway_records_page(
    *,
    actor: User,
    subject: Employee,
    dataset: Dataset,
    number: int,
    per_page: int,
    purpose: str,
) -> RecordsPage:
    """One page of `subject`'s records in `dataset`, newest first. Audited.

    Raises StoreError when the store cannot answer (the caller says so).
    """
    case = _require(actor, subject, dataset)
    window, purpose = _window(case), _purpose(case, purpose)
    identifiers = subject_identifiers(employee=subject, kind=dataset.identifier_kind)
    connector = get_connector(dataset.store)
    total = connector.summarize(dataset, identifiers, window=window).count
    number = min(max(1, number), max(1, math.ceil(total / per_page)))
    records = connector.page(
        dataset,
        identifiers,
        offset=(number - 1) * per_page,
        limit=per_page,
        window=window,
    )
    audit_record_access(
        actor=actor,
        subject=subject,
        action=AuditAction.READ_RECORDS,
        dataset_key=dataset.key,
        purpose=purpose,
        detail={
            "page": number,
            "records": [record.key for record in records],
            **_case_detail(case),
        },
    )
    return RecordsPage(records=records, number=number, per_page=per_page, total=total)


def gateway_open_file(
    *, actor: User, subject: Employee, dataset: Dataset, key: str, purpose: str
) -> Path:
    """The file `key` of `subject` in `dataset`; 404 unless it is theirs. Audited."""
    case = _require(actor, subject, dataset)
    purpose = _purpose(case, purpose)
    identifiers = subject_identifiers(employee=subject, kind=dataset.identifier_kind)
    try:
        path = get_connector(dataset.store).open_file(
            dataset, identifiers, key, window=_window(case)
        )
    except (FileNotFoundError, StoreError) as exc:
        raise Http404 from exc
    audit_record_access(
        actor=actor,
        subject=subject,
        action=AuditAction.READ_FILE,
        dataset_key=dataset.key,
        purpose=purpose,
        detail={"file": key, **_case_detail(case)},
    )
    return path
