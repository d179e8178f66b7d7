"""Records altered, removed or inserted behind the application's back are named.

On PostgreSQL every change is first refused by the triggers (asserted in
`tamper`), then made with the triggers disabled, as a DBA could.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError
from django.utils import timezone

from apps.audit.chain import canonical_timestamp, record_hash
from apps.audit.models import AuditRecord, AuditVerification
from apps.audit.verify import ALTERED, INSERTED, REMOVED, chain_walk
from tests.audit.conftest import tamper


def verify_fails(match: str) -> AuditVerification:
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit")
    return AuditVerification.objects.latest()


def test_an_intact_chain_passes(chain, capsys):
    call_command("verify_audit")
    assert "6 records, chain intact" in capsys.readouterr().out
    assert AuditVerification.objects.get().ok


def test_it_names_an_altered_record(chain):
    tamper(
        "UPDATE audit_auditrecord SET purpose = %s WHERE seq = %s",
        ["Subject viewing their own data", 2],
    )
    verification = verify_fails(r"Record #2 was altered")
    assert (verification.ok, verification.problem_seq) == (False, 2)
    assert verification.records == 1
    assert chain_walk().kind == ALTERED


def test_it_names_an_altered_record_whose_hash_was_rewritten(chain):
    record = AuditRecord.objects.get(seq=3)
    record.purpose = "Routine check"
    forged = record_hash(
        seq=3,
        created_at=canonical_timestamp(record.created_at),
        actor_id=record.actor_id,
        actor_label=record.actor_label,
        subject_id=record.subject_id,
        action=record.action,
        dataset_key=record.dataset_key,
        purpose=record.purpose,
        detail=record.detail,
        prev_hash=record.prev_hash,
    )
    tamper(
        "UPDATE audit_auditrecord SET purpose = %s, hash = %s WHERE seq = 3",
        [record.purpose, forged],
    )
    verify_fails(r"Record #3 was altered and its hash rewritten: record #4")


def test_it_names_a_removed_record(chain):
    tamper("DELETE FROM audit_auditrecord WHERE seq = %s", [4])
    verification = verify_fails(r"Record #4 was removed: the log goes from #3 to #5")
    assert verification.problem_seq == 4
    assert chain_walk().kind == REMOVED


def test_it_names_a_record_inserted_in_the_middle(chain, officer, alice):
    # Make room after #3 (in two steps: seq is unique at every row), then
    # slip in a record whose own hash and link are perfectly computed.
    tamper("UPDATE audit_auditrecord SET seq = seq + 1000 WHERE seq > 3")
    tamper("UPDATE audit_auditrecord SET seq = seq - 999 WHERE seq > 1000")
    before = AuditRecord.objects.get(seq=3)
    forged = AuditRecord(
        seq=4,
        created_at=timezone.now(),
        actor=officer,
        actor_label=officer.get_username(),
        subject=alice,
        action="read_records",
        dataset_key="keystrokes",
        purpose="Subject viewing their own data",
        detail={},
        prev_hash=before.hash,
    )
    forged.hash = record_hash(
        seq=4,
        created_at=canonical_timestamp(forged.created_at),
        actor_id=officer.pk,
        actor_label=forged.actor_label,
        subject_id=alice.pk,
        action=forged.action,
        dataset_key=forged.dataset_key,
        purpose=forged.purpose,
        detail={},
        prev_hash=before.hash,
    )
    forged.save()
    verification = verify_fails(r"Record #4 was inserted out of order: record #5")
    assert verification.problem_seq == 4
    assert chain_walk().kind == INSERTED


def test_a_verbatim_replay_is_refused_by_the_database(chain):
    original = AuditRecord.objects.get(seq=2)
    original.pk, original.seq = None, 7
    with pytest.raises(IntegrityError), transaction.atomic():
        original.save()


def test_a_replay_under_a_new_hash_is_named(chain):
    copy = AuditRecord.objects.get(seq=2)
    copy.pk, copy.seq, copy.hash = None, 7, "f" * 64
    copy.save()
    verification = verify_fails(r"Record #7 is forged or replayed: it links to #1")
    assert verification.problem_seq == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL guard")
def test_update_delete_and_truncate_are_refused_on_postgresql(chain):
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE audit_auditrecord SET purpose = 'x'",
            "DELETE FROM audit_auditrecord",
            "TRUNCATE audit_auditrecord",
            "TRUNCATE audit_auditcheckpoint CASCADE",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic():
                    cursor.execute(sql)
    assert AuditRecord.objects.count() == 6
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(seq=1).update(purpose="x")
