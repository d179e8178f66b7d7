"""A worker keeps its database connection from task to task, and replaces
one that broke (portal/celery.py, CELERY_DB_REUSE_MAX)."""

import psycopg
import pytest
from django.db import connection

from apps.stores.models import StoreStatus
from apps.stores.tasks import probe_stores
from portal.celery import recycle_database_connections
from tests.worker import database_url, running_worker, wait_until

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="connections kept on PostgreSQL"
    ),
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]


def _other_backends() -> set[int]:
    """Backends connected to the portal's database, but for this process's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.worker
def test_the_worker_uses_one_connection_for_consecutive_tasks(catalog):
    before = _other_backends()
    with running_worker():
        probe_stores.delay()
        wait_until(lambda: StoreStatus.objects.count() == 2)
        first = _other_backends() - before
        StoreStatus.objects.all().delete()
        probe_stores.delay()
        wait_until(lambda: StoreStatus.objects.count() == 2)
        second = _other_backends() - before
    # Celery's default closes the connection after each task: none would be
    # left between tasks, and the second task would open another.
    assert len(first) == 1, first
    assert second == first


def test_a_connection_that_broke_is_replaced_at_the_next_task():
    connection.ensure_connection()
    broken = connection.connection.info.backend_pid
    with psycopg.connect(database_url("default"), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [broken])
    recycle_database_connections(task=probe_stores)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (replacement,) = cursor.fetchone()
    assert replacement != broken


def test_an_eager_task_leaves_its_callers_connection_alone(monkeypatch):
    # A connection due to close at once, were the task not eager.
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    connection.ensure_connection()
    kept = connection.connection
    probe_stores.apply()  # eager: runs in this process, in its connection
    assert connection.connection is kept
