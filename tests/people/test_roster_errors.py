"""Every roster rule: each bad row is reported with its line number, and
nothing in the database changes."""

import pytest
from django.core.management import CommandError, call_command

from apps.people.services import RosterError, roster_import
from tests.people.conftest import HEADER, ROWS, people_rows, row

pytestmark = pytest.mark.django_db

GOOD = dict(
    employee_number="E40",
    work_email="ivy@example.com",
    full_name="Ivy",
    jurisdiction="EU",
)


def _with(**changes) -> str:
    return row(**{**GOOD, **changes})


# Each case is added as line 5, after the three valid rows of ROWS.
CASES = [
    (_with(employee_number=""), "roster.csv: line 5: employee_number is empty"),
    (_with(work_email=""), "roster.csv: line 5: work_email is empty"),
    (_with(full_name=""), "roster.csv: line 5: full_name is empty"),
    (
        _with(work_email="ivy.example.com"),
        "roster.csv: line 5: work_email: 'ivy.example.com' is not a valid e-mail",
    ),
    (
        _with(started_on="01/02/2024"),
        "roster.csv: line 5: started_on: '01/02/2024' is not a date (YYYY-MM-DD)",
    ),
    (
        _with(left_on="2024-02-30"),
        "roster.csv: line 5: left_on: '2024-02-30' is not a date",
    ),
    (
        _with(started_on="2024-05-01", left_on="2024-04-30"),
        "roster.csv: line 5: left_on is before started_on",
    ),
    (
        _with(jurisdiction="Mars"),
        "roster.csv: line 5: jurisdiction: 'Mars' is not one of EU, UK, US-CA",
    ),
    (
        _with(jurisdiction=""),
        "roster.csv: line 5: jurisdiction: '' is not one of EU, UK, US-CA",
    ),
    (
        _with(manager_employee_number="E99"),
        "roster.csv: line 5: manager_employee_number 'E99' is not an employee",
    ),
    (
        _with(manager_employee_number="E40"),
        "roster.csv: line 5: an employee cannot be their own manager",
    ),
    (
        _with(employee_number="E10"),
        "roster.csv: line 5: employee_number 'E10' is also on line 4",
    ),
    (
        _with(work_email="ERIN@example.com"),
        "roster.csv: line 5: work_email 'ERIN@example.com' is also on line 3",
    ),
    (
        _with(device_serials="SN-X;SN-D2"),
        "roster.csv: line 5: device_serial 'SN-D2' is also on line 2",
    ),
    (
        _with(chat_handle="@dana"),
        "roster.csv: line 5: chat_handle '@dana' is also on line 2",
    ),
    (
        _with(device_serials="SN-ALICE-1"),
        "roster.csv: line 5: device_serial 'SN-ALICE-1' already belongs to "
        "employee E00001",
    ),
    (
        _with(work_email="alice@example.com"),
        "roster.csv: line 5: email 'alice@example.com' already belongs to employee "
        "E00001",
    ),
    (
        _with(full_name="x" * 201),
        "roster.csv: line 5: full_name is longer than 200 characters",
    ),
    ("E41,a@example.com", "roster.csv: line 5: has 2 values; the header has 12"),
]


@pytest.mark.parametrize(("bad_row", "expected"), CASES)
def test_it_reports_the_bad_row_and_changes_nothing(
    write_roster, alice, bad_row, expected
):
    before = people_rows()

    with pytest.raises(RosterError) as caught:
        roster_import(path=write_roster([*ROWS, bad_row]))

    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors
    assert people_rows() == before


def test_it_reports_every_bad_row(write_roster):
    rows = [
        *ROWS,
        _with(jurisdiction="Mars"),
        _with(employee_number="E41", work_email="bad"),
    ]

    with pytest.raises(RosterError) as caught:
        roster_import(path=write_roster(rows))

    assert caught.value.errors == [
        "roster.csv: line 5: jurisdiction: 'Mars' is not one of EU, UK, US-CA",
        "roster.csv: line 6: work_email: 'bad' is not a valid e-mail address",
    ]
    assert people_rows()["Employee"] == []


def test_it_refuses_manager_cycles(write_roster):
    rows = [
        _with(employee_number="E1", work_email="a@x.com", manager_employee_number="E2"),
        _with(employee_number="E2", work_email="b@x.com", manager_employee_number="E3"),
        _with(employee_number="E3", work_email="c@x.com", manager_employee_number="E1"),
    ]

    with pytest.raises(RosterError) as caught:
        roster_import(path=write_roster(rows))

    assert caught.value.errors == [
        "roster.csv: line 2: managers form a cycle: E1 -> E2 -> E3 -> E1"
    ]
    assert people_rows()["Employee"] == []


def test_it_refuses_a_cycle_through_the_database(write_roster):
    roster_import(path=write_roster(ROWS))
    before = people_rows()
    # Frank (E10) manages Dana (E11); making Dana Frank's manager closes a loop.
    rows = list(ROWS)
    rows[2] = row(
        employee_number="E10",
        work_email="frank@example.com",
        full_name="Frank",
        manager_employee_number="E11",
        jurisdiction="US-CA",
    )

    with pytest.raises(RosterError) as caught:
        roster_import(path=write_roster(rows))

    assert caught.value.errors == [
        "roster.csv: line 2: managers form a cycle: E11 -> E10 -> E11"
    ]
    assert people_rows() == before


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            HEADER.replace(",ai_username", ""),
            "roster.csv: line 1: missing columns: ai_username",
        ),
        (HEADER + ",salary", "roster.csv: line 1: unknown columns: salary"),
        (
            HEADER + ",full_name",
            "roster.csv: line 1: repeated columns: full_name",
        ),
    ],
)
def test_it_checks_the_header(write_roster, header, expected):
    with pytest.raises(RosterError) as caught:
        roster_import(path=write_roster([], header=header))

    assert caught.value.errors == [expected]
    assert people_rows()["Employee"] == []


def test_it_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    with pytest.raises(RosterError) as caught:
        roster_import(path=path)

    assert caught.value.errors == [
        "empty.csv: line 1: the file is empty; expected a header row"
    ]


def test_the_command_prints_the_summary(write_roster, capsys):
    call_command("import_roster", str(write_roster(ROWS)))

    out = capsys.readouterr().out
    assert "employees: 3 created, 0 updated, 0 unchanged" in out
    assert "departments created: 2" in out


def test_the_command_prints_errors_and_exits_1(write_roster, capsys):
    path = write_roster([*ROWS, _with(jurisdiction="Mars")])

    with pytest.raises(CommandError) as caught:
        call_command("import_roster", str(path))

    assert caught.value.returncode == 1
    assert "roster.csv: line 5: jurisdiction: 'Mars'" in capsys.readouterr().err
    assert people_rows()["Employee"] == []
