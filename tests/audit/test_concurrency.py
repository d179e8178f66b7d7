"""Many writers at once still make one gapless chain (real commits, threads)."""

import threading

import pytest
from django.db import connection, connections

from apps.audit.models import AuditRecord
from apps.audit.services import AuditEntry, audit_record_access, audit_record_many
from apps.audit.verify import chain_walk

WRITERS = 8
ROUNDS = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_gapless_chain(alice, officer):
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for round_ in range(ROUNDS):
                if (n + round_) % 2:
                    audit_record_access(
                        actor=officer,
                        subject=alice,
                        action="read_records",
                        purpose=f"writer {n}",
                    )
                else:
                    entry = AuditEntry(
                        actor=alice.user,
                        subject=alice,
                        action="read_counts",
                        purpose=f"writer {n}",
                    )
                    audit_record_many(entries=[entry] * 3)
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = sum(
        1 if (n + r) % 2 else 3 for n in range(WRITERS) for r in range(ROUNDS)
    )
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))
    report = chain_walk()
    assert (report.ok, report.records, report.problem) == (True, expected, "")
    # Timestamps follow the chain: the lock is held until each commit.
    stamps = list(
        AuditRecord.objects.order_by("seq").values_list("created_at", flat=True)
    )
    assert stamps == sorted(stamps)
    assert connection.vendor in {"postgresql", "sqlite"}
