"""Signed checkpoints pin the chain: a forged one, or a cut tail, is named."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.audit.models import AuditCheckpoint, AuditRecord, AuditVerification
from apps.audit.services import audit_checkpoint_create, audit_record_access
from apps.audit.verify import CHECKPOINT, chain_walk
from tests.audit.conftest import tamper

CHECKPOINTS = "audit_auditcheckpoint"


def test_an_intact_walk_signs_the_head_once(chain):
    call_command("verify_audit")
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.record_hash) == (6, chain[-1].hash)
    assert len(checkpoint.signature) == 64
    call_command("verify_audit")
    assert AuditCheckpoint.objects.count() == 1
    assert "last checkpoint #6" in AuditVerification.objects.latest().message


def test_a_broken_chain_is_never_signed(chain):
    tamper("DELETE FROM audit_auditrecord WHERE seq = 2")
    with pytest.raises(ValueError, match="Refusing to sign"):
        audit_checkpoint_create(report=chain_walk())
    assert not AuditCheckpoint.objects.exists()


def test_a_tampered_signature_is_named(chain):
    call_command("verify_audit")
    tamper(
        f"UPDATE {CHECKPOINTS} SET seq = 5, record_hash = %s",
        [chain[4].hash],
        table=CHECKPOINTS,
    )
    with pytest.raises(CommandError, match=r"Checkpoint at record #5 .* forged"):
        call_command("verify_audit")
    assert chain_walk().kind == CHECKPOINT


def test_a_checkpoint_signed_with_an_unknown_key_is_named(chain, settings):
    call_command("verify_audit")
    settings.AUDIT_SIGNING_KEY = "a new key nobody configured a fallback for"
    report = chain_walk()
    assert report.kind == CHECKPOINT
    assert "which is not configured" in report.problem


def test_a_rotated_key_still_verifies_through_the_fallbacks(chain, settings):
    settings.AUDIT_SIGNING_KEY = "first key"
    call_command("verify_audit")
    settings.AUDIT_SIGNING_KEY = "second key"
    settings.AUDIT_SIGNING_KEY_FALLBACKS = ["first key"]
    assert chain_walk().ok


def test_a_removed_tail_is_named_through_the_checkpoint(chain):
    call_command("verify_audit")
    tamper("DELETE FROM audit_auditrecord WHERE seq >= 5")
    with pytest.raises(CommandError, match=r"Records #5 to #6 were removed"):
        call_command("verify_audit")


def test_a_rewritten_history_no_longer_matches_its_checkpoint(chain):
    call_command("verify_audit")
    # Everything up to the checkpoint re-hashed consistently would still
    # leave #6 with another hash than the one signed.
    tamper("UPDATE audit_auditrecord SET hash = %s WHERE seq = 6", ["e" * 64])
    with pytest.raises(CommandError, match=r"Record #6"):
        call_command("verify_audit")


def test_the_hourly_walk_starts_at_the_newest_checkpoint(chain, alice):
    call_command("verify_audit")
    audit_record_access(
        actor=alice.user, subject=alice, action="read_counts", purpose="x"
    )
    call_command("verify_audit", since_checkpoint=True)
    latest = AuditVerification.objects.latest()
    assert (latest.ok, latest.records, latest.last_seq) == (True, 1, 7)
    assert AuditCheckpoint.objects.order_by("-seq").first().seq == 7
    assert AuditRecord.objects.count() == 7
