"""The deterministic people behind the demo monitoring data."""

from datetime import date

from apps.telemetry.identities import (
    DEPARTMENTS,
    identities,
    identity_for,
    manager_index,
)

START, END = date(2026, 10, 1), date(2026, 10, 30)


def people(seed: int = 1, count: int = 400) -> list:
    return list(identities(seed=seed, count=count, window_start=START, window_end=END))


def test_it_gives_the_same_person_for_the_same_seed_and_index():
    first = identity_for(seed=3, index=42, window_start=START, window_end=END)
    again = identity_for(seed=3, index=42, window_start=START, window_end=END)
    other = identity_for(seed=4, index=42, window_start=START, window_end=END)

    assert first == again
    assert first != other
    assert first.employee_number == other.employee_number == "E00042"


def test_it_keeps_every_identifier_unique():
    everyone = people()
    unique = ("employee_number", "work_email", "os_username", "chat_handle")
    for attribute in (*unique, "ai_username"):
        values = [getattr(person, attribute) for person in everyone]
        assert len(set(values)) == len(values), attribute
    serials = [serial for person in everyone for serial in person.device_serials]
    assert len(set(serials)) == len(serials)
    assert {len(person.device_serials) for person in everyone} == {1, 2}


def test_it_builds_a_tree_of_lower_indexed_managers():
    everyone = people()
    by_number = {person.employee_number: person for person in everyone}

    assert everyone[0].manager_employee_number == ""
    for person in everyone[1:]:
        boss = by_number[person.manager_employee_number]
        assert boss.index < person.index
        assert manager_index(person.index) == boss.index
        # Below the department heads, people work in their manager's department.
        if boss.index > 1:
            assert person.department == boss.department
    assert {person.department for person in everyone} == set(DEPARTMENTS)


def test_it_spreads_jurisdictions_and_dates_plausibly():
    everyone = people(count=1000)
    jurisdictions = [person.jurisdiction for person in everyone]
    leavers = [person for person in everyone if person.left_on]

    assert jurisdictions.count("EU") > jurisdictions.count("UK") > 0
    assert jurisdictions.count("US-CA") > 0
    assert 0 < len(leavers) < 100
    for person in leavers:
        assert START <= person.left_on <= END
        assert person.started_on <= person.left_on
    assert all(person.started_on <= END for person in everyone)
    for person in everyone:
        assert person.work_email.endswith(f".{person.index}@example.com")
