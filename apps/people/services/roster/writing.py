"""Applying checked roster rows to users, employees and identifiers."""

from apps.people.models import Department, Employee, User
from apps.people.services.roster.reading import RosterRow, RosterSummary, _today


class RosterWriter:
    """Applies checked rows; counts what changed."""

    def __init__(self, summary: RosterSummary):
        self.summary = summary
        self.departments = {d.name: d for d in Department.objects.all()}

    def department(self, name: str) -> Department | None:
        if not name:
            return None
        if name not in self.departments:
            department = Department(name=name)
            department.full_clean()
            department.save()
            self.departments[name] = department
            self.summary.departments_created += 1
        return self.departments[name]

    def user(self, row: RosterRow, employee: Employee | None) -> tuple[User, bool]:
        """The row's user, created or updated. A leaver's account is
        deactivated, which ends every session at once (apps.security); the
        rights they keep go through the privacy team."""
        username = row.work_email.lower()
        active = not _leaves(row)
        # What User.clean() would make of it: compare like with like.
        email = User.objects.normalize_email(row.work_email)
        if employee is not None:
            user = employee.user
        else:
            user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=email, is_active=active)
            # People sign in through SSO; the roster never sets a password.
            user.set_unusable_password()
            user.full_clean()
            user.save()
            return user, True
        if (user.username, user.email, user.is_active) != (username, email, active):
            user.username, user.email, user.is_active = username, email, active
            user.full_clean()
            user.save()
            return user, True
        return user, False

    def employee(
        self, row: RosterRow, employee: Employee | None
    ) -> tuple[Employee, bool]:
        user, user_changed = self.user(row, employee)
        values = {
            "work_email": row.work_email,
            "full_name": row.full_name,
            "department": self.department(row.department),
            "jurisdiction": row.jurisdiction,
            "started_on": row.started_on,
            "left_on": row.left_on,
            "is_leaver": _leaves(row),
        }
        if employee is None:
            employee = Employee(
                user=user, employee_number=row.employee_number, **values
            )
            employee.full_clean(exclude=["manager"])
            employee.save()
            return employee, True
        changed = user_changed
        if any(getattr(employee, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(employee, name, value)
            employee.full_clean(exclude=["manager"])
            employee.save()
            changed = True
        return employee, changed


def _leaves(row: RosterRow) -> bool:
    return row.left_on is not None and row.left_on <= _today()
