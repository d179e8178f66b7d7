"""A Redis restart in the middle of a batch of requests: the broker is
killed (SIGKILL) while requests are being filed and worked on, and comes
back empty; every queued message is lost, sends fail while it is down. The
job rows (the outbox) and the sweeper complete every request all the same.

The broker is a redis-server of this test's own, on a port of its own: the
shared one is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest
from django.utils import timezone

from apps.rights.models import Job, JobStatus, Request
from apps.rights.services.lifecycle import request_file
from apps.rights.services.sweeper import GRACE, jobs_redrive
from portal.celery import app as celery_app
from tests.conftest import make_employee
from tests.faults.conftest import WORKER_SETTINGS, alice_archive_is_whole
from tests.faults.workers import RedisServer, sending_to, start_worker, stop_worker
from tests.worker import wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the Redis restart: redis-server is missing")
        pytest.skip("redis-server is not installed; CI (CI=true) always runs this")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@contextlib.contextmanager
def broker(url: str):
    """This process sends its tasks through `url` until the block ends."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.broker_transport_options
    # Celery reads CELERY_BROKER_URL from the environment before its
    # configuration: both must name the test's broker.
    previous_env = os.environ.get("CELERY_BROKER_URL")
    _forget_connections()
    os.environ["CELERY_BROKER_URL"] = conf.broker_url = url
    conf.broker_transport_options = {"visibility_timeout": 900}
    try:
        yield
    finally:
        _forget_connections()
        conf.broker_url, conf.broker_transport_options = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env


def _forget_connections() -> None:
    # The app's pooled connections (and producers on them) lead to the
    # broker they were opened on. Celery.close() would drop them too, but
    # also unregister the app, leaving its tasks unknown to later imports.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _file(employee) -> Request:
    return request_file(subject=employee, kind="access", filed_by=employee.user)


def _staff(alice, bob) -> list:
    return [alice, bob] + [
        make_employee(f"staff{i}", number=f"E1{i:04}", device=f"SN-STAFF-{i}")
        for i in range(8)
    ]


def _all_complete(scenario: dict) -> None:
    """The sweeper every half second, as beat would run it, until every
    request is completed."""
    sweeps = []

    def beat() -> bool:
        sweeps.append(jobs_redrive(now=timezone.now() + GRACE))
        return not Request.objects.exclude(status="completed").exists()

    wait_until(beat, timeout=120, interval=0.5)
    scenario["sweeps"] = len(sweeps)
    scenario["redriven"] = sum(s["pending"] + s["stale"] for s in sweeps)


def _nothing_lost(snapshot, alice_request) -> None:
    assert Request.objects.count() == 10
    assert set(Request.objects.values_list("status", flat=True)) == {"completed"}
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
    alice_archive_is_whole(Request.objects.get(pk=alice_request.pk), snapshot)
    assert snapshot.others_unchanged()


def test_redis_restart_mid_batch(alice, bob, catalog, snapshot, own_redis, scenario):
    """Killed while requests are queued and worked on; restarted empty."""
    staff = _staff(alice, bob)
    worker = start_worker({**WORKER_SETTINGS, "CELERY_BROKER_URL": own_redis.url})
    try:
        with broker(own_redis.url), sending_to(worker):
            before = [_file(employee) for employee in staff[:6]]
            wait_until(
                lambda: Request.objects.filter(status="completed").exists(),
                timeout=60,
                interval=0.05,
            )
            own_redis.kill()
            scenario["open_at_kill"] = Request.objects.exclude(
                status="completed"
            ).count()
            own_redis.start()  # Empty: no RDB, no AOF.
            for employee in staff[6:]:
                _file(employee)
            _all_complete(scenario)
    finally:
        stop_worker(worker)

    _nothing_lost(snapshot, before[0])
    scenario["end"] = "all 10 requests completed, alice's ZIP whole and correct"


def test_filing_while_redis_is_down(alice, bob, catalog, snapshot, own_redis, scenario):
    """Requests filed while the broker is down: the web answers, the sends
    fail, the outbox keeps the work; filed after the restart, they run."""
    staff = _staff(alice, bob)
    worker = start_worker({**WORKER_SETTINGS, "CELERY_BROKER_URL": own_redis.url})
    try:
        with broker(own_redis.url), sending_to(worker):
            first = _file(staff[0])
            own_redis.kill()
            during = [_file(employee) for employee in staff[1:7]]
            own_redis.start()
            for request in during:
                assert [j.status for j in Job.objects.filter(request=request)] == [
                    JobStatus.PENDING
                ] * 2, "a send reached a broker that was down"
            for employee in staff[7:]:
                _file(employee)
            _all_complete(scenario)
    finally:
        stop_worker(worker)

    _nothing_lost(snapshot, first)
    scenario["end"] = "all 10 requests completed, alice's ZIP whole and correct"
