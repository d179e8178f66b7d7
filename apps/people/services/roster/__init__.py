"""The HR roster import: checks every row, then applies all of them or none."""

from pathlib import Path

from django.db import transaction

from apps.consent.subjects import identities_refresh_on_commit
from apps.people.models import Employee, Identifier
from apps.people.services.roster.reading import (
    ROSTER_COLUMNS,
    RosterError,
    RosterReader,
    RosterSummary,
)
from apps.people.services.roster.writing import RosterWriter

__all__ = ["ROSTER_COLUMNS", "RosterError", "RosterSummary", "roster_import"]


@transaction.atomic
def roster_import(*, path: Path) -> RosterSummary:
    """Create or update employees from the HR roster CSV at `path`.

    Employees are keyed by employee_number; each gets a user (username: the
    work e-mail in lower case, no usable password), a department, and
    identifier rows that are made to match the file (e-mail and employee
    number included). Every row is checked first, and if any is bad a
    RosterError names each bad line and nothing is written. Employees not in
    the file are left as they are. Rows that match the database are not
    written again, so importing the same file twice changes nothing.
    """
    reader = RosterReader(path)
    reader.read()
    reader.check_across_rows()
    if reader.errors:
        raise RosterError(reader.errors)

    summary = RosterSummary()
    writer = RosterWriter(summary)
    numbers = [r.employee_number for r in reader.rows]
    existing = {
        e.employee_number: e
        for e in Employee.objects.filter(employee_number__in=numbers).select_related(
            "user", "manager"
        )
    }
    summary.not_in_file = Employee.objects.exclude(employee_number__in=numbers).count()

    employees: dict[str, Employee] = {}
    changed: dict[str, bool] = {}
    for row in reader.rows:
        employee, row_changed = writer.employee(row, existing.get(row.employee_number))
        employees[row.employee_number] = employee
        changed[row.employee_number] = (
            row_changed or row.employee_number not in existing
        )

    # Identifiers leave their old owners before anyone gets them, so that a
    # device handed from one employee to another moves in one import.
    current = {
        number: {(i.kind, i.value): i for i in employee.identifiers.all()}
        for number, employee in employees.items()
    }
    removed: list[tuple[str, str]] = []
    for row in reader.rows:
        for pair, identifier in current[row.employee_number].items():
            if pair not in row.identifiers:
                identifier.delete()
                removed.append(pair)
                changed[row.employee_number] = True
    for row in reader.rows:
        employee = employees[row.employee_number]
        for kind, value in sorted(row.identifiers - set(current[row.employee_number])):
            identifier = Identifier(employee=employee, kind=kind, value=value)
            identifier.full_clean()
            identifier.save()
            changed[row.employee_number] = True

    # Managers last: a manager may come later in the file than their reports.
    managers = dict(
        Employee.objects.filter(
            employee_number__in={
                r.manager_number for r in reader.rows if r.manager_number
            }
        ).values_list("employee_number", "pk")
    )
    for row in reader.rows:
        employee = employees[row.employee_number]
        manager_id = managers.get(row.manager_number) if row.manager_number else None
        if employee.manager_id != manager_id:
            employee.manager_id = manager_id
            employee.full_clean()
            employee.save(update_fields=["manager", "updated_at"])
            changed[row.employee_number] = True

    # The consent decision API holds identifiers and leavers in Redis: after
    # commit, rewrite those of changed employees and drop removed ones.
    identities_refresh_on_commit(
        employee_ids=[
            employees[n].pk for n, was_changed in changed.items() if was_changed
        ],
        identifiers=removed,
    )
    for row in reader.rows:
        if row.employee_number not in existing:
            summary.created += 1
        elif changed[row.employee_number]:
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary
