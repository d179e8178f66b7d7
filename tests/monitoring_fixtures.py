"""A small monitoring system for page and gateway tests: one SQL table and one file set.

The connectors read through their own connections, so tests using these
fixtures run with transaction=True and the rows are really committed.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.db import connections
from PIL import Image

from apps.catalog.models import Dataset, Field, Program, Store

EVENTS_TABLE = "pagetest_events"

EVENTS = [
    # (device_serial, captured_at, typed_text)
    ("SN-ALICE-1", dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC), "alice wrote a"),
    ("SN-ALICE-1", dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), "alice wrote b"),
    ("SN-ALICE-1", dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC), "alice wrote c"),
    ("SN-BOB-1", dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC), "bob secret one"),
    ("SN-BOB-1", dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC), "bob secret two"),
]


def device_rows(
    serial: str,
    *,
    table: str = EVENTS_TABLE,
    columns: str = "id, device_serial, typed_text",
) -> list[tuple]:
    """The monitoring rows of one device, by id, read behind the portal's back
    (what a store really holds after an export or an erasure)."""
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} "  # noqa: S608 - test constants
            "WHERE device_serial = %s ORDER BY id",
            [serial],
        )
        return cursor.fetchall()


def device_row_count(serial: str, *, table: str = EVENTS_TABLE) -> int:
    """How many monitoring rows of one device the store holds, read as
    device_rows() reads them."""
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {table} WHERE device_serial = %s",  # noqa: S608
            [serial],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def events_table(transactional_db):
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {EVENTS_TABLE}")
        cursor.execute(
            f"CREATE TABLE {EVENTS_TABLE} (id integer PRIMARY KEY, "
            "device_serial varchar(64) NOT NULL, captured_at timestamp NOT NULL, "
            "typed_text text)"
        )
        for pk, (serial, when, text) in enumerate(EVENTS, start=1):
            cursor.execute(
                f"INSERT INTO {EVENTS_TABLE} VALUES (%s, %s, %s, %s)",
                [pk, serial, when.replace(tzinfo=None), text],
            )
    yield EVENTS_TABLE
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {EVENTS_TABLE}")


def _write_png(path: Path, colour: str, when: dt.datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 6), colour).save(path, format="PNG")
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def write_captures(root: Path) -> None:
    """Two screen captures of alice's device and one of bob's, under `root`."""
    when = dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC)
    _write_png(root / "captures/SN-ALICE-1/2026-11-05/1.png", "red", when)
    _write_png(
        root / "captures/SN-ALICE-1/2026-11-06/2.png",
        "blue",
        when + dt.timedelta(days=1),
    )
    _write_png(root / "captures/SN-BOB-1/2026-11-05/3.png", "green", when)


@pytest.fixture
def captures_root(tmp_path, settings) -> Path:
    root = tmp_path / "files"
    write_captures(root)
    settings.TELEMETRY_FILES_ROOT = root
    return root


@pytest.fixture
def catalog(events_table, captures_root):
    """A program with a keystroke table and a screen-capture file set."""
    program = Program.objects.create(
        key="endpoint",
        name="Endpoint monitoring",
        purpose="Protect company laptops",
        legal_basis="legitimate_interests",
        data_subjects=["employee"],
        data_categories=["user.behavior.keystrokes", "user.content.screen_capture"],
        data_uses=["essential.service.security"],
        recipients=["IT Security"],
        access=["Security investigators, through an approved case"],
        retention_days=90,
        objection_allowed=True,
    )
    db = Store.objects.create(
        key="mon",
        name="Monitoring DB",
        kind="sql",
        connection={"database_alias": "telemetry"},
    )
    files = Store.objects.create(
        key="shots",
        name="Capture files",
        kind="files",
        connection={"root_setting": "TELEMETRY_FILES_ROOT"},
    )
    keystrokes = Dataset.objects.create(
        store=db,
        program=program,
        key="keystrokes",
        name="Keystrokes",
        location=events_table,
        subject_field="device_serial",
        identifier_kind="device_serial",
        timestamp_field="captured_at",
    )
    Field.objects.create(
        dataset=keystrokes,
        name="typed_text",
        data_category="user.behavior.keystrokes",
        mask="redact",
    )
    captures = Dataset.objects.create(
        store=files,
        program=program,
        key="screens",
        name="Screen captures",
        location="captures/{identifier}",
        file_pattern="**/*.png",
        identifier_kind="device_serial",
        erasure_strategy="delete_files",
    )
    return {"keystrokes": keystrokes, "screens": captures, "program": program}
