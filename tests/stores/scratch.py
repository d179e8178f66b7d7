"""Scratch tables in the telemetry database, written through Django's own
connection so that the connector under test is not its own witness."""

import datetime as dt

from django.db import connections, transaction

from apps.catalog.models import Dataset, Program, Store

ALICE = ["SN-ALICE-1", "SN-ALICE-2"]
BOB = ["SN-BOB-1"]
CHARLIE = ["SN-CHARLIE-1"]

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)

# (id, device_serial, hours after T0, typed_text, window_title, duration_ms)
ROWS = [
    (1, "SN-ALICE-1", 0, "alice a", "Mail", 10),
    (2, "SN-BOB-1", 1, "bob a", "Chat", 20),
    (3, "SN-ALICE-2", 2, "alice b", "Editor", 30),
    (4, "SN-ALICE-1", 3, "alice c", "Mail", 40),
    (5, "SN-CHARLIE-1", 4, "charlie a", "Browser", 50),
    (6, "SN-ALICE-1", 5, "alice d", "Chat", 60),
    # Same moment as row 6: the newer key comes first on a page.
    (7, "SN-ALICE-2", 5, "alice e", "Editor", 70),
    (8, "SN-BOB-1", 6, "bob b", "Mail", 80),
    (9, "SN-ALICE-1", 7, "alice f", "Browser", 90),
    (10, "SN-CHARLIE-1", 8, "charlie b", "Chat", 100),
]
ALICE_IDS = [r[0] for r in ROWS if r[1] in ALICE]


def telemetry_execute(sql: str, params=None, *, many=False) -> list[tuple]:
    """Run SQL on the telemetry database through Django, not the connector."""
    # One transaction: SQLite would otherwise commit (and sync) every row.
    with (
        transaction.atomic(using="telemetry"),
        connections["telemetry"].cursor() as cursor,
    ):
        if many:
            cursor.executemany(sql, params)
            return []
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def create_events_table(name: str, *, subject_null: bool = True) -> None:
    vendor = connections["telemetry"].vendor
    ts_type = "timestamptz" if vendor == "postgresql" else "datetime"
    null = "" if subject_null else " NOT NULL"
    telemetry_execute(
        f"CREATE TABLE {name} (id integer PRIMARY KEY, "
        f"device_serial varchar(64){null}, captured_at {ts_type}, "
        "typed_text text, window_title varchar(200), duration_ms integer)"
    )


def insert_events(name: str, rows) -> None:
    telemetry_execute(
        f"INSERT INTO {name} VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (pk, serial, T0 + dt.timedelta(hours=hours), text, title, ms)
            for pk, serial, hours, text, title, ms in rows
        ],
        many=True,
    )


def drop_table(name: str) -> None:
    telemetry_execute(f"DROP TABLE IF EXISTS {name}")


def make_dataset(store: Store, program: Program, table: str, **fields) -> Dataset:
    defaults = {
        "key": "keystrokes",
        "name": "Keystrokes",
        "location": table,
        "subject_field": "device_serial",
        "identifier_kind": "device_serial",
        "timestamp_field": "captured_at",
    }
    return Dataset.objects.create(
        store=store, program=program, **{**defaults, **fields}
    )


def remaining_rows(table: str) -> list[tuple]:
    return telemetry_execute(
        f"SELECT id, device_serial, typed_text, window_title, duration_ms "
        f"FROM {table} ORDER BY id"
    )
