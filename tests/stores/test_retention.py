"""Connector additions for governance: time windows, retention deletes,
listing locations. SQL against the telemetry database (SQLite or PostgreSQL)
and files in a real folder tree."""

import datetime as dt
import os
from pathlib import Path

import pytest

from apps.catalog.models import Store
from apps.stores.base import StoreMisconfigured, TimeWindow
from apps.stores.files import FileStoreConnector
from apps.stores.sql import SqlConnector
from tests.stores.scratch import (
    ALICE,
    BOB,
    ROWS,
    T0,
    make_dataset,
    remaining_rows,
    telemetry_execute,
)

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def test_a_window_keeps_only_records_inside_it(sql_store, keystrokes):
    connector = SqlConnector(sql_store)
    window = TimeWindow(start=hours(2), end=hours(5))  # alice rows 3 and 4
    summary = connector.summarize(keystrokes, ALICE, window=window)
    assert (summary.count, summary.oldest, summary.newest) == (2, hours(2), hours(3))
    page = connector.page(keystrokes, ALICE, offset=0, limit=10, window=window)
    assert [r.key for r in page] == ["4", "3"]
    # The end is exclusive, the start inclusive.
    assert (
        connector.summarize(keystrokes, ALICE, window=TimeWindow(end=hours(0))).count
        == 0
    )
    assert (
        connector.summarize(keystrokes, ALICE, window=TimeWindow(start=hours(7))).count
        == 1
    )


def test_without_a_timestamp_field_nothing_is_in_a_window(
    sql_store, program, events_table
):
    dataset = make_dataset(sql_store, program, events_table, timestamp_field="")
    connector = SqlConnector(sql_store)
    assert connector.summarize(dataset, ALICE).count == 6
    assert (
        connector.summarize(dataset, ALICE, window=TimeWindow(end=hours(99))).count == 0
    )


def test_retention_deletes_old_rows_in_batches_except_the_held(sql_store, keystrokes):
    connector = SqlConnector(sql_store)
    deleted = connector.erase_older_than(
        keystrokes, hours(5), batch_size=2, exclude_identifiers=BOB
    )
    # Rows before hour 5: 1..5; bob's row 2 is held.
    assert deleted == 4
    assert [row[0] for row in remaining_rows(keystrokes.location)] == [
        2,
        6,
        7,
        8,
        9,
        10,
    ]
    assert (
        connector.erase_older_than(
            keystrokes, hours(5), batch_size=2, exclude_identifiers=BOB
        )
        == 0
    )


def test_retention_deletes_old_rows_of_nobody_too(sql_store, keystrokes):
    telemetry_execute(
        f"INSERT INTO {keystrokes.location} VALUES (%s, %s, %s, %s, %s, %s)",
        [11, None, T0, "orphan", "x", 1],
    )
    SqlConnector(sql_store).erase_older_than(
        keystrokes, hours(1), batch_size=10, exclude_identifiers=ALICE
    )
    assert 11 not in [row[0] for row in remaining_rows(keystrokes.location)]


def test_retention_keeps_rows_of_unknown_age(sql_store, keystrokes):
    telemetry_execute(
        f"INSERT INTO {keystrokes.location} VALUES (%s, %s, %s, %s, %s, %s)",
        [12, "SN-ALICE-1", None, "undated", "x", 1],
    )
    SqlConnector(sql_store).erase_older_than(keystrokes, hours(99), batch_size=3)
    assert [row[0] for row in remaining_rows(keystrokes.location)] == [12]


def test_retention_needs_a_timestamp_field(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, timestamp_field="")
    with pytest.raises(StoreMisconfigured, match="timestamp"):
        SqlConnector(sql_store).erase_older_than(dataset, hours(1))
    assert len(remaining_rows(events_table)) == len(ROWS)


def test_it_lists_the_tables_of_a_sql_store(sql_store, keystrokes):
    assert keystrokes.location in SqlConnector(sql_store).list_locations()


FILE_T0 = dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC)
FILES = {
    "captures/SN-ALICE-1/a-old.png": 0,
    "captures/SN-ALICE-1/day2/a-new.png": 48,
    "captures/SN-BOB-1/b-old.png": 0,
    "captures/SN-CHARLIE-1/c-old.png": 1,
}


@pytest.fixture
def files_store(tmp_path, settings, db):
    root = tmp_path / "files"
    for key, h in FILES.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"png")
        stamp = (FILE_T0 + dt.timedelta(hours=h)).timestamp()
        os.utime(path, (stamp, stamp))
    (root / "exports").mkdir()
    settings.H5_FILES_ROOT = str(root)
    return Store.objects.create(
        key="shots",
        name="Shots",
        kind="files",
        connection={"root_setting": "H5_FILES_ROOT"},
    )


@pytest.fixture
def screens(files_store, program):
    return make_dataset(
        files_store,
        program,
        "captures/{identifier}",
        key="screens",
        subject_field="",
        timestamp_field="",
        file_pattern="**/*.png",
        erasure_strategy="delete_files",
    )


def _left(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png"))


def test_file_retention_deletes_old_files_except_the_held(
    files_store, screens, settings
):
    root = Path(settings.H5_FILES_ROOT)
    connector = FileStoreConnector(files_store)
    cutoff = FILE_T0 + dt.timedelta(hours=24)
    assert connector.erase_older_than(screens, cutoff, exclude_identifiers=BOB) == 2
    assert _left(root) == [
        "captures/SN-ALICE-1/day2/a-new.png",
        "captures/SN-BOB-1/b-old.png",
    ]
    assert not (root / "captures/SN-CHARLIE-1").exists()


def test_a_file_window_hides_files_outside_it(files_store, screens):
    connector = FileStoreConnector(files_store)
    window = TimeWindow(end=FILE_T0 + dt.timedelta(hours=24))
    assert connector.summarize(screens, ["SN-ALICE-1"], window=window).count == 1
    page = connector.page(screens, ["SN-ALICE-1"], offset=0, limit=5, window=window)
    assert [r.key for r in page] == ["captures/SN-ALICE-1/a-old.png"]
    assert connector.open_file(
        screens, ["SN-ALICE-1"], "captures/SN-ALICE-1/a-old.png", window=window
    )
    with pytest.raises(FileNotFoundError):
        connector.open_file(
            screens, ["SN-ALICE-1"], "captures/SN-ALICE-1/day2/a-new.png", window=window
        )


def test_it_lists_the_top_folders_of_a_file_store(files_store):
    assert FileStoreConnector(files_store).list_locations() == ["captures", "exports"]


def test_a_window_refuses_naive_or_empty_bounds():
    with pytest.raises(ValueError):
        TimeWindow(start=dt.datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError):
        TimeWindow(start=T0, end=T0)
