"""Reads of the catalog."""

from django.db.models import Prefetch

from apps.catalog.models import Dataset, Program
from apps.people.models import Employee

EMPLOYEE_SUBJECT = "employee"


def programs_covering(*, employee: Employee) -> list[Program]:
    """Every program whose data subjects include employees, with its datasets.

    Each program carries `datasets_list` (store loaded) in catalog order. The
    catalog is small, so the JSON list is filtered here rather than with a
    JSON lookup that SQLite cannot do.
    """
    datasets = Dataset.objects.select_related("store").prefetch_related("fields")
    programs = Program.objects.prefetch_related(
        Prefetch("datasets", queryset=datasets, to_attr="datasets_list")
    )
    return [p for p in programs if EMPLOYEE_SUBJECT in (p.data_subjects or [])]


def employee_datasets() -> list[Dataset]:
    """Every dataset of a program whose data subjects include employees, in
    catalog order (programs_covering's), with its store and program: one
    query, for what needs the datasets but not their fields (a request's
    scope, worked out each time one is filed)."""
    datasets = Dataset.objects.select_related("store", "program")
    return [d for d in datasets if EMPLOYEE_SUBJECT in (d.program.data_subjects or [])]


def dataset_by_key(*, key: str) -> Dataset | None:
    return (
        Dataset.objects.select_related("store", "program")
        .prefetch_related("fields")
        .filter(key=key)
        .first()
    )
