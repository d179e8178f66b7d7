"""Which data is under a legal hold right now."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from apps.catalog.models import Dataset
from apps.governance.models import LegalHold
from apps.governance.permissions import has_capability
from apps.governance.services.common import now
from apps.people.models import Employee, User
from apps.people.selectors import subject_identifiers


def active_holds(*, at: dt.datetime | None = None) -> QuerySet[LegalHold]:
    """Holds in force at `at` (now): started, not ended, not released."""
    at = at or now()
    return LegalHold.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at),
        starts_at__lte=at,
        released_at__isnull=True,
    )


def held_datasets_for(*, employee: Employee) -> dict[int, LegalHold]:
    """{dataset id: the hold that keeps it} for `employee`, right now.

    For the rights engine and retention: erasure must skip these datasets
    and say why (the hold's reason). A hold on every dataset covers each
    dataset in the catalog; with several holds, the earliest placed wins.
    """
    held: dict[int, LegalHold] = {}
    holds = active_holds().filter(employee=employee).order_by("starts_at", "pk")
    all_ids = None
    for hold in holds.prefetch_related("datasets"):
        if hold.all_datasets:
            if all_ids is None:
                all_ids = list(Dataset.objects.values_list("pk", flat=True))
            ids = all_ids
        else:
            ids = [d.pk for d in hold.datasets.all()]
        for pk in ids:
            held.setdefault(pk, hold)
    return held


def held_identifiers(*, dataset: Dataset) -> tuple[list[str], int]:
    """The identifiers of everyone whose data in `dataset` is on hold, and
    how many people that is (what retention must leave alone)."""
    holds = active_holds().filter(Q(all_datasets=True) | Q(datasets=dataset))
    employees = Employee.objects.filter(pk__in=holds.values("employee"))
    values: set[str] = set()
    kind = dataset.identifier_kind
    for employee in employees:
        values.update(subject_identifiers(employee=employee, kind=kind))
    return sorted(values), employees.count()


def holds_for_officer(*, user: User) -> list[LegalHold]:
    """Every hold, newest first, for those whose role reads holds; else []."""
    if not has_capability(user=user, perm="governance.view_legal_holds"):
        return []
    return list(
        LegalHold.objects.select_related("employee", "placed_by", "released_by")
        .prefetch_related("datasets")
        .order_by("-created_at", "-pk")
    )


def hold_for_manager(*, user: User, pk: int) -> LegalHold | None:
    """The hold `pk` if `user` may release it; else None (the view says 404)."""
    if not has_capability(user=user, perm="governance.manage_legal_holds"):
        return None
    return LegalHold.objects.select_related("employee").filter(pk=pk).first()
