"""Reads about people."""

from apps.people.models import Employee, Identifier, IdentifierKind, User


def employee_for_user(*, user: User) -> Employee | None:
    """The signed-in user's own employee record, or None for staff without one."""
    if not user.is_authenticated:
        return None
    return Employee.objects.filter(user=user).select_related("department").first()


def subject_identifiers(*, employee: Employee, kind: str) -> list[str]:
    """Every value a store keyed by `kind` may hold for this employee."""
    if kind == IdentifierKind.EMAIL:
        extra = [employee.work_email]
    elif kind == IdentifierKind.EMPLOYEE_NUMBER:
        extra = [employee.employee_number]
    else:
        extra = []
    stored = Identifier.objects.filter(employee=employee, kind=kind).values_list(
        "value", flat=True
    )
    return sorted(set(extra) | set(stored))
