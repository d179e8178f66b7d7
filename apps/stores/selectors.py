"""Reads about stores."""

from collections.abc import Iterable

from apps.catalog.models import Store
from apps.stores.models import StoreStatus


def store_status_for(*, stores: Iterable[Store]) -> dict[str, StoreStatus]:
    """The latest status of each given store that has been probed, by store key."""
    ids = [store.pk for store in stores]
    statuses = StoreStatus.objects.filter(store_id__in=ids).select_related("store")
    return {status.store.key: status for status in statuses}
