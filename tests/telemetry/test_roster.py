"""The roster CSV the portal imports names the people the data is about."""

import csv

from apps.telemetry.identities import ROSTER_COLUMNS
from apps.telemetry.models import AppSession, KeystrokeEvent
from tests.telemetry.conftest import SMALL, seed, telemetry_db

HEADER = (
    "employee_number,work_email,full_name,department,manager_employee_number,"
    "jurisdiction,started_on,left_on,device_serials,os_username,chat_handle,"
    "ai_username"
)


def read(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@telemetry_db
def test_it_writes_one_row_per_employee_with_the_exact_header(files_root, tmp_path):
    roster = tmp_path / "roster.csv"

    seed(*SMALL, "--roster-out", str(roster))

    assert roster.read_text().splitlines()[0] == HEADER
    assert ",".join(ROSTER_COLUMNS) == HEADER
    rows = read(roster)
    assert [row["employee_number"] for row in rows] == [
        f"E0000{n}" for n in range(1, 7)
    ]
    assert rows[0]["manager_employee_number"] == ""
    assert all(row["manager_employee_number"] == "E00001" for row in rows[1:])
    for row in rows:
        assert row["started_on"][:2] == "20"
        assert row["left_on"] == "" or row["left_on"] >= row["started_on"]


@telemetry_db
def test_its_identifiers_are_the_keys_of_the_seeded_rows(files_root, tmp_path):
    roster = tmp_path / "roster.csv"
    seed(*SMALL, "--roster-out", str(roster))
    rows = read(roster)

    serials = {s for row in rows for s in row["device_serials"].split(";")}
    usernames = {row["os_username"] for row in rows}
    assert (
        set(KeystrokeEvent.objects.values_list("device_serial", flat=True)) <= serials
    )
    assert set(AppSession.objects.values_list("os_username", flat=True)) == usernames


@telemetry_db
def test_it_rewrites_the_roster_when_the_seed_is_already_there(files_root, tmp_path):
    seed(*SMALL)
    roster = tmp_path / "again.csv"

    output = seed(*SMALL, "--roster-out", str(roster))

    assert "Already seeded" in output
    assert len(read(roster)) == 6
