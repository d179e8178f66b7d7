"""candor_audit_append() hashes only what it stores: any other shape is refused."""

import json

import pytest
from django.db import connection, transaction
from django.db.utils import DataError

from apps.audit.models import AuditRecord

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL function"
)

GOOD = [7, "olivia", 3, "read_records", "keystrokes", "Case 7", {"page": 1}]


def append(records) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT record_seq FROM candor_audit_append(%s::jsonb)",
            [json.dumps(records)],
        )
        return cursor.fetchall()


@pytest.mark.parametrize(
    "records",
    [
        {"actor_id": 7},
        [GOOD[:6]],
        [GOOD + ["extra"]],
        [["7", *GOOD[1:]]],
        [[*GOOD[:3], None, *GOOD[4:]]],
        [[*GOOD[:6], "{}"]],
        [GOOD, [*GOOD[:6], [1]]],
    ],
)
def test_it_refuses_anything_but_record_bodies(db, records):
    with pytest.raises(DataError, match="candor_audit_append"):
        append(records)
    assert not AuditRecord.objects.exists()


def test_it_refuses_a_fractional_id(db):
    with pytest.raises(DataError, match="bigint"):
        append([[7.5, *GOOD[1:]]])
    assert not AuditRecord.objects.exists()


def test_it_stores_what_it_was_given(db):
    assert append([GOOD, GOOD]) == [(1,), (2,)]
    stored = AuditRecord.objects.order_by("seq")
    assert [
        [r.actor_id, r.actor_label, r.subject_id, r.action, r.dataset_key]
        + [r.purpose, r.detail]
        for r in stored
    ] == [GOOD, GOOD]
