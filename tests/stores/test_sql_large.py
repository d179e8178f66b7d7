"""SqlConnector on a table of 20,000 rows: streamed and erased in batches."""

import datetime as dt

import psycopg
import pytest
import sqlalchemy as sa

from apps.stores.engines import store_engine
from apps.stores.sql import SqlConnector
from tests.stores.scratch import make_dataset, telemetry_execute

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

ROWS = 20_000
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def big_table(scratch_table) -> str:
    table = scratch_table()
    # Two rows in five are alice's (12,000 rows over two devices), the rest bob's.
    rows = [
        (
            pk,
            ("SN-ALICE-1", "SN-ALICE-2", "SN-BOB-1", "SN-BOB-1", "SN-ALICE-1")[pk % 5],
            T0 + dt.timedelta(seconds=pk),
            f"text {pk}",
            "Editor",
            pk,
        )
        for pk in range(1, ROWS + 1)
    ]
    telemetry_execute(
        f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s)", rows, many=True
    )
    return table


def test_it_streams_and_erases_a_large_table(sql_store, program, big_table):
    dataset = make_dataset(sql_store, program, big_table)
    connector = SqlConnector(sql_store)
    alice = ["SN-ALICE-1", "SN-ALICE-2"]

    keys = [r.key for r in connector.stream(dataset, alice, batch_size=1000)]

    assert len(keys) == 12_000
    assert len(set(keys)) == 12_000
    assert keys == sorted(keys, key=int)
    assert connector.erase(dataset, alice, batch_size=1000) == 12_000
    assert connector.verify(dataset, alice) == 0
    assert connector.verify(dataset, ["SN-BOB-1"]) == 8_000
    (remaining,) = telemetry_execute(f"SELECT count(*) FROM {big_table}")
    assert remaining == (8_000,)


def test_each_batch_is_its_own_statement(sql_store, program, big_table):
    dataset = make_dataset(sql_store, program, big_table)
    deleted_per_statement = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE"):
            deleted_per_statement.append(cursor.rowcount)

    engine = store_engine(sql_store)
    sa.event.listen(engine, "after_cursor_execute", count)
    try:
        erased = SqlConnector(sql_store).erase(dataset, ["SN-BOB-1"], batch_size=3000)
    finally:
        sa.event.remove(engine, "after_cursor_execute", count)

    assert erased == 8_000
    assert deleted_per_statement == [3000, 3000, 2000]


def test_the_stream_reads_through_a_server_side_cursor(sql_store, program, big_table):
    dataset = make_dataset(sql_store, program, big_table)
    cursors = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if context.execution_options.get("stream_results"):
            cursors.append((type(cursor), context.execution_options["yield_per"]))

    engine = store_engine(sql_store)
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        stream = SqlConnector(sql_store).stream(dataset, ["SN-BOB-1"], batch_size=500)
        first = next(stream)
        stream.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)

    assert first.key == "2"
    ((cursor_class, yield_per),) = cursors
    assert yield_per == 500
    if engine.dialect.name == "postgresql":
        assert issubclass(cursor_class, psycopg.ServerCursor)
