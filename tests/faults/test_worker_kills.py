"""SIGKILL of a worker's pool child, and of the whole worker, at each step of
an erasure and of an access export; then a fresh worker (no fault) and the
sweeper, as beat runs it, finish the request with nothing lost or half done.

The step is chosen by a checkpoint (apps.rights.faults): the worker dies at
exactly that point, once. Each test first proves the kill landed where it
was meant to (the state just after it), then the end state: the request
completed, alice's data erased (or exported whole and correct), everyone
else's rows and files unchanged.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from apps.rights.models import Export, ExportStatus, Job, JobStatus, Request
from apps.rights.services.lifecycle import request_approve, request_file
from apps.rights.services.sweeper import GRACE, jobs_redrive
from tests.faults.conftest import (
    ALICE_SERIAL,
    alice_archive_is_whole,
    officer_page,
    table_rows,
)
from tests.faults.workers import (
    alive,
    sending_to,
    start_worker,
    stop_worker,
    wait_dead,
)
from tests.worker import wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]

SCOPES = ["child", "worker"]


def _jobs(request) -> list[Job]:
    return list(Job.objects.filter(request=request).order_by("pk"))


def _statuses(request) -> list[str]:
    return [job.status for job in _jobs(request)]


def _export_files() -> list[Path]:
    return sorted(
        p for p in Path(settings.RIGHTS_EXPORT_ROOT).rglob("*") if p.is_file()
    )


# What the state must be right after the kill at each point: the proof that
# the worker died where the test meant it to.
def _landed_erase_claimed(request, snapshot):
    return JobStatus.RUNNING in _statuses(request) and not snapshot.alice_gone()


def _landed_after_batch(request, snapshot):
    return len(table_rows("WHERE device_serial = %s", [ALICE_SERIAL])) == 2


def _landed_verified(request, snapshot):
    # One dataset erased and verified (its connector returned), its job not
    # yet done.
    running = [j for j in _jobs(request) if j.status == JobStatus.RUNNING]
    return len(running) == 1 and running[0].records_found is not None


def _landed_before_certificate(request, snapshot):
    # The last job's outcome, the certificate and the request's completion
    # are written in one transaction: a kill before its commit leaves none
    # of them, and the store's erasure (committed) stays done.
    return (
        _landed_verified(request, snapshot)
        and snapshot.alice_gone()
        and not hasattr(Request.objects.get(pk=request.pk), "certificate")
    )


def _landed_export_claimed(request, snapshot):
    return JobStatus.RUNNING in _statuses(request) and not any(
        p.name.endswith(".zip.enc") for p in _export_files()
    )


def _landed_mid_zip(request, snapshot):
    export = Export.objects.get(request=request)
    return export.status == ExportStatus.PENDING and any(
        p.name.endswith(".tmp") for p in _export_files()
    )


def _landed_written(request, snapshot):
    export = Export.objects.get(request=request)
    return export.status == ExportStatus.PENDING and any(
        p.name.endswith(".zip.enc") for p in _export_files()
    )


def _landed_assembled(request, snapshot):
    return Export.objects.get(request=request).status == ExportStatus.READY


ERASURE_POINTS = {
    "erase.claimed": _landed_erase_claimed,
    "erase.after_batch": _landed_after_batch,
    "erase.verified": _landed_verified,
    "finish.before_certificate": _landed_before_certificate,
    "finish.after_certificate": _landed_before_certificate,
}
EXPORT_POINTS = {
    "export.claimed": _landed_export_claimed,
    "assemble.mid_zip": _landed_mid_zip,
    "assemble.written": _landed_written,
    "finish.start": _landed_assembled,
}


def _kill_at(
    point: str, scope: str, env: dict, start_request, scenario: dict
) -> Request:
    """Start a worker that dies at `point`, start the request on it, and
    wait until the fault fired and the process(es) are gone."""
    worker = start_worker(
        {**env, "CANDOR_FAULT_POINT": point + ("@worker" if scope == "worker" else "")}
    )
    marker = Path(env["CANDOR_FAULT_ONCE"])
    started = time.monotonic()
    try:
        with sending_to(worker):
            request = start_request()
        try:
            wait_until(marker.exists, timeout=90, interval=0.05)
        except AssertionError:
            raise AssertionError(
                f"the worker never reached {point}; it said:\n"
                + "".join(worker.log[-60:])
            ) from None
        killed = int(marker.read_text().split()[0])
        wait_dead(killed)
        if scope == "worker":
            worker.process.wait(timeout=30)
        else:
            assert alive(worker.process.pid), "only the child was to die"
    finally:
        stop_worker(worker)
    scenario["kill_seconds"] = round(time.monotonic() - started, 1)
    return request


def recover(request, worker, scenario: dict) -> None:
    """The worker without the fault takes over, and the sweeper runs every
    half second as beat would (its grace period taken as already passed)."""
    started = time.monotonic()
    sweeps = []

    def beat() -> bool:
        sweeps.append(jobs_redrive(now=timezone.now() + GRACE))
        return Request.objects.get(pk=request.pk).status == "completed"

    with sending_to(worker):
        try:
            wait_until(beat, timeout=120, interval=0.5)
        except AssertionError:
            jobs = Job.objects.filter(request=request).values_list(
                "dataset__key", "status", "attempts", "lease_expires_at", "last_error"
            )
            export = Export.objects.filter(request=request).values().first()
            raise AssertionError(
                f"not completed at {timezone.now()}: jobs {list(jobs)}, "
                f"export {export}, "
                f"worker said:\n{''.join(worker.log[-40:])}"
            ) from None
    scenario["recover_seconds"] = round(time.monotonic() - started, 1)
    scenario["sweeps"] = len(sweeps)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("point", list(ERASURE_POINTS))
def test_erasure_survives_kill(
    point, scope, alice, bob, officer, snapshot, fault_env, clean_worker, scenario
):
    waiting = request_file(subject=alice, kind="erasure", filed_by=alice.user)

    request = _kill_at(
        point,
        scope,
        fault_env,
        scenario=scenario,
        start_request=lambda: request_approve(request=waiting, officer=officer),
    )

    assert ERASURE_POINTS[point](request, snapshot), _statuses(request)
    assert Request.objects.get(pk=request.pk).status == "in_progress"
    assert snapshot.others_unchanged()

    recover(request, clean_worker, scenario)

    request.refresh_from_db()
    assert request.status == "completed"
    assert set(_statuses(request)) == {JobStatus.DONE}
    assert snapshot.alice_gone()
    assert snapshot.others_unchanged()
    certificate = request.certificate.payload
    assert certificate["verification"] == {"result": "passed", "records_remaining": 0}
    assert {d["dataset"]: d["records_before"] for d in certificate["datasets"]} == {
        "keystrokes": 3,
        "screens": 2,
    }
    assert "Completed" in officer_page(officer, request)
    scenario["end"] = "completed, alice erased, others unchanged, certificate passed"


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("point", list(EXPORT_POINTS))
def test_export_survives_kill(
    point, scope, alice, bob, officer, snapshot, fault_env, clean_worker, scenario
):
    request = _kill_at(
        point,
        scope,
        fault_env,
        scenario=scenario,
        start_request=lambda: request_file(
            subject=alice, kind="access", filed_by=alice.user
        ),
    )

    assert EXPORT_POINTS[point](request, snapshot), _statuses(request)
    assert Request.objects.get(pk=request.pk).status == "in_progress"

    recover(request, clean_worker, scenario)

    request.refresh_from_db()
    assert request.status == "completed"
    assert snapshot.others_unchanged()
    assert not snapshot.alice_gone()
    alice_archive_is_whole(request, snapshot)
    # One archive, no half-written leftovers beside it.
    assert [p.name for p in _export_files()] == [Path(request.export.path).name]
    assert "Completed" in officer_page(officer, request)
    scenario["end"] = "completed, ZIP whole and correct, others unchanged"
