"""SqlConnector on a table of 20,000 rows: streamed and erased in batches."""

import datetime as dt

import pytest

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
