"""Deterministic people for the demo monitoring system.

Employee ``index`` (1-based) of a seed always gets the same identity, so the
roster the portal imports and the rows the seeder writes name the same people
without either being stored anywhere else. Every identifier embeds the index,
which keeps them unique however many employees are generated.
"""

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

FIRST_NAMES = (
    "Ada", "Alan", "Amira", "Anna", "Bruno", "Camille", "Carlos", "Chen", "Clara",
    "Daniel", "Elena", "Emma", "Farah", "Felix", "Grace", "Hannah", "Hugo", "Ines",
    "Ivan", "Jonas", "Julia", "Karim", "Lars", "Lea", "Lucas", "Maja", "Marek",
    "Maria", "Mateo", "Nina", "Noah", "Olga", "Omar", "Paula", "Priya", "Rosa",
    "Sami", "Sofia", "Tomas", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Bauer", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia",
    "Hansen", "Jansen", "Kowalski", "Larsen", "Lopez", "Martin", "Meyer", "Moreau",
    "Novak", "Okafor", "Petrov", "Popescu", "Rossi", "Santos", "Schmidt", "Silva",
    "Smith", "Horvat", "Varga", "Virtanen", "Wagner", "Weber", "Nowak", "Murphy",
    "Kelly", "Brennan", "Fontaine", "Lindqvist", "Moretti", "Nielsen", "Ruiz", "Vos",
)  # fmt: skip

# The first department is the chief executive's; employees 2..12 head the
# others and everyone below inherits the department of their head.
DEPARTMENTS = (
    "Executive Office",
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Legal",
    "IT Security",
    "Customer Support",
    "Operations",
    "Product",
    "Research",
)
# Each manager has this many direct reports: a shallow, realistic tree.
SPAN_OF_CONTROL = len(DEPARTMENTS) - 1

JURISDICTIONS = (("EU", 0.70), ("UK", 0.15), ("US-CA", 0.15))
# Share of employees who joined during the seeded window or left during it.
JOINER_SHARE = 0.04
LEAVER_SHARE = 0.03
EARLIEST_START = date(2012, 1, 1)

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


@dataclass(frozen=True, slots=True)
class Identity:
    """One employee as the roster and the monitoring stores know them."""

    index: int
    employee_number: str
    work_email: str
    full_name: str
    department: str
    manager_employee_number: str
    jurisdiction: str
    started_on: date
    left_on: date | None
    device_serials: tuple[str, ...]
    os_username: str
    chat_handle: str
    ai_username: str

    def is_active_on(self, day: date) -> bool:
        """Whether the employee worked (and so was monitored) on ``day``."""
        return self.started_on <= day and (self.left_on is None or day <= self.left_on)

    def roster_row(self) -> tuple[str, ...]:
        """The row of the roster CSV, in ROSTER_COLUMNS order."""
        return (
            self.employee_number,
            self.work_email,
            self.full_name,
            self.department,
            self.manager_employee_number,
            self.jurisdiction,
            self.started_on.isoformat(),
            self.left_on.isoformat() if self.left_on else "",
            ";".join(self.device_serials),
            self.os_username,
            self.chat_handle,
            self.ai_username,
        )


def employee_number(index: int) -> str:
    return f"E{index:05d}"


def manager_index(index: int) -> int | None:
    """The index of ``index``'s manager: always lower, None for the top."""
    if index <= 1:
        return None
    return (index - 2) // SPAN_OF_CONTROL + 1


def department_of(index: int) -> str:
    """Walk up to the department head (indexes 1..12) and take their department."""
    while index > len(DEPARTMENTS):
        index = manager_index(index)  # type: ignore[assignment]
    return DEPARTMENTS[index - 1]


def identity_for(
    *, seed: int, index: int, window_start: date, window_end: date
) -> Identity:
    """Employee ``index`` of ``seed``, employed across or within the window.

    Joiners start inside the window and leavers leave inside it, so the
    seeded data covers both; the first twelve (the executive and department
    heads) are always present for the whole window.
    """
    rng = random.Random(f"identity:{seed}:{index}")
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    window_days = (window_end - window_start).days
    senior = index <= len(DEPARTMENTS)

    if not senior and rng.random() < JOINER_SHARE:
        started_on = window_start + timedelta(days=rng.randrange(window_days + 1))
    else:
        span = (window_start - EARLIEST_START).days
        started_on = EARLIEST_START + timedelta(days=rng.randrange(1, span))
    left_on = None
    if not senior and rng.random() < LEAVER_SHARE:
        # Leave inside the window, never before starting.
        first_possible = max(started_on, window_start)
        remaining = (window_end - first_possible).days
        left_on = first_possible + timedelta(days=rng.randrange(remaining + 1))

    boss = manager_index(index)
    devices = 2 if rng.random() < 0.25 else 1
    return Identity(
        index=index,
        employee_number=employee_number(index),
        work_email=f"{first}.{last}.{index}@example.com".lower(),
        full_name=f"{first} {last}",
        department=department_of(index),
        manager_employee_number=employee_number(boss) if boss else "",
        jurisdiction=_pick_weighted(rng, JURISDICTIONS),
        started_on=started_on,
        left_on=left_on,
        device_serials=tuple(
            f"PF{index:06d}{'ABCDEFGH'[n]}{rng.randrange(16**3):03X}"
            for n in range(devices)
        ),
        os_username=f"{first[0]}{last}{index}".lower(),
        chat_handle=f"{first}.{last[0]}{index}".lower(),
        ai_username=f"{first}{last}-{index}".lower(),
    )


def identities(
    *, seed: int, count: int, window_start: date, window_end: date
) -> Iterable[Identity]:
    """Employees 1..count of ``seed``, generated lazily."""
    for index in range(1, count + 1):
        yield identity_for(
            seed=seed, index=index, window_start=window_start, window_end=window_end
        )


def write_roster(path: Path | str, people: Iterable[Identity]) -> int:
    """Write the roster CSV the portal imports; returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_COLUMNS)
        for person in people:
            writer.writerow(person.roster_row())
            rows += 1
    return rows


def _pick_weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for value, weight in options:
        roll -= weight
        if roll < 0:
            return value
    return options[-1][0]
