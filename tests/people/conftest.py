"""Fixtures for people tests: roster files written row by row."""

from collections.abc import Callable
from pathlib import Path

import pytest

from apps.people.models import Department, Employee, Identifier, User
from apps.people.services import ROSTER_COLUMNS

HEADER = ",".join(ROSTER_COLUMNS)


def row(**cells: str) -> str:
    """A roster line: the columns given, the others empty."""
    return ",".join(cells.get(column, "") for column in ROSTER_COLUMNS)


# A small valid organisation; the manager (E10) comes after her reports.
ROWS = [
    row(
        employee_number="E11",
        work_email="Dana@Example.com",
        full_name="Dana",
        department="Sales",
        manager_employee_number="E10",
        jurisdiction="EU",
        started_on="2024-01-15",
        device_serials="SN-D1;SN-D2",
        os_username="dana",
        chat_handle="@dana",
    ),
    row(
        employee_number="E12",
        work_email="erin@example.com",
        full_name="Erin",
        department="Sales",
        manager_employee_number="E10",
        jurisdiction="UK",
        started_on="2023-03-01",
        left_on="2025-01-31",
        ai_username="erin-ai",
    ),
    row(
        employee_number="E10",
        work_email="frank@example.com",
        full_name="Frank",
        department="Management",
        jurisdiction="US-CA",
    ),
]


@pytest.fixture
def write_roster(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[str], *, header: str = HEADER, name="roster.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return write


def people_rows() -> dict[str, list[tuple]]:
    """Every people row with every column, to compare before and after."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=repr)
        for model in (User, Employee, Department, Identifier)
    }
