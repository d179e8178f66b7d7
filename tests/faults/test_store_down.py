"""A store that refuses connections: the job retries with backoff, gives up
after its attempts and waits, visibly failed, for an officer; nothing is
half done (no archive, no certificate). Once the store is back, the
officer's retry completes the request.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import zipfile
from wsgiref.simple_server import make_server

import pytest
from django.utils import timezone
from django.utils.html import escape

from apps.catalog.models import Dataset, Store
from apps.rights.models import Export, ExportStatus, Job, JobStatus, Request
from apps.rights.services.exports import export_stream_plain
from apps.rights.services.lifecycle import request_approve, request_file
from apps.rights.services.special import job_retry
from tests.faults.conftest import ALICE_SERIAL, officer_page, table_rows
from tests.faults.test_worker_kills import recover
from tests.faults.workers import sending_to
from tests.stores.http_service import FakeService, Row, _QuietHandler, _Server
from tests.worker import wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "telemetry"], transaction=True),
]

ATTEMPTS = 3
ALICE_MAIL, BOB_MAIL = "alice@example.com", "bob@example.com"
T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def _gives_up(job: Job) -> None:
    """Wait until the job has used its attempts; it must then be failed."""
    wait_until(
        lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAILED,
        timeout=90,
        interval=0.2,
    )
    job.refresh_from_db()
    assert job.attempts == ATTEMPTS
    assert job.last_error.startswith(f"gave up after {ATTEMPTS} attempts: ")
    assert job.abandoned_at is None


def _officer_is_shown_the_failure(officer, request, job) -> None:
    page = officer_page(officer, request)
    assert escape(job.last_error[:60]) in page
    assert f"/jobs/{job.pk}/retry/" in page


def test_sql_store_refusing_connections(
    alice,
    bob,
    officer,
    catalog,
    snapshot,
    down_stores,
    clean_worker,
    settings,
    scenario,
):
    if not down_stores.sql_on_server:
        pytest.skip(
            "the embedded SQLite telemetry database has no server port to "
            "refuse connections; PostgreSQL (CI) runs this scenario"
        )
    settings.RIGHTS_JOB_MAX_ATTEMPTS = ATTEMPTS
    store = Store.objects.create(
        key="hr", name="HR DB", kind="sql", connection={"url_env": "FAULT_SQL_URL"}
    )
    Dataset.objects.create(
        store=store,
        program=catalog["program"],
        key="hr_keystrokes",
        name="HR copy of keystrokes",
        location=catalog["keystrokes"].location,
        subject_field="device_serial",
        identifier_kind="device_serial",
    )

    with sending_to(clean_worker):
        request = request_file(subject=alice, kind="access", filed_by=alice.user)
    job = Job.objects.get(request=request, dataset__key="hr_keystrokes")
    _gives_up(job)

    # Nothing half done: the other datasets are exported, no archive yet.
    request.refresh_from_db()
    assert request.status == "in_progress"
    assert not Export.objects.filter(request=request, status=ExportStatus.READY)
    others = Job.objects.filter(request=request).exclude(pk=job.pk)
    assert {j.status for j in others} == {JobStatus.DONE}
    _officer_is_shown_the_failure(officer, request, job)

    down_stores.sql.open()
    try:
        with sending_to(clean_worker):
            job_retry(job=job, officer=officer)
        recover(request, clean_worker, scenario)
    finally:
        down_stores.sql.close()

    request.refresh_from_db()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export_stream_plain(request.export))))
    lines = [json.loads(x) for x in archive.read("hr_keystrokes.jsonl").splitlines()]
    assert sorted(int(x["key"]) for x in lines) == [r[0] for r in snapshot.alice_rows]
    assert {x["values"]["device_serial"] for x in lines} == {ALICE_SERIAL}
    assert snapshot.others_unchanged()
    scenario["end"] = (
        f"failed visibly after {ATTEMPTS} attempts, completed after the officer's retry"
    )


@pytest.fixture
def chat_rows() -> list[Row]:
    return [
        Row("m1", ALICE_MAIL, T0, {"text": "alice one"}),
        Row("m2", ALICE_MAIL, T0 + dt.timedelta(hours=1), {"text": "alice two"}),
        Row("m3", BOB_MAIL, T0, {"text": "bob one"}),
    ]


def _serve(port: int, service: FakeService):
    server = make_server(
        "127.0.0.1", port, service, server_class=_Server, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_http_store_that_is_down(
    alice,
    bob,
    officer,
    catalog,
    snapshot,
    down_stores,
    clean_worker,
    settings,
    chat_rows,
    scenario,
):
    settings.RIGHTS_JOB_MAX_ATTEMPTS = ATTEMPTS
    store = Store.objects.create(
        key="chat",
        name="Chat service",
        kind="http",
        connection={
            "base_url_env": "FAULT_HTTP_URL",
            "secret_env": "FAULT_HTTP_SECRET",
        },
    )
    Dataset.objects.create(
        store=store,
        program=catalog["program"],
        key="chat",
        name="Chat messages",
        location="chat_messages",
        subject_field="author",
        identifier_kind="email",
    )
    waiting = request_file(subject=alice, kind="erasure", filed_by=alice.user)

    with sending_to(clean_worker):
        request = request_approve(request=waiting, officer=officer)
    job = Job.objects.get(request=request, dataset__key="chat")
    _gives_up(job)

    # Nothing half done: the other datasets are erased, but no certificate
    # says the request is.
    request = Request.objects.get(pk=request.pk)
    assert request.status == "in_progress"
    assert not hasattr(request, "certificate")
    assert not table_rows("WHERE device_serial = %s", [ALICE_SERIAL])
    _officer_is_shown_the_failure(officer, request, job)

    service = FakeService(secret=down_stores.HTTP_SECRET)
    service.url = down_stores.http_url
    service.datasets["chat_messages"] = chat_rows
    server = _serve(down_stores.http_port, service)
    try:
        with sending_to(clean_worker):
            job_retry(job=job, officer=officer)
        recover(request, clean_worker, scenario)
    finally:
        server.shutdown()
        server.server_close()

    request = Request.objects.get(pk=request.pk)
    assert [(r.key, r.subject) for r in service.datasets["chat_messages"]] == [
        ("m3", BOB_MAIL)
    ]
    assert snapshot.alice_gone()
    assert snapshot.others_unchanged()
    payload = request.certificate.payload
    assert payload["verification"]["result"] == "passed"
    assert {d["dataset"]: d["records_before"] for d in payload["datasets"]}["chat"] == 2
    assert timezone.now() >= request.responded_at
    scenario["end"] = (
        f"failed visibly after {ATTEMPTS} attempts, completed after the store came "
        "back and the officer retried"
    )
