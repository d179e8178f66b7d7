"""Hypothesis against the roster import (apps.people.services.roster_import).

Arbitrary CSV rows, valid-looking or not: the file is imported whole, or
refused with messages that name the file and the line; never another
exception, and a refused file leaves every people row as it was.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.people.models import Department, Employee, Identifier, User
from apps.people.services import ROSTER_COLUMNS, RosterError, roster_import
from tests.fuzz import summary

pytestmark = pytest.mark.django_db

# NUL is left out here: it has a test of its own below (a known bug).
CHARS = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
NOISE = st.one_of(
    st.text(CHARS, max_size=20),
    st.text(CHARS, min_size=1, max_size=5).map(lambda s: s * 80),
    st.sampled_from([" ", "E1;E2", "2024-02-30", "0000-01-01", "É" * 300]),
)
# Plausible values per column, so that some files are valid and reach the
# writer (uniqueness across rows, managers, identifiers) rather than all
# stopping at the first check.
PLAUSIBLE = {
    "employee_number": st.sampled_from(["E1", "E2", "E3", "e1", "E1 "]),
    "work_email": st.sampled_from(["a@example.com", "B@example.com", "b@EXAMPLE.com"]),
    "full_name": st.sampled_from(["Ann", "Bo", "Çelik Ünal"]),
    "department": st.sampled_from(["", "Sales", "sales", "R&D"]),
    "manager_employee_number": st.sampled_from(["", "E1", "E2", "E9"]),
    "jurisdiction": st.sampled_from(["EU", "UK", "US-CA"]),
    "started_on": st.sampled_from(["", "2024-01-15", "2030-01-01"]),
    "left_on": st.sampled_from(["", "2023-01-01", "2025-06-30"]),
    "device_serials": st.sampled_from(["", "SN-1", "SN-1;SN-2", ";;"]),
    "os_username": st.sampled_from(["", "ann", "bo"]),
    "chat_handle": st.sampled_from(["", "@ann", "@ann"]),
    "ai_username": st.sampled_from(["", "ann-ai"]),
}
ROW = st.fixed_dictionaries(
    {c: st.one_of(PLAUSIBLE[c], PLAUSIBLE[c], NOISE) for c in ROSTER_COLUMNS}
).map(lambda cells: [cells[c] for c in ROSTER_COLUMNS])
ODD_ROW = st.lists(NOISE, max_size=len(ROSTER_COLUMNS) + 2)
HEADER = st.one_of(
    st.just(list(ROSTER_COLUMNS)),
    st.just(list(ROSTER_COLUMNS)),
    st.permutations(ROSTER_COLUMNS).map(list),
    st.lists(st.sampled_from([*ROSTER_COLUMNS, "salary"]), max_size=14),
)
LINE = re.compile(r"^roster\.csv: (line \d+: )?\S")


def _rows():
    people = (Employee, User, Identifier, Department)
    return {m.__name__: sorted(m.objects.values_list(), key=repr) for m in people}


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_it_imports_or_refuses_any_roster(tmp_path):
    path = tmp_path / "roster.csv"

    @settings(max_examples=60)
    @given(
        header=HEADER,
        rows=st.lists(st.one_of(ROW, ROW, ROW, ODD_ROW), max_size=5),
        raw=st.one_of(st.none(), st.binary(max_size=60)),
    )
    def run(header, rows, raw):
        if raw is None:
            path.write_text(_csv(header, rows), encoding="utf-8")
        else:
            path.write_bytes(raw)  # not even text
        before = _rows()
        try:
            roster_import(path=path)
        except RosterError as exc:
            assert exc.errors, "a refusal must say why"
            for message in exc.errors:
                assert LINE.match(message), message
            assert _rows() == before, "a refused roster changed rows"
            summary.record("roster", "roster_import", "refused")
        else:
            numbers = {r[0].strip() for r in rows if r and r[0].strip()}
            stored = set(Employee.objects.values_list("employee_number", flat=True))
            assert raw is not None or numbers <= stored, "imported in part"
            summary.record("roster", "roster_import", "imported")

    run()


# The fuzz found this: a NUL in a cell passes every row check, then the
# cross-row check queries the database with it, and PostgreSQL raises
# DataError (on SQLite the NUL is stored). Fix: in RosterReader._read_row
# (apps/people/services/roster/reading.py), report a cell holding "\x00"
# as an error of its line, with the other checks. Then remove this marker.
@pytest.mark.parametrize("column", ["device_serials", "full_name"])
def test_it_refuses_a_nul_in_a_cell(column, tmp_path):
    path = tmp_path / "roster.csv"
    cells = {c: "" for c in ROSTER_COLUMNS}
    cells.update(
        employee_number="E1",
        work_email="a@example.com",
        full_name="Ann",
        jurisdiction="EU",
    )
    cells[column] += "SN\x00"
    path.write_text(_csv(ROSTER_COLUMNS, [[cells[c] for c in ROSTER_COLUMNS]]))
    before = _rows()

    with pytest.raises(RosterError) as refused:
        roster_import(path=path)

    assert refused.value.errors[0].startswith("roster.csv: line 2: ")
    assert _rows() == before
