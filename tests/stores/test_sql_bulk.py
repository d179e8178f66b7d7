"""The SQL connector's bulk paths: blocks of tuples for exports, erasure by
primary-key ranges; against the real telemetry database (SQLite or
PostgreSQL)."""

import csv
import datetime as dt
import io
import json
from contextlib import contextmanager

import pytest

from apps.catalog.models import Field
from apps.stores.base import RecordBlock, iso_utc
from apps.stores.engines import store_engine
from apps.stores.sql import SqlConnector
from apps.stores.sql_bulk import next_range_start
from tests.rights.parts import CapturedPart, IdleHeartbeat
from tests.stores.scratch import ALICE, ALICE_IDS, BOB, ROWS, telemetry_execute

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def _rows(blocks: list[RecordBlock]) -> list[tuple]:
    return [row for block in blocks for row in block.rows]


def _by_key(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: row[0])


def test_blocks_hold_what_stream_gives_record_by_record(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    blocks = list(connector.stream_blocks(keystrokes, ALICE, batch_size=4))
    records = list(connector.stream(keystrokes, ALICE))

    assert [len(b.rows) for b in blocks] == [4, 2]
    columns = blocks[0].columns
    assert columns == list(records[0].values)
    block = blocks[0]
    assert block.nested == ()
    assert columns[block.key_position] == keystrokes.primary_key
    assert columns[block.timestamp_position] == keystrokes.timestamp_field
    assert block.timestamp_text is None  # A timestamp column: already text.
    expected = [
        tuple(
            iso_utc(v) if isinstance(v, dt.datetime) else v for v in r.values.values()
        )
        for r in records
    ]
    assert _by_key(_rows(blocks)) == _by_key(expected)
    assert sorted(row[block.key_position] for row in _rows(blocks)) == ALICE_IDS


def test_block_values_are_plain_and_utc(sql_store, keystrokes):
    (block,) = SqlConnector(sql_store).stream_blocks(keystrokes, BOB)

    bob = [r for r in ROWS if r[1] == BOB[0]]
    first = bob[0]
    when = dt.datetime(2026, 11, 1, 9 + first[2], 0, tzinfo=dt.UTC)
    row = _by_key(block.rows)[0]
    assert row == (
        first[0],
        first[1],
        "2026-11-01T10:00:00+00:00",
        first[3],
        first[4],
        first[5],
    )
    assert row[block.timestamp_position] == iso_utc(when)


def test_a_fraction_of_a_second_is_written_without_trailing_zeros(
    sql_store, keystrokes, events_table
):
    when = dt.datetime(2026, 11, 2, 8, 30, 15, 250000, tzinfo=dt.UTC)
    telemetry_execute(
        f"INSERT INTO {events_table} VALUES (%s, %s, %s, %s, %s, %s)",
        [99, "SN-ALICE-1", when, "late", "Mail", 5],
    )

    rows = _rows(list(SqlConnector(sql_store).stream_blocks(keystrokes, ALICE)))

    (late,) = [row for row in rows if row[0] == 99]
    assert late[2] == "2026-11-02T08:30:15.25+00:00" == iso_utc(when)


def test_nobody_and_no_identifier_give_no_block(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    assert list(connector.stream_blocks(keystrokes, ["SN-NOBODY"])) == []
    assert list(connector.stream_blocks(keystrokes, [])) == []
    with pytest.raises(ValueError):
        list(connector.stream_blocks(keystrokes, ALICE, batch_size=0))


def test_the_next_range_starts_after_a_batch_of_the_subjects_rows(
    sql_store, keystrokes
):
    engine = store_engine(sql_store)
    t = SqlConnector(sql_store)._target(keystrokes)
    alice = [t.subject.in_(ALICE)]

    with engine.connect() as conn:
        assert next_range_start(conn, t.pk, alice, 4) == ALICE_IDS[4]
        after = [*alice, t.pk >= ALICE_IDS[4]]
        assert next_range_start(conn, t.pk, after, 4) is None
        assert next_range_start(conn, t.pk, alice, len(ALICE_IDS)) is None
        nobody = [t.subject.in_(["SN-NOBODY"])]
        assert next_range_start(conn, t.pk, nobody, 4) is None


@pytest.mark.parametrize("batch_size", [1, 2, 5, 6, 50_000])
def test_erasure_by_key_ranges_takes_every_row_and_no_other(
    sql_store, keystrokes, events_table, batch_size
):
    connector = SqlConnector(sql_store)

    assert connector.erase(keystrokes, ALICE, batch_size=batch_size) == len(ALICE_IDS)

    assert connector.verify(keystrokes, ALICE) == 0
    left = telemetry_execute(f"SELECT id FROM {events_table} ORDER BY id")  # noqa: S608
    assert [r[0] for r in left] == [r[0] for r in ROWS if r[1] not in ALICE]
    assert connector.erase(keystrokes, ALICE, batch_size=batch_size) == 0


def test_a_subject_counted_within_one_batch_is_erased_by_one_statement(
    sql_store, keystrokes, events_table, monkeypatch
):
    connector = SqlConnector(sql_store)
    found = connector.count(keystrokes, ALICE)
    assert found == len(ALICE_IDS) == connector.summarize(keystrokes, ALICE).count

    def no_ranges(*args, **kwargs):
        raise AssertionError("no range is needed when every row fits one batch")

    monkeypatch.setattr("apps.stores.sql.next_range_start", no_ranges)
    erased = connector.erase(keystrokes, ALICE, batch_size=found, found=found)

    assert erased == found
    assert connector.count(keystrokes, ALICE) == 0
    left = telemetry_execute(f"SELECT id FROM {events_table} ORDER BY id")  # noqa: S608
    assert [r[0] for r in left] == [r[0] for r in ROWS if r[1] not in ALICE]


def test_a_subject_counted_above_one_batch_is_erased_by_key_ranges(
    sql_store, keystrokes, monkeypatch
):
    import apps.stores.sql as sql_module

    ranges = []
    real = sql_module.next_range_start

    def counting(*args, **kwargs):
        ranges.append(args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(sql_module, "next_range_start", counting)
    connector = SqlConnector(sql_store)

    erased = connector.erase(keystrokes, ALICE, batch_size=4, found=len(ALICE_IDS))

    assert erased == len(ALICE_IDS)
    assert ranges == [4, 4]  # The first range, then the open-ended last one.
    assert connector.count(keystrokes, ALICE) == 0


@contextmanager
def _listening(engine, **listeners):
    """SQLAlchemy event listeners on `engine` (event name -> function) for
    the block's length."""
    import sqlalchemy as sa

    for name, listener in listeners.items():
        sa.event.listen(engine, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners.items():
            sa.event.remove(engine, name, listener)


@pytest.mark.parametrize("batch_size", [2, 50_000])
def test_erasure_counts_what_remains_inside_its_last_transaction(
    sql_store, keystrokes, batch_size
):
    steps = []

    def statement(conn, cursor, text, *args):
        steps.append(text.lstrip().split()[0].upper())

    def commit(conn):
        steps.append("COMMIT")

    with _listening(
        store_engine(sql_store), before_cursor_execute=statement, commit=commit
    ):
        outcome = SqlConnector(sql_store).erase_verified(
            keystrokes, ALICE, batch_size=batch_size, found=len(ALICE_IDS)
        )

    assert outcome == (len(ALICE_IDS), 0)
    # The count runs after the last DELETE and before that batch commits.
    assert steps[-3:] == ["DELETE", "SELECT", "COMMIT"]
    assert steps.count("COMMIT") == (3 if batch_size == 2 else 1)
    assert SqlConnector(sql_store).verify(keystrokes, ALICE) == 0


def test_erasure_reports_a_row_of_the_subject_it_did_not_take(
    sql_store, keystrokes, events_table
):
    def late_row(conn, cursor, text, *args):
        # Written after the DELETE, inside its transaction: still there.
        if text.lstrip().upper().startswith("DELETE"):
            # On a cursor of its own: the DELETE's keeps its row count.
            cursor.connection.cursor().execute(
                f"INSERT INTO {events_table} (id, device_serial, captured_at, "  # noqa: S608
                f"typed_text) VALUES (9999, '{ALICE[0]}', '2026-03-01 12:00:00', "
                "'late')"
            )

    with _listening(store_engine(sql_store), after_cursor_execute=late_row):
        outcome = SqlConnector(sql_store).erase_verified(
            keystrokes, ALICE, found=len(ALICE_IDS)
        )

    assert outcome == (len(ALICE_IDS), 1)
    assert SqlConnector(sql_store).verify(keystrokes, ALICE) == 1


def test_masking_by_key_ranges_leaves_the_rows_without_the_person(
    sql_store, keystrokes, events_table
):
    keystrokes.erasure_strategy = "mask"
    keystrokes.save()
    Field.objects.filter(dataset=keystrokes).delete()
    Field.objects.create(
        dataset=keystrokes, name="device_serial", data_category="x", mask="redact"
    )
    Field.objects.create(
        dataset=keystrokes, name="typed_text", data_category="x", mask="null"
    )
    connector = SqlConnector(sql_store)

    assert connector.erase(keystrokes, ALICE, batch_size=2) == len(ALICE_IDS)

    assert connector.verify(keystrokes, ALICE) == 0
    masked = telemetry_execute(
        f"SELECT device_serial, typed_text FROM {events_table} "  # noqa: S608
        "WHERE id IN (%s, %s)",
        [ALICE_IDS[0], ALICE_IDS[-1]],
    )
    assert masked == [("[redacted]", None), ("[redacted]", None)]
    assert connector.summarize(keystrokes, BOB).count == 2


def _header_and_sorted(lines: list[str]) -> tuple[str, list[str]]:
    return lines[0], sorted(lines[1:])


def test_the_bulk_export_writes_the_same_files_as_record_by_record(
    sql_store, keystrokes
):
    from apps.rights.services.exports import _write_blocks, _write_records

    connector = SqlConnector(sql_store)
    bulk = CapturedPart(), CapturedPart()
    one_by_one = CapturedPart(), CapturedPart(), CapturedPart()

    count, columns = _write_blocks(
        connector.stream_blocks(keystrokes, ALICE, batch_size=4), *bulk, IdleHeartbeat()
    )
    records = connector.stream(keystrokes, ALICE)
    count_2, files, columns_2 = _write_records(
        "keystrokes", records, *one_by_one, IdleHeartbeat()
    )

    assert (count, columns) == (count_2, columns_2) == (len(ALICE_IDS), columns)
    assert files == 0
    # The bulk read follows no order; the records are the same.
    assert sorted(bulk[0].lines()) == sorted(one_by_one[0].lines())
    assert _header_and_sorted(bulk[1].lines()) == _header_and_sorted(
        one_by_one[1].lines()
    )
    first = json.loads(one_by_one[0].lines()[0])
    assert first["key"] == "1"
    assert first["timestamp"] == "2026-11-01T09:00:00+00:00"
    assert first["values"]["device_serial"] == "SN-ALICE-1"
    assert (
        one_by_one[1].lines()[1].startswith("1,2026-11-01T09:00:00+00:00,1,SN-ALICE-1,")
    )


@pytest.mark.parametrize(
    "typed",
    ["plain", "with, a comma", 'with "quotes"', None, "null"],
)
def test_the_bulk_csv_reads_as_the_record_by_record_one(
    sql_store, keystrokes, events_table, typed
):
    from apps.rights.services.exports import _write_blocks, _write_records

    telemetry_execute(
        f"UPDATE {events_table} SET typed_text = %s WHERE id IN (1, 4)",  # noqa: S608
        [typed],
    )
    connector = SqlConnector(sql_store)
    bulk = CapturedPart(), CapturedPart()
    one_by_one = CapturedPart(), CapturedPart(), CapturedPart()
    blocks = list(connector.stream_blocks(keystrokes, ALICE, batch_size=4))

    _write_blocks(iter(blocks), *bulk, IdleHeartbeat())
    _write_records(
        "keystrokes", connector.stream(keystrokes, ALICE), *one_by_one, IdleHeartbeat()
    )

    # PostgreSQL's values are only text, integers and None here: the CSV is
    # made from JSON arrays (SQLite's typing rules that out).
    on_postgresql = store_engine(sql_store).dialect.name == "postgresql"
    assert blocks[0].simple_values is on_postgresql
    assert _header_and_sorted(_csv(bulk[1])) == _header_and_sorted(_csv(one_by_one[1]))
    assert sorted(bulk[0].lines()) == sorted(one_by_one[0].lines())


def _csv(part) -> list[list[str]]:
    return list(csv.reader(io.StringIO(part.data.decode(), newline="")))


def test_a_store_error_in_the_bulk_read_reaches_the_job(sql_store, keystrokes):
    from apps.rights.services.exports import _write_blocks
    from apps.stores.base import StoreError

    closed = []

    def failing():
        try:
            yield from SqlConnector(sql_store).stream_blocks(
                keystrokes, ALICE, batch_size=4
            )
            raise StoreError(sql_store, "the store went away")
        finally:
            closed.append(True)

    csv_part = CapturedPart()
    with pytest.raises(StoreError, match="went away"):
        _write_blocks(failing(), CapturedPart(), csv_part, IdleHeartbeat())
    assert closed == [True]
    assert len(csv_part.lines()) == 1 + len(ALICE_IDS)  # Written before it broke.


def test_a_table_changed_under_an_export_is_a_store_error(
    sql_store, keystrokes, events_table
):
    from apps.stores.base import StoreMisconfigured

    connector = SqlConnector(sql_store)
    list(connector.stream_blocks(keystrokes, ALICE))  # The table as it was.
    telemetry_execute(
        f"ALTER TABLE {events_table} RENAME COLUMN typed_text TO typed"  # noqa: S608
    )

    # The driver's own error (the bulk read bypasses SQLAlchemy on
    # PostgreSQL) becomes a StoreError, which the job reports; it is not
    # retried, as a store that is down would be.
    with pytest.raises(StoreMisconfigured, match="typed_text"):
        list(connector.stream_blocks(keystrokes, ALICE))


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "cursor"])
def test_postgresql_reads_the_same_blocks_with_or_without_chunked_rows(
    sql_store, keystrokes, monkeypatch, chunked
):
    if store_engine(sql_store).dialect.name != "postgresql":
        pytest.skip("PostgreSQL's own read")
    import psycopg

    # libpq before 17 cannot send rows in chunks: a server-side cursor then.
    monkeypatch.setattr(
        psycopg.capabilities, "has_stream_chunked", lambda *a, **k: chunked
    )
    connector = SqlConnector(sql_store)
    blocks = list(connector.stream_blocks(keystrokes, ALICE, batch_size=4))

    assert [len(b.rows) for b in blocks] == [4, 2]
    keys = sorted(row[blocks[0].key_position] for row in _rows(blocks))
    assert keys == ALICE_IDS
