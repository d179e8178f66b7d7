"""SqlConnector reads against the real telemetry database (SQLite or PostgreSQL)."""

import datetime as dt

import pytest

from apps.stores.sql import SqlConnector
from tests.stores.scratch import (
    ALICE,
    ALICE_IDS,
    BOB,
    T0,
    make_dataset,
    telemetry_execute,
)

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def test_it_summarizes_every_identifier_of_the_subject(sql_store, keystrokes):
    summary = SqlConnector(sql_store).summarize(keystrokes, ALICE)

    assert summary.count == 6
    assert summary.oldest == T0
    assert summary.newest == T0 + dt.timedelta(hours=7)
    assert summary.oldest.utcoffset() == dt.timedelta(0)
    assert summary.newest.utcoffset() == dt.timedelta(0)


def test_it_summarizes_one_device_and_nobody(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    bob = connector.summarize(keystrokes, BOB)
    assert (bob.count, bob.oldest, bob.newest) == (
        2,
        T0 + dt.timedelta(hours=1),
        T0 + dt.timedelta(hours=6),
    )
    assert connector.summarize(keystrokes, ["SN-NOBODY"]).count == 0
    empty = connector.summarize(keystrokes, [])
    assert (empty.count, empty.oldest, empty.newest) == (0, None, None)


def test_it_pages_newest_first(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    first = connector.page(keystrokes, ALICE, offset=0, limit=3)
    rest = connector.page(keystrokes, ALICE, offset=3, limit=10)

    # Rows 6 and 7 share a timestamp: the higher key comes first.
    assert [r.key for r in first] == ["9", "7", "6"]
    assert [r.key for r in rest] == ["4", "3", "1"]
    assert connector.page(keystrokes, ALICE, offset=6, limit=10) == []
    assert connector.page(keystrokes, BOB, offset=0, limit=0) == []


def test_a_page_carries_every_column(sql_store, keystrokes):
    (record,) = SqlConnector(sql_store).page(keystrokes, ALICE, offset=0, limit=1)

    assert record.timestamp == T0 + dt.timedelta(hours=7)
    assert record.values == {
        "id": 9,
        "device_serial": "SN-ALICE-1",
        "captured_at": T0 + dt.timedelta(hours=7),
        "typed_text": "alice f",
        "window_title": "Browser",
        "duration_ms": 90,
    }
    assert record.values["captured_at"].utcoffset() == dt.timedelta(0)
    assert record.file is None


def test_it_streams_every_record_exactly_once(sql_store, keystrokes):
    records = list(SqlConnector(sql_store).stream(keystrokes, ALICE, batch_size=2))

    assert [r.key for r in records] == [str(pk) for pk in ALICE_IDS]
    assert {r.values["device_serial"] for r in records} == set(ALICE)


def test_verify_counts_the_subjects_rows(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    assert connector.verify(keystrokes, ALICE) == 6
    assert connector.verify(keystrokes, ["SN-ALICE-2"]) == 2
    assert connector.verify(keystrokes, []) == 0


def test_text_timestamps_with_an_offset_come_back_in_utc(
    sql_store, program, scratch_table
):
    # SQLite keeps whatever text a collector wrote; PostgreSQL parses it.
    table = scratch_table()
    telemetry_execute(
        f"INSERT INTO {table} (id, device_serial, captured_at) "
        "VALUES (1, 'SN-ALICE-1', '2026-03-01T10:00:00+02:00')"
    )
    dataset = make_dataset(sql_store, program, table)
    connector = SqlConnector(sql_store)

    summary = connector.summarize(dataset, ALICE)
    (record,) = connector.page(dataset, ALICE, offset=0, limit=5)

    expected = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert summary.oldest == summary.newest == expected
    assert record.timestamp == expected
    assert record.values["captured_at"] == expected


def test_a_dataset_without_timestamps_still_counts(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, timestamp_field="")
    connector = SqlConnector(sql_store)

    summary = connector.summarize(dataset, ALICE)
    page = connector.page(dataset, ALICE, offset=0, limit=2)

    assert (summary.count, summary.oldest, summary.newest) == (6, None, None)
    assert [r.key for r in page] == ["9", "7"]
    assert page[0].timestamp is None
