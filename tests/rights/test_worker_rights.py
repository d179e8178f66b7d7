"""Requests carried out by a real Celery worker process, end to end, and a
worker SIGKILLed in the middle of an erasure."""

import hashlib
import io
import json
import os
import signal
import zipfile
from pathlib import Path

import pytest
from django.db import connections

from apps.catalog.models import Dataset, Store
from apps.rights.models import Job, JobStatus, Request, RequestKind
from apps.rights.services.execution import export_stream_plain
from apps.rights.services.lifecycle import request_approve, request_file
from apps.rights.services.sweeper import jobs_redrive
from tests.monitoring_fixtures import device_row_count, device_rows
from tests.worker import running_worker, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]

BIG_TABLE = "rightstest_activity"


def status_of(request) -> str:
    return Request.objects.get(pk=request.pk).status


def test_a_worker_carries_out_an_access_and_an_erasure(
    alice, bob, catalog, officer, export_root, settings
):
    bobs_rows = device_rows("SN-BOB-1")
    alices_rows = device_rows("SN-ALICE-1")
    files_root = Path(settings.TELEMETRY_FILES_ROOT)

    with running_worker(RIGHTS_EXPORT_ROOT=str(export_root)) as worker:
        access = request_file(
            subject=alice, kind=RequestKind.ACCESS, filed_by=alice.user
        )
        wait_until(lambda: status_of(access) == "completed")
        erasure = request_file(
            subject=alice, kind=RequestKind.ERASURE, filed_by=alice.user
        )
        erasure = request_approve(request=erasure, officer=officer)
        wait_until(lambda: status_of(erasure) == "completed")

    assert any("run_job" in line for line in worker.log)
    access.refresh_from_db()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export_stream_plain(access.export))))
    lines = [json.loads(x) for x in archive.read("keystrokes.jsonl").splitlines()]
    assert (
        sorted(
            (
                int(line["key"]),
                line["values"]["device_serial"],
                line["values"]["typed_text"],
            )
            for line in lines
        )
        == alices_rows
    )
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert (
            hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        )
    assert sorted(n for n in archive.namelist() if n.endswith(".png")) == [
        "files/screens/captures/SN-ALICE-1/2026-11-05/1.png",
        "files/screens/captures/SN-ALICE-1/2026-11-06/2.png",
    ]

    # The erasure left nothing of alice, and everything of bob.
    assert device_rows("SN-ALICE-1") == []
    assert device_rows("SN-BOB-1") == bobs_rows
    assert not list((files_root / "captures/SN-ALICE-1").rglob("*.png"))
    assert (files_root / "captures/SN-BOB-1/2026-11-05/3.png").is_file()
    erasure.refresh_from_db()
    assert erasure.certificate.payload["verification"]["result"] == "passed"


@pytest.fixture
def big_table(catalog):
    """30,000 rows of alice's and 3,000 of bob's, no index on the subject:
    erased 25 rows a batch, the job takes seconds, long enough to kill."""
    rows = [(i, "SN-ALICE-1", f"alice {i}") for i in range(1, 30_001)]
    rows += [(i, "SN-BOB-1", f"bob {i}") for i in range(30_001, 33_001)]
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BIG_TABLE}")
        cursor.execute(
            f"CREATE TABLE {BIG_TABLE} (id integer PRIMARY KEY, "
            "device_serial varchar(64) NOT NULL, typed_text text)"
        )
        cursor.executemany(f"INSERT INTO {BIG_TABLE} VALUES (%s, %s, %s)", rows)
    Dataset.objects.create(
        store=Store.objects.get(key="mon"),
        program=catalog["program"],
        key="activity",
        name="Activity log",
        location=BIG_TABLE,
        subject_field="device_serial",
        identifier_kind="device_serial",
    )
    yield BIG_TABLE
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BIG_TABLE}")


def kill_worker(process) -> None:
    """SIGKILL the worker's main process and its pool children at once, as
    an out-of-memory killer or a lost host would."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == process.pid:
            children.append(int(entry.name))
    for pid in [process.pid, *children]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)


def test_a_worker_killed_mid_erasure_is_recovered_and_nothing_is_half_done(
    alice, bob, catalog, big_table, officer, export_root
):
    bobs_rows = device_rows("SN-BOB-1", table=big_table)
    env = {
        "RIGHTS_EXPORT_ROOT": str(export_root),
        "RIGHTS_JOB_LEASE_SECONDS": "4",
        "RIGHTS_BATCH_SIZE": "25",
    }
    request = request_file(subject=alice, kind=RequestKind.ERASURE, filed_by=alice.user)

    with running_worker(**env) as first:
        request = request_approve(request=request, officer=officer)
        job = Job.objects.get(request=request, dataset__key="activity")

        def erasing() -> bool:
            # Seen in the store itself, not in the job's progress: the
            # heartbeat records that once a second, and a fast machine may
            # finish the erasure before its first beat.
            running = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
            left = device_row_count("SN-ALICE-1", table=big_table)
            return running.exists() and left < 30_000

        wait_until(erasing, interval=0.05)
        kill_worker(first.process)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    left = len(device_rows("SN-ALICE-1", table=big_table))
    assert 0 < left < 30_000, "the kill should land mid-erasure"
    assert status_of(request) == "in_progress"

    sweeps = []

    def beat() -> bool:
        # The sweeper, as beat would run it: the killed job's lease runs out
        # and it is re-driven; the jobs whose messages died with the first
        # worker are sent again.
        sweeps.append(jobs_redrive())
        return status_of(request) == "completed"

    with running_worker(**env):
        wait_until(beat, timeout=180, interval=1)

    assert device_rows("SN-ALICE-1", table=big_table) == []
    assert device_rows("SN-BOB-1", table=big_table) == bobs_rows
    assert device_rows("SN-ALICE-1") == []
    # Re-driven at least once (more if a slow machine let the new worker's
    # lease lapse too: harmless, the claim decides who works).
    assert sum(sweep["stale"] for sweep in sweeps) >= 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts >= 2
    request.refresh_from_db()
    certified = {d["dataset"]: d for d in request.certificate.payload["datasets"]}
    assert (
        certified["activity"]["records_before"],
        certified["activity"]["records_after"],
    ) == (30_000, 0)
