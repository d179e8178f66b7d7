"""A real Celery worker process takes work from the real broker."""

import pytest

from apps.stores.models import StoreStatus
from apps.stores.tasks import probe_stores
from tests.worker import running_worker, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]


def test_it_probes_every_store_through_the_queue(catalog):
    with running_worker() as worker:
        probe_stores.delay()
        wait_until(lambda: StoreStatus.objects.count() == 2)
    statuses = {s.store.key: s for s in StoreStatus.objects.select_related("store")}
    assert set(statuses) == {"mon", "shots"}
    assert all(status.ok for status in statuses.values()), statuses
    assert any("probe_stores" in line for line in worker.log)


def test_a_store_that_is_down_is_recorded_as_failing(catalog):
    catalog["keystrokes"].store.connection = {"url_env": "CANDOR_TEST_NO_SUCH_DB"}
    catalog["keystrokes"].store.save()
    with running_worker():
        probe_stores.delay()
        wait_until(lambda: StoreStatus.objects.count() == 2)
    failing = StoreStatus.objects.get(store__key="mon")
    assert not failing.ok
    assert "CANDOR_TEST_NO_SUCH_DB" in failing.error
    assert StoreStatus.objects.get(store__key="shots").ok
