"""Writes about stores: probing their health."""

import logging
import time

from django.utils import timezone

from apps.catalog.models import Store
from apps.stores.base import StoreError
from apps.stores.models import StoreStatus
from apps.stores.registry import get_connector

logger = logging.getLogger(__name__)


def store_probe(*, store: Store) -> StoreStatus:
    """Ask the store's connector whether it answers and record the outcome.

    Never raises for a store's failure: the failure is what gets recorded.
    """
    started = time.monotonic()
    error = ""
    try:
        get_connector(store).check()
    except StoreError as exc:
        error = exc.reason
    except Exception as exc:
        # A connector bug must not stop the probe of every other store; it is
        # logged in full and recorded without detail.
        logger.exception("Probe of store %s failed unexpectedly", store.key)
        error = f"unexpected error ({type(exc).__name__})"
    latency_ms = round((time.monotonic() - started) * 1000)
    status, _ = StoreStatus.objects.update_or_create(
        store=store,
        defaults={
            "checked_at": timezone.now(),
            "ok": not error,
            "error": error,
            "latency_ms": latency_ms,
        },
    )
    return status


def store_probe_all() -> list[StoreStatus]:
    """Probe every store in the catalog, one after another."""
    return [store_probe(store=store) for store in Store.objects.order_by("key")]
