"""On PostgreSQL an append is one round trip to the database, batch or not.

Counted on the wire: libpq's protocol trace lists every message the client
sends. Outside a transaction, an append must send one Query and nothing
else (no BEGIN, no COMMIT, no separate lock or head read).
"""

import tempfile
from contextlib import contextmanager

import pytest
from django.db import connection
from psycopg import pq

from apps.audit.models import AuditRecord
from apps.audit.services import AuditEntry, audit_record_access, audit_record_many
from apps.audit.verify import chain_walk

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def client_messages():
    """The types of the protocol messages the client sends in the block."""
    # Connected and health-checked first, so only the block's messages count.
    AuditRecord.objects.exists()
    pgconn = connection.connection.pgconn
    sent: list[str] = []
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield sent
        finally:
            pgconn.untrace()
        trace.seek(0)
        for line in trace:
            direction, _length, kind = line.split("\t")[:3]
            if direction == "F":
                sent.append(kind)


def test_one_append_is_one_query(alice, officer):
    assert connection.get_autocommit()
    with client_messages() as sent:
        record = audit_record_access(
            actor=officer,
            subject=alice,
            action="read_records",
            purpose="Case 7: data leak",
            detail={"case_id": 7},
        )
    assert sent == ["Query"]
    stored = AuditRecord.objects.get()
    assert (stored.pk, stored.seq, stored.hash) == (record.pk, 1, record.hash)
    assert chain_walk().ok


def test_a_batch_is_one_query(alice, officer):
    audit_record_access(actor=officer, subject=alice, action="read_counts", purpose="x")
    entries = [
        AuditEntry(
            actor=alice.user,
            subject=alice,
            action="read_counts",
            purpose="Subject viewing their own data",
            dataset_key=f"dataset-{n}",
        )
        for n in range(10)
    ]
    with client_messages() as sent:
        records = audit_record_many(entries=entries)
    assert sent == ["Query"]
    assert [r.seq for r in records] == list(range(2, 12))
    report = chain_walk()
    assert (report.ok, report.records) == (True, 11)
