"""Which connector serves which kind of store."""

from apps.catalog.models import Store, StoreKind
from apps.stores.base import Connector, StoreMisconfigured
from apps.stores.files import FileStoreConnector
from apps.stores.http import HttpConnector
from apps.stores.manual import ManualConnector
from apps.stores.redis import RedisConnector
from apps.stores.sql import SqlConnector

CONNECTORS: dict[str, type[Connector]] = {
    StoreKind.SQL: SqlConnector,
    StoreKind.FILES: FileStoreConnector,
    StoreKind.REDIS: RedisConnector,
    StoreKind.HTTP: HttpConnector,
    StoreKind.MANUAL: ManualConnector,
}


def get_connector(store: Store) -> Connector:
    """A connector for the store; StoreMisconfigured if its kind has none yet."""
    try:
        connector_class = CONNECTORS[store.kind]
    except KeyError:
        raise StoreMisconfigured(
            store, f"no connector for kind '{store.kind}'"
        ) from None
    return connector_class(store)
