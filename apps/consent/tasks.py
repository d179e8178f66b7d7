"""Celery entry points for consent: thin, each calls a service."""

from celery import shared_task

from apps.consent.mirror import mirror_repair
from apps.consent.services import consent_expire_due


@shared_task(name="apps.consent.tasks.expire_due")
def expire_due() -> int:
    """Expire grants past their expiry (beat "consent-expire-due")."""
    return consent_expire_due()


@shared_task(name="apps.consent.tasks.repair_mirror")
def repair_mirror(force: bool = False) -> bool:
    """Re-sync the Redis mirror if a write was lost (beat "consent-mirror-repair",
    and forced by beat "consent-mirror-resync" for catalog and roster edits)."""
    return mirror_repair(force=force)
