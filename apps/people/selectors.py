"""Reads about people."""

from apps.people.models import Employee, Identifier, IdentifierKind, User


def employee_for_user(*, user: User) -> Employee | None:
    """The signed-in user's own employee record, or None for staff without one."""
    if not user.is_authenticated:
        return None
    return Employee.objects.filter(user=user).select_related("department").first()


def subject_identifier_map(*, employee: Employee) -> dict[str, list[str]]:
    """Every identifier of this employee by kind, in one query.

    E-mail and employee number come from the employee record as well as
    from the Identifier rows that mirror them, so a store keyed on either is
    matched even before the mirror is written.
    """
    found: dict[str, set[str]] = {
        IdentifierKind.EMAIL: {employee.work_email},
        IdentifierKind.EMPLOYEE_NUMBER: {employee.employee_number},
    }
    rows = Identifier.objects.filter(employee=employee).values_list("kind", "value")
    for kind, value in rows:
        found.setdefault(kind, set()).add(value)
    return {kind: sorted(values) for kind, values in found.items()}


def subject_identifiers(*, employee: Employee, kind: str) -> list[str]:
    """Every value a store keyed by `kind` may hold for this employee."""
    return subject_identifier_map(employee=employee).get(kind, [])
