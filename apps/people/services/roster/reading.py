"""Reading the roster CSV: every row checked, every problem reported by line."""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.people.models import (
    Employee,
    Identifier,
    IdentifierKind,
    User,
    identifier_normal,
)

ROSTER_COLUMNS = (
    "employee_number",
    "work_email",
    "full_name",
    "department",
    "manager_employee_number",
    "jurisdiction",
    "started_on",
    "left_on",
    "device_serials",
    "os_username",
    "chat_handle",
    "ai_username",
)
JURISDICTIONS = ("EU", "UK", "US-CA")
# What the database holds; a longer value is reported with the other problems
# rather than failing half-way through the import. The e-mail is also the
# username, which is shorter than an e-mail field.
MAX_LENGTHS = {
    "employee_number": 64,
    "work_email": 150,
    "full_name": 200,
    "department": 200,
}
IDENTIFIER_MAX_LENGTH = 255
# Roster columns holding identifiers other than e-mail and employee number.
IDENTIFIER_COLUMNS = {
    "device_serials": IdentifierKind.DEVICE_SERIAL,
    "os_username": IdentifierKind.OS_USERNAME,
    "chat_handle": IdentifierKind.CHAT_HANDLE,
    "ai_username": IdentifierKind.AI_USERNAME,
}


class RosterError(Exception):
    """A roster cannot be imported; `errors` lists every bad row."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class RosterSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Employees in the database but not in the file: left as they are.
    not_in_file: int = 0
    departments_created: int = 0

    def lines(self) -> list[str]:
        return [
            _(
                "employees: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged"
            )
            % vars(self),
            _("departments created: %(n)d") % {"n": self.departments_created},
            _("employees not in the file (left unchanged): %(n)d")
            % {"n": self.not_in_file},
        ]


@dataclass
class RosterRow:
    line: int
    employee_number: str
    work_email: str
    full_name: str
    department: str
    manager_number: str
    jurisdiction: str
    started_on: datetime.date | None
    left_on: datetime.date | None
    # (kind, value) pairs, e-mail and employee number included.
    identifiers: set[tuple[str, str]] = field(default_factory=set)


def _today() -> datetime.date:  # a seam for tests
    """A seam for tests."""
    return timezone.localdate()


class RosterReader:
    """Reads and checks the rows of a roster without writing anything."""

    def __init__(self, path: Path):
        self.name = path.name
        self.path = path
        self.errors: list[str] = []
        self.rows: list[RosterRow] = []
        # Every employee number in the file, bad rows' too, so that a report
        # of a bad row is not also told its manager does not exist.
        self.numbers: set[str] = set()

    def error(self, line: int, message: str) -> None:
        self.errors.append(
            _("%(file)s: line %(line)d: %(message)s")
            % {"file": self.name, "line": line, "message": message}
        )

    def read(self) -> None:
        try:
            handle = self.path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            self.errors.append(f"{self.name}: {exc.strerror}")
            return
        with handle:
            reader = csv.reader(handle)
            try:
                header = next(reader, None)
                if not self._check_header(header):
                    return
                for values in reader:
                    if not any(v.strip() for v in values):
                        continue  # a blank line is not a row
                    self._read_row(reader.line_num, header, values)
            except (csv.Error, UnicodeDecodeError) as exc:
                self.error(reader.line_num, _("unreadable CSV: %(e)s") % {"e": exc})

    def _check_header(self, header: list[str] | None) -> bool:
        if header is None:
            self.error(1, _("the file is empty; expected a header row"))
            return False
        names = [h.strip() for h in header]
        missing = [c for c in ROSTER_COLUMNS if c not in names]
        extra = [h for h in names if h not in ROSTER_COLUMNS]
        repeated = sorted({h for h in names if names.count(h) > 1})
        if missing:
            self.error(1, _("missing columns: %(c)s") % {"c": ", ".join(missing)})
        if extra:
            self.error(1, _("unknown columns: %(c)s") % {"c": ", ".join(extra)})
        if repeated:
            self.error(1, _("repeated columns: %(c)s") % {"c": ", ".join(repeated)})
        return not (missing or extra or repeated)

    def _date(self, line: int, column: str, value: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(
                line,
                _("%(column)s: %(value)r is not a date (YYYY-MM-DD)")
                % {"column": column, "value": value},
            )
            return None

    def _read_row(self, line: int, header: list[str], values: list[str]) -> None:
        if len(values) != len(header):
            self.error(
                line,
                _("has %(n)d values; the header has %(m)d columns")
                % {"n": len(values), "m": len(header)},
            )
            return
        cells = {h.strip(): v.strip() for h, v in zip(header, values, strict=True)}
        self.numbers.add(cells["employee_number"])
        before = len(self.errors)
        for column, value in cells.items():
            # Databases refuse NUL in text (PostgreSQL) or keep it silently.
            if "\x00" in value:
                self.error(
                    line, _("%(column)s contains a NUL character") % {"column": column}
                )
        for column in ("employee_number", "work_email", "full_name"):
            if not cells[column]:
                self.error(line, _("%(column)s is empty") % {"column": column})
        if cells["work_email"]:
            try:
                validate_email(cells["work_email"])
            except ValidationError:
                self.error(
                    line,
                    _("work_email: %(value)r is not a valid e-mail address")
                    % {"value": cells["work_email"]},
                )
        for column, limit in MAX_LENGTHS.items():
            if len(cells[column]) > limit:
                self.error(
                    line,
                    _("%(column)s is longer than %(limit)d characters")
                    % {"column": column, "limit": limit},
                )
        if cells["jurisdiction"] not in JURISDICTIONS:
            self.error(
                line,
                _("jurisdiction: %(value)r is not one of %(allowed)s")
                % {"value": cells["jurisdiction"], "allowed": ", ".join(JURISDICTIONS)},
            )
        started = self._date(line, "started_on", cells["started_on"])
        left = self._date(line, "left_on", cells["left_on"])
        if started and left and left < started:
            self.error(line, _("left_on is before started_on"))
        number = cells["employee_number"]
        if number and cells["manager_employee_number"] == number:
            self.error(line, _("an employee cannot be their own manager"))
        identifiers = {
            (
                IdentifierKind.EMAIL,
                identifier_normal(IdentifierKind.EMAIL, cells["work_email"]),
            ),
            (IdentifierKind.EMPLOYEE_NUMBER, number),
        }
        for column, kind in IDENTIFIER_COLUMNS.items():
            for value in cells[column].split(";"):
                if len(value.strip()) > IDENTIFIER_MAX_LENGTH:
                    self.error(
                        line,
                        _("%(column)s: %(value)r is longer than %(limit)d characters")
                        % {
                            "column": column,
                            "value": value.strip(),
                            "limit": IDENTIFIER_MAX_LENGTH,
                        },
                    )
                elif value.strip():
                    identifiers.add((kind, value.strip()))
        if len(self.errors) > before:
            # Keep the row out of the cross-row checks: they would only
            # repeat what is already reported about it.
            return
        row = RosterRow(
            line=line,
            employee_number=number,
            work_email=cells["work_email"],
            full_name=cells["full_name"],
            department=cells["department"],
            manager_number=cells["manager_employee_number"],
            jurisdiction=cells["jurisdiction"],
            started_on=started,
            left_on=left,
            identifiers=identifiers,
        )
        self.rows.append(row)

    def check_across_rows(self) -> None:
        """Duplicates, identifiers held by others, managers and their cycles."""
        by_number: dict[str, RosterRow] = {}
        emails: dict[str, RosterRow] = {}
        owners: dict[tuple[str, str], RosterRow] = {}
        for row in self.rows:
            if row.employee_number in by_number:
                self.error(
                    row.line,
                    _("employee_number %(n)r is also on line %(other)d")
                    % {
                        "n": row.employee_number,
                        "other": by_number[row.employee_number].line,
                    },
                )
            by_number.setdefault(row.employee_number, row)
            email = row.work_email.lower()
            if email in emails:
                self.error(
                    row.line,
                    _("work_email %(e)r is also on line %(other)d")
                    % {"e": row.work_email, "other": emails[email].line},
                )
            emails.setdefault(email, row)
            for pair in sorted(row.identifiers):
                other = owners.get(pair)
                if other is not None and other.employee_number != row.employee_number:
                    self.error(
                        row.line,
                        _("%(kind)s %(value)r is also on line %(other)d")
                        % {"kind": pair[0], "value": pair[1], "other": other.line},
                    )
                owners.setdefault(pair, row)
        self._check_database_owners(by_number)
        self._check_managers(by_number)

    def _check_database_owners(self, by_number: dict[str, "RosterRow"]) -> None:
        # A device serial or username held in the database by an employee
        # whom this file also lists, without it, moves to its new owner (a
        # laptop handed on). Held by anyone else, it would merge two people's
        # records. E-mail addresses never move in one import: the database
        # holds each on one employee and one user at every moment.
        values = {value for row in self.rows for _kind, value in row.identifiers}
        holders = {
            (kind, value): number
            for kind, value, number in Identifier.objects.filter(
                value__in=values
            ).values_list("kind", "value", "employee__employee_number")
        }
        for email, number in Employee.objects.filter(
            work_email__in=[r.work_email for r in self.rows]
        ).values_list("work_email", "employee_number"):
            holders[(IdentifierKind.EMAIL, email)] = number
        for row in self.rows:
            for kind, value in sorted(row.identifiers):
                holder = holders.get((kind, value))
                if holder is None or holder == row.employee_number:
                    continue
                other_row = by_number.get(holder)
                if (
                    kind != IdentifierKind.EMAIL
                    and other_row is not None
                    and (kind, value) not in other_row.identifiers
                ):
                    continue
                self.error(
                    row.line,
                    _("%(kind)s %(value)r already belongs to employee %(other)s")
                    % {"kind": kind, "value": value, "other": holder},
                )
        rows_by_username = {r.work_email.lower(): r for r in self.rows}
        in_db = set(
            Employee.objects.filter(employee_number__in=by_number).values_list(
                "employee_number", flat=True
            )
        )
        for username, holder in User.objects.filter(
            username__in=rows_by_username
        ).values_list("username", "employee__employee_number"):
            row = rows_by_username[username]
            if holder == row.employee_number:
                continue
            # A user with no employee is an account made before the roster
            # knew the person (SSO): a new employee takes it over.
            if holder is None and row.employee_number not in in_db:
                continue
            self.error(
                row.line,
                _("the user %(u)r already belongs to someone else") % {"u": username},
            )

    def _check_managers(self, by_number: dict[str, "RosterRow"]) -> None:
        in_db = dict(
            Employee.objects.values_list("employee_number", "manager__employee_number")
        )
        # The organisation after the import: the file's rows over the database.
        managers = {n: m for n, m in in_db.items() if m}
        managers.update({r.employee_number: r.manager_number for r in self.rows})
        reported: set[str] = set()
        for row in self.rows:
            manager = row.manager_number
            if manager and manager not in self.numbers and manager not in in_db:
                self.error(
                    row.line,
                    _("manager_employee_number %(m)r is not an employee")
                    % {"m": manager},
                )
                continue
            chain = [row.employee_number]
            while manager and manager not in chain and manager not in reported:
                chain.append(manager)
                manager = managers.get(manager)
            if manager and manager in chain:
                cycle = chain[chain.index(manager) :] + [manager]
                self.error(
                    row.line,
                    _("managers form a cycle: %(c)s") % {"c": " -> ".join(cycle)},
                )
                reported.update(cycle)
