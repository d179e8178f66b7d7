"""Rectification (GDPR Art. 16) through the SQL and file connectors, and the
rules every connector applies before touching a store."""

import datetime as dt

import pytest

from apps.catalog.models import Field
from apps.stores.base import StoreMisconfigured
from apps.stores.files import FileStoreConnector
from apps.stores.sql import SqlConnector
from tests.stores.scratch import ALICE, ROWS, T0, remaining_rows, telemetry_execute

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)

BEFORE = [(pk, serial, text, title, ms) for pk, serial, _h, text, title, ms in ROWS]


@pytest.fixture
def listed(keystrokes):
    """The catalog lists every column of the table but the primary key."""
    for name in ("device_serial", "captured_at", "typed_text", "window_title"):
        Field.objects.create(
            dataset=keystrokes, name=name, data_category="user.behavior"
        )
    return keystrokes


def test_it_updates_one_field_of_the_subjects_own_row(sql_store, listed):
    updated = SqlConnector(sql_store).rectify(
        listed, ALICE, "4", {"window_title": "Calendar"}
    )

    assert updated == 1
    expected = [
        (4, "SN-ALICE-1", "alice c", "Calendar", 40) if row[0] == 4 else row
        for row in BEFORE
    ]
    assert remaining_rows(listed.location) == expected


def test_another_persons_row_is_never_touched(sql_store, listed):
    connector = SqlConnector(sql_store)

    # Row 2 is Bob's; 99 is nobody's; "x" cannot be a key of this table.
    for key in ("2", "99", "x"):
        assert connector.rectify(listed, ALICE, key, {"typed_text": "forged"}) == 0
    assert connector.rectify(listed, [], "1", {"typed_text": "forged"}) == 0

    assert remaining_rows(listed.location) == BEFORE


def test_a_timestamp_may_be_corrected_from_iso_text(sql_store, listed):
    SqlConnector(sql_store).rectify(
        listed, ALICE, "1", {"captured_at": "2026-11-01T08:30:00+00:00"}
    )

    stamp = telemetry_execute(
        f"SELECT captured_at FROM {listed.location} WHERE id = 1"
    )[0][0]
    assert stamp.astimezone(dt.UTC) == T0 - dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "no changes"),
        ({"id": 5}, "'id' is the record's primary key or subject field"),
        ({"device_serial": "SN-BOB-1"}, "primary key or subject field"),
        ({"duration_ms": 1}, "'duration_ms' is not a field the catalog lists"),
        ({"captured_at": "yesterday"}, "'captured_at' cannot hold a value"),
    ],
)
def test_it_refuses_changes_the_catalog_does_not_allow(
    sql_store, listed, changes, message
):
    with pytest.raises(ValueError, match=message):
        SqlConnector(sql_store).rectify(listed, ALICE, "1", changes)

    assert remaining_rows(listed.location) == BEFORE


def test_a_field_the_table_lacks_is_misconfigured(sql_store, listed):
    Field.objects.create(dataset=listed, name="mood", data_category="user.behavior")

    with pytest.raises(StoreMisconfigured, match="column 'mood' does not exist"):
        SqlConnector(sql_store).rectify(listed, ALICE, "1", {"mood": "fine"})


def test_a_file_cannot_be_rectified(catalog):
    screens = catalog["screens"]
    Field.objects.create(dataset=screens, name="name", data_category="user.content")

    with pytest.raises(StoreMisconfigured, match="a file cannot be rectified"):
        FileStoreConnector(screens.store).rectify(
            screens,
            ["SN-ALICE-1"],
            "captures/SN-ALICE-1/2026-11-05/1.png",
            {"name": "x.png"},
        )
