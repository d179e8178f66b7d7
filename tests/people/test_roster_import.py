"""Importing the HR roster: what it creates, and that importing again is a no-op."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from apps.people.models import Department, Employee, Identifier
from apps.people.services import roster_import
from tests.people.conftest import ROWS, people_rows, row

pytestmark = pytest.mark.django_db


def _identifiers(employee: Employee) -> set[tuple[str, str]]:
    return set(employee.identifiers.values_list("kind", "value"))


def test_it_creates_employees_users_and_identifiers(write_roster):
    summary = roster_import(path=write_roster(ROWS))

    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    assert summary.departments_created == 2
    dana = Employee.objects.get(employee_number="E11")
    assert dana.user.username == "dana@example.com"
    assert dana.user.email == "Dana@example.com"  # domain normalised
    assert not dana.user.has_usable_password()
    assert dana.work_email == "Dana@Example.com"
    assert dana.department.name == "Sales"
    assert dana.manager.employee_number == "E10"
    assert dana.jurisdiction == "EU"
    assert dana.started_on == datetime.date(2024, 1, 15)
    assert not dana.is_leaver
    assert _identifiers(dana) == {
        ("email", "dana@example.com"),
        ("employee_number", "E11"),
        ("device_serial", "SN-D1"),
        ("device_serial", "SN-D2"),
        ("os_username", "dana"),
        ("chat_handle", "@dana"),
    }
    erin = Employee.objects.get(employee_number="E12")
    assert erin.is_leaver
    assert (erin.user.is_active, dana.user.is_active) == (False, True)
    assert erin.left_on == datetime.date(2025, 1, 31)
    frank = Employee.objects.get(employee_number="E10")
    assert frank.manager is None
    assert frank.jurisdiction == "US-CA"
    assert set(Department.objects.values_list("name", flat=True)) == {
        "Sales",
        "Management",
    }


def test_it_changes_nothing_when_imported_twice(write_roster):
    path = write_roster(ROWS)
    roster_import(path=path)
    before = people_rows()

    summary = roster_import(path=path)

    assert people_rows() == before
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert summary.departments_created == 0


def test_it_updates_and_replaces_identifiers(write_roster):
    roster_import(path=write_roster(ROWS))
    dana = Employee.objects.get(employee_number="E11")
    untouched_at = Employee.objects.get(employee_number="E10").updated_at
    rows = list(ROWS)
    rows[0] = row(
        employee_number="E11",
        work_email="dana.new@example.com",
        full_name="Dana Scully",
        department="Research",
        jurisdiction="EU",
        device_serials="SN-D3",
    )

    summary = roster_import(path=write_roster(rows))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    dana.refresh_from_db()
    assert dana.full_name == "Dana Scully"
    assert dana.manager is None
    assert dana.department.name == "Research"
    assert dana.user.username == "dana.new@example.com"
    assert _identifiers(dana) == {
        ("email", "dana.new@example.com"),
        ("employee_number", "E11"),
        ("device_serial", "SN-D3"),
    }
    # Rows that did not change were not written again.
    assert Employee.objects.get(employee_number="E10").updated_at == untouched_at


def test_it_leaves_employees_missing_from_the_file(write_roster, alice):
    summary = roster_import(path=write_roster(ROWS))

    assert summary.not_in_file == 1
    alice.refresh_from_db()
    assert alice.full_name == "Alice"
    assert _identifiers(alice) == {("device_serial", "SN-ALICE-1")}
    assert "employees not in the file (left unchanged): 1" in summary.lines()


def test_it_resolves_managers_already_in_the_database(write_roster, alice):
    path = write_roster(
        [
            row(
                employee_number="E20",
                work_email="gina@example.com",
                full_name="Gina",
                manager_employee_number=alice.employee_number,
                jurisdiction="EU",
            )
        ]
    )

    roster_import(path=path)

    assert Employee.objects.get(employee_number="E20").manager == alice


def test_it_moves_an_identifier_released_by_its_owner_in_the_same_file(
    write_roster,
):
    roster_import(path=write_roster(ROWS))
    rows = list(ROWS)
    # Dana's laptop SN-D2 is handed to Frank.
    rows[0] = rows[0].replace("SN-D1;SN-D2", "SN-D1")
    rows[2] = row(
        employee_number="E10",
        work_email="frank@example.com",
        full_name="Frank",
        department="Management",
        jurisdiction="US-CA",
        device_serials="SN-D2",
    )

    summary = roster_import(path=write_roster(rows))

    assert summary.updated == 2
    assert Identifier.objects.get(value="SN-D2").employee.employee_number == "E10"


def test_it_marks_future_leavers_as_not_yet_left(write_roster):
    path = write_roster(
        [
            row(
                employee_number="E30",
                work_email="hal@example.com",
                full_name="Hal",
                jurisdiction="EU",
                started_on="2020-01-01",
                left_on="2999-12-31",
            )
        ]
    )

    roster_import(path=path)

    hal = Employee.objects.get(employee_number="E30")
    assert hal.left_on == datetime.date(2999, 12, 31)
    assert not hal.is_leaver
    assert hal.user.is_active


def test_a_leaver_is_signed_out_everywhere_and_a_return_reactivates(
    write_roster, client
):
    """The roster marking someone as gone deactivates their account, which
    ends every session they hold at once (apps.security)."""
    cells = {
        "employee_number": "E31",
        "work_email": "ivy@example.com",
        "full_name": "Ivy",
        "jurisdiction": "EU",
        "started_on": "2020-01-01",
    }
    roster_import(path=write_roster([row(**cells)]))
    ivy = Employee.objects.get(employee_number="E31")
    client.force_login(ivy.user)
    assert client.get(reverse("people:my_data")).status_code == 200
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    roster_import(path=write_roster([row(**cells, left_on="2021-06-30")]))
    ivy.user.refresh_from_db()
    assert not ivy.user.is_active
    assert not Session.objects.filter(session_key=session_key).exists()
    response = client.get(reverse("people:my_data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    roster_import(path=write_roster([row(**cells)]))
    ivy.user.refresh_from_db()
    assert ivy.user.is_active


def test_it_takes_over_a_user_made_before_the_roster(write_roster, django_user_model):
    user = django_user_model.objects.create_user("frank@example.com", password="x")

    roster_import(path=write_roster(ROWS))

    assert Employee.objects.get(employee_number="E10").user == user
