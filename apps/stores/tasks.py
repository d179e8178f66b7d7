"""Celery entry points for stores: thin, each calls a service."""

from celery import shared_task

from apps.stores.services import store_probe_all


@shared_task(name="apps.stores.tasks.probe_stores")
def probe_stores() -> int:
    """Probe every store (beat: settings.CELERY_BEAT_SCHEDULE "probe-stores").

    Returns how many stores answered, for the worker's log.
    """
    return sum(status.ok for status in store_probe_all())
