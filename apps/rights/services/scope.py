"""Which datasets a request reaches, and whether the employee is in them."""

from __future__ import annotations

from collections.abc import Iterable

from apps.catalog.models import Dataset, Program
from apps.catalog.selectors import employee_datasets
from apps.people.models import Employee
from apps.people.selectors import subject_identifier_map


class ScopeError(ValueError):
    """The chosen scope does not fit the employee; the message says why."""


def covered_datasets(*, employee: Employee) -> list[Dataset]:
    """Every dataset of every program covering employees in which `employee`
    can be found (the catalog keys it on an identifier they have)."""
    kinds = {
        k for k, values in subject_identifier_map(employee=employee).items() if values
    }
    return [d for d in employee_datasets() if d.identifier_kind in kinds]


def scope_datasets(
    *,
    employee: Employee,
    all_programs: bool,
    programs: Iterable[Program] = (),
    datasets: Iterable[Dataset] = (),
) -> list[Dataset]:
    """The datasets a request with this scope reaches, in catalog order,
    copies included: a dataset derived from one in scope (an AI training
    corpus built from chat) is in scope too.

    Raises ScopeError for a program or dataset that holds nothing about
    `employee`, or an empty scope.
    """
    covered = covered_datasets(employee=employee)
    by_pk = {d.pk: d for d in covered}
    if all_programs:
        chosen = set(by_pk)
    else:
        chosen: set[int] = set()
        for program in programs:
            found = {d.pk for d in covered if d.program_id == program.pk}
            if not found:
                raise ScopeError(
                    f"The program “{program.name}” holds nothing about you."
                )
            chosen |= found
        for dataset in datasets:
            if dataset.pk not in by_pk:
                raise ScopeError(
                    f"The dataset “{dataset.name}” holds nothing about you."
                )
            chosen.add(dataset.pk)
        if not chosen:
            raise ScopeError("Choose at least one program or dataset.")
    keys = {by_pk[pk].key for pk in chosen}
    grew = True
    while grew:
        copies = {
            d.pk
            for d in covered
            if d.pk not in chosen and keys.intersection(d.derived_from or [])
        }
        grew = bool(copies)
        chosen |= copies
        keys |= {by_pk[pk].key for pk in copies}
    return [d for d in covered if d.pk in chosen]
