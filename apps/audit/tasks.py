"""Scheduled checks of the audit chain (beat entries in portal/settings.py)."""

from celery import shared_task

from apps.audit.services import audit_chain_verify


@shared_task(name="apps.audit.tasks.verify_audit_chain")
def verify_audit_chain() -> None:
    """Walk the whole chain; officers are e-mailed if it is broken."""
    audit_chain_verify(alert=True)


@shared_task(name="apps.audit.tasks.checkpoint_audit_chain")
def checkpoint_audit_chain() -> None:
    """Verify what follows the newest checkpoint and sign the new head."""
    audit_chain_verify(from_checkpoint=True, alert=True)
