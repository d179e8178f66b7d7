"""Celery entry points for reports: thin, each takes ids and calls a service."""

from celery import shared_task

from apps.reports.services import bundle_build


@shared_task(
    name="apps.reports.tasks.build_bundle",
    soft_time_limit=840,
    time_limit=900,
)
def build_bundle(bundle_id: int) -> str:
    """Build a pending evidence bundle; returns its status (or "skipped" when
    another worker has it). A failure is recorded on the row (last_error)."""
    bundle = bundle_build(bundle_id=bundle_id)
    return bundle.status if bundle else "skipped"
