"""Probing stores: the service, the Celery task, the selector and the admin."""

import pytest
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory

from apps.catalog.models import Store
from apps.stores.admin import StoreStatusAdmin
from apps.stores.models import StoreStatus
from apps.stores.selectors import store_status_for
from apps.stores.services import store_probe, store_probe_all
from apps.stores.tasks import probe_stores
from tests.stores.scratch import make_dataset

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


@pytest.fixture
def stores(sql_store, keystrokes, program, tmp_path, settings) -> dict[str, Store]:
    settings.H3_PROBE_ROOT = str(tmp_path)
    broken = Store.objects.create(
        key="broken-db",
        name="Broken DB",
        kind="sql",
        connection={"database_alias": "telemetry"},
    )
    make_dataset(broken, program, "h3_no_such_table", key="broken")
    return {
        "ok": sql_store,
        "broken": broken,
        "files": Store.objects.create(
            key="files",
            name="Files",
            kind="files",
            connection={"root_setting": "H3_PROBE_ROOT"},
        ),
        "redis": Store.objects.create(key="cache", name="Cache", kind="redis"),
    }


def test_it_records_a_store_that_answers(stores):
    status = store_probe(store=stores["ok"])

    status.refresh_from_db()
    assert (status.store, status.ok, status.error) == (stores["ok"], True, "")
    assert status.checked_at is not None
    assert status.latency_ms >= 0


def test_it_records_a_failing_store_without_raising(stores):
    status = store_probe(store=stores["broken"])

    status.refresh_from_db()
    assert status.ok is False
    assert status.error == "table 'h3_no_such_table' does not exist"


def test_a_second_probe_overwrites_the_first(stores, settings, tmp_path):
    first = store_probe(store=stores["files"])
    settings.H3_PROBE_ROOT = str(tmp_path / "gone")

    second = store_probe(store=stores["files"])

    assert second.pk == first.pk
    assert StoreStatus.objects.filter(store=stores["files"]).count() == 1
    assert second.ok is False
    assert "does not exist" in second.error


def test_it_probes_every_store(stores):
    statuses = store_probe_all()

    assert {s.store.key: s.ok for s in statuses} == {
        "telemetry-db": True,
        "broken-db": False,
        "files": True,
        "cache": False,
    }
    assert StoreStatus.objects.count() == 4


def test_the_task_probes_every_store(stores):
    assert probe_stores() == 2

    assert dict(StoreStatus.objects.values_list("store__key", "ok")) == {
        "telemetry-db": True,
        "broken-db": False,
        "files": True,
        "cache": False,
    }
    assert probe_stores.name == "apps.stores.tasks.probe_stores"


def test_the_selector_returns_only_the_stores_asked_for(stores):
    store_probe_all()

    found = store_status_for(stores=[stores["ok"], stores["redis"]])

    assert sorted(found) == ["cache", "telemetry-db"]
    assert found["cache"].error == (
        "connection must name exactly one of url_env, url_setting"
    )
    assert store_status_for(stores=[]) == {}


def test_the_admin_is_read_only(stores, admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    admin = StoreStatusAdmin(StoreStatus, AdminSite())

    assert admin.has_view_permission(request)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
