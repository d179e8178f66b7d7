"""Appends made inside a caller's transaction commit or roll back with it,
and hold the chain until it ends."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from apps.audit.chain import GENESIS_HASH
from apps.audit.models import AuditRecord
from apps.audit.services import AuditEntry, audit_record_access, audit_record_many
from apps.audit.verify import chain_walk

pytestmark = pytest.mark.django_db(transaction=True)


def read(officer, subject, purpose: str = "Case 7: data leak"):
    return audit_record_access(
        actor=officer, subject=subject, action="read_records", purpose=purpose
    )


def test_an_append_rolls_back_with_its_transaction(alice, officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        read(officer, alice, "rolled back")
        raise RuntimeError("the caller failed")
    assert not AuditRecord.objects.exists()
    # The chain goes on from where the committed log ends.
    record = read(officer, alice)
    assert (record.seq, record.prev_hash) == (1, GENESIS_HASH)


def test_appends_commit_with_their_transaction(alice, bob, officer):
    with transaction.atomic():
        first = read(officer, alice)
        entry = AuditEntry(
            actor=officer, subject=bob, action="read_counts", purpose="p"
        )
        rest = audit_record_many(entries=[entry, entry])
    assert [first.seq] + [r.seq for r in rest] == [1, 2, 3]
    assert rest[0].prev_hash == first.hash
    assert list(AuditRecord.objects.order_by("seq").values_list("hash", flat=True)) == [
        first.hash,
        rest[0].hash,
        rest[1].hash,
    ]
    report = chain_walk()
    assert (report.ok, report.records) == (True, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory lock")
def test_another_writer_waits_for_the_callers_commit(alice, bob, officer):
    done: list = []

    def other_writer() -> None:
        try:
            done.append(read(officer, bob, "second"))
        finally:
            connections.close_all()

    with transaction.atomic():
        first = read(officer, alice, "first")
        writer = threading.Thread(target=other_writer)
        writer.start()
        _wait_for_a_lock_wait()
        assert done == []
    writer.join()
    # Numbered in commit order, linked to the record committed before it.
    assert (done[0].seq, done[0].prev_hash) == (2, first.hash)
    assert chain_walk().ok


def _wait_for_a_lock_wait() -> None:
    """Until another session waits for an advisory lock (at most ~10 s)."""
    with connections["default"].cursor() as cursor:
        for _ in range(1000):
            cursor.execute(
                "SELECT count(*) FROM pg_locks "
                "WHERE locktype = 'advisory' AND NOT granted"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other writer never waited for the chain lock")
