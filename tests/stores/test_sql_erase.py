"""SqlConnector erasure: batched deletes and masks, idempotent, nobody else touched."""

import hashlib
import hmac

import pytest
from django.conf import settings

from apps.catalog.models import Field
from apps.stores.base import StoreMisconfigured
from apps.stores.sql import REDACTED, SqlConnector
from tests.stores.scratch import (
    ALICE,
    BOB,
    CHARLIE,
    ROWS,
    insert_events,
    make_dataset,
    remaining_rows,
)

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

UNTOUCHED = [
    (pk, serial, text, title, ms)
    for pk, serial, _hours, text, title, ms in ROWS
    if serial not in ALICE
]


def _hmac(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _masked(dataset, **masks) -> None:
    for name, mask in masks.items():
        Field.objects.create(
            dataset=dataset, name=name, data_category="user.device", mask=mask
        )


def test_it_deletes_in_batches_and_spares_everyone_else(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    assert connector.erase(keystrokes, ALICE, batch_size=4) == 6

    assert remaining_rows(keystrokes.location) == UNTOUCHED
    assert connector.verify(keystrokes, ALICE) == 0
    assert connector.verify(keystrokes, BOB) == 2
    assert connector.verify(keystrokes, CHARLIE) == 2


def test_a_second_deletion_finds_nothing(sql_store, keystrokes):
    connector = SqlConnector(sql_store)
    connector.erase(keystrokes, ALICE, batch_size=2)

    assert connector.erase(keystrokes, ALICE, batch_size=2) == 0
    assert remaining_rows(keystrokes.location) == UNTOUCHED


def test_erasing_nobody_touches_nothing(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    assert connector.erase(keystrokes, [], batch_size=2) == 0
    assert connector.erase(keystrokes, ["SN-NOBODY"], batch_size=2) == 0
    assert len(remaining_rows(keystrokes.location)) == len(ROWS)


def test_a_batch_exactly_the_size_of_the_subject_finishes(sql_store, keystrokes):
    connector = SqlConnector(sql_store)

    assert connector.erase(keystrokes, ALICE, batch_size=6) == 6
    assert connector.erase(keystrokes, ALICE, batch_size=3) == 0
    assert connector.verify(keystrokes, ALICE) == 0


def test_it_masks_by_each_fields_strategy(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, erasure_strategy="mask")
    _masked(
        dataset,
        device_serial="hash",
        typed_text="redact",
        window_title="null",
        duration_ms="redact",  # not text: nothing but NULL is left
    )
    connector = SqlConnector(sql_store)

    assert connector.erase(dataset, ALICE, batch_size=4) == 6

    rows = remaining_rows(events_table)
    masked = [row for row in rows if row[0] not in {pk for pk, *_ in UNTOUCHED}]
    assert masked == [
        (pk, _hmac(serial), REDACTED, None, None)
        for pk, serial, *_ in ROWS
        if serial in ALICE
    ]
    assert [row for row in rows if row not in masked] == UNTOUCHED
    assert _hmac("SN-ALICE-1") != _hmac("SN-ALICE-2")
    assert connector.verify(dataset, ALICE) == 0
    assert connector.summarize(dataset, BOB).count == 2


@pytest.mark.parametrize(("mask", "expected"), [("null", None), ("redact", REDACTED)])
def test_a_masked_subject_no_longer_counts(
    sql_store, program, events_table, mask, expected
):
    dataset = make_dataset(sql_store, program, events_table, erasure_strategy="mask")
    _masked(dataset, device_serial=mask)
    connector = SqlConnector(sql_store)

    assert connector.erase(dataset, ALICE, batch_size=2) == 6
    assert connector.erase(dataset, ALICE, batch_size=2) == 0

    rows = remaining_rows(events_table)
    assert [row[1] for row in rows if row[0] == 1] == [expected]
    # Only the subject field was masked: the rest of the row stays.
    assert [row[2] for row in rows if row[0] == 1] == ["alice a"]
    assert connector.verify(dataset, ALICE) == 0
    assert [row for row in rows if row[1] not in (None, REDACTED)] == UNTOUCHED


def test_a_second_masking_finds_nothing(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, erasure_strategy="mask")
    _masked(dataset, device_serial="hash", typed_text="redact")
    connector = SqlConnector(sql_store)
    connector.erase(dataset, ALICE, batch_size=5)
    before = remaining_rows(events_table)

    assert connector.erase(dataset, ALICE, batch_size=5) == 0
    assert remaining_rows(events_table) == before


def test_masking_needs_a_mask_on_the_subject_field(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, erasure_strategy="mask")
    _masked(dataset, typed_text="redact")

    with pytest.raises(StoreMisconfigured, match="subject field 'device_serial'"):
        SqlConnector(sql_store).erase(dataset, ALICE)
    assert len(remaining_rows(events_table)) == len(ROWS)


def test_hashing_is_only_for_the_subject_field(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, erasure_strategy="mask")
    _masked(dataset, device_serial="null", typed_text="hash")

    with pytest.raises(StoreMisconfigured, match="'typed_text' cannot be masked"):
        SqlConnector(sql_store).erase(dataset, ALICE)
    assert len(remaining_rows(events_table)) == len(ROWS)


def test_nulling_a_not_null_subject_is_misconfigured(sql_store, program, scratch_table):
    table = scratch_table(subject_null=False)
    insert_events(table, ROWS)
    dataset = make_dataset(sql_store, program, table, erasure_strategy="mask")
    _masked(dataset, device_serial="null")

    with pytest.raises(StoreMisconfigured, match="Telemetry DB"):
        SqlConnector(sql_store).erase(dataset, ALICE)
    assert len(remaining_rows(table)) == len(ROWS)


def test_a_table_cannot_be_erased_as_files(sql_store, program, events_table):
    dataset = make_dataset(
        sql_store, program, events_table, erasure_strategy="delete_files"
    )

    with pytest.raises(StoreMisconfigured, match="'delete_files'"):
        SqlConnector(sql_store).erase(dataset, ALICE)
