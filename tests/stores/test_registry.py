import pytest

from apps.catalog.models import Store
from apps.stores.base import StoreMisconfigured
from apps.stores.files import FileStoreConnector
from apps.stores.http import HttpConnector
from apps.stores.manual import ManualConnector
from apps.stores.redis import RedisConnector
from apps.stores.registry import get_connector
from apps.stores.sql import SqlConnector


@pytest.mark.parametrize(
    ("kind", "connector_class"),
    [
        ("sql", SqlConnector),
        ("files", FileStoreConnector),
        ("redis", RedisConnector),
        ("http", HttpConnector),
        ("manual", ManualConnector),
    ],
)
def test_it_picks_the_connector_for_the_kind(kind, connector_class):
    store = Store(key="s", name="A store", kind=kind)

    connector = get_connector(store)

    assert type(connector) is connector_class
    assert connector.store is store


@pytest.mark.parametrize("kind", ["ftp", ""])
def test_other_kinds_have_no_connector(kind):
    store = Store(key="s", name="A store", kind=kind)

    with pytest.raises(
        StoreMisconfigured, match=f"A store.*no connector for kind '{kind}'"
    ):
        get_connector(store)
