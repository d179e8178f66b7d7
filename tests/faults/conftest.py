"""Fault-injection fixtures: an officer, the monitoring catalog (tests/
monitoring_fixtures.py) with a snapshot of everyone's data, the worker's
fault settings, and the table of outcomes printed at the end of the run
(and written to $CANDOR_VAR_DIR/faults-summary.json for the docs' figures).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from apps.governance.services.roles import roles_sync
from tests.faults.workers import PortForwarder, free_port, start_worker, stop_worker
from tests.governance.conftest import make_user
from tests.monitoring_fixtures import EVENTS_TABLE, write_captures
from tests.stores.http_service import BASE_PATH

pytestmark = pytest.mark.worker

ALICE_SERIAL = "SN-ALICE-1"
OUTCOMES: list[dict] = []


@pytest.fixture
def officer(db):
    roles_sync()
    return make_user("olga", "privacy_officer", employee_number="S002")


# Short leases (a killed job is taken over within seconds), one row an
# erasure batch (alice's three rows take three batches), quick retries.
WORKER_SETTINGS = {
    "RIGHTS_JOB_LEASE_SECONDS": "2",
    "RIGHTS_BATCH_SIZE": "1",
    "RIGHTS_RETRY_BASE_SECONDS": "1",
    "RIGHTS_RETRY_MAX_SECONDS": "2",
}


@pytest.fixture(scope="session")
def fault_dirs(tmp_path_factory) -> dict[str, Path]:
    """The file store's root and the archives' root, the same for the whole
    run so that one recovery worker serves every test."""
    base = tmp_path_factory.mktemp("faults")
    return {"files": base / "files", "exports": base / "exports"}


@pytest.fixture(scope="session")
def down_stores(django_db_setup) -> DownStores:
    """Where the stores that refuse connections live (nothing listens there
    until a test brings them back)."""
    stores = DownStores()
    yield stores
    stores.sql.close()


@pytest.fixture(scope="session")
def clean_worker(django_db_setup, fault_dirs, down_stores):
    """The worker that takes over after a fault: no fault point, the same
    short leases; one for the run (each test's data is its own)."""
    worker = start_worker(
        {
            **WORKER_SETTINGS,
            **down_stores.env(),
            "TELEMETRY_FILES_ROOT": str(fault_dirs["files"]),
            "RIGHTS_EXPORT_ROOT": str(fault_dirs["exports"]),
        }
    )
    yield worker
    stop_worker(worker)


class DownStores:
    """An SQL store reached through a port that refuses connections until
    the test opens it (then it leads to the telemetry database, on
    PostgreSQL), and an HTTP store on a port where no service listens yet."""

    HTTP_SECRET = "fault-test-secret"

    def __init__(self) -> None:
        db = connections["telemetry"].settings_dict
        self.sql_on_server = not db["ENGINE"].endswith("sqlite3")
        self.sql = PortForwarder((db["HOST"] or "localhost", int(db["PORT"] or 5432)))
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        self.sql_url = f"postgresql://{auth}@127.0.0.1:{self.sql.port}/{db['NAME']}"
        self.http_port = free_port()
        self.http_url = f"http://127.0.0.1:{self.http_port}{BASE_PATH}"

    def env(self) -> dict[str, str]:
        return {
            "FAULT_SQL_URL": self.sql_url,
            "FAULT_HTTP_URL": self.http_url,
            "FAULT_HTTP_SECRET": self.HTTP_SECRET,
        }


@pytest.fixture
def captures_root(fault_dirs, settings) -> Path:
    """tests/monitoring_fixtures.py's capture files, under the run's root."""
    root = fault_dirs["files"]
    shutil.rmtree(root, ignore_errors=True)
    write_captures(root)
    settings.TELEMETRY_FILES_ROOT = root
    return root


@pytest.fixture(autouse=True)
def export_root(fault_dirs, settings) -> Path:
    root = fault_dirs["exports"]
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    settings.RIGHTS_EXPORT_ROOT = root
    return root


@pytest.fixture
def fault_env(tmp_path) -> dict[str, str]:
    """The fault worker's settings, with a marker that makes its fault fire
    once (and says which process died)."""
    return {**WORKER_SETTINGS, "CANDOR_FAULT_ONCE": str(tmp_path / "fault-fired")}


def table_rows(where: str = "", params=()) -> list[tuple]:
    with connections["telemetry"].cursor() as cursor:
        cursor.execute(
            f"SELECT id, device_serial, captured_at, typed_text FROM {EVENTS_TABLE} "
            f"{where} ORDER BY id",
            list(params),
        )
        return cursor.fetchall()


def files_of(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


class Snapshot:
    """Everyone's rows and files but alice's, before the fault: nothing of
    theirs may change, whatever happens to alice's request."""

    def __init__(self) -> None:
        self.root = Path(settings.TELEMETRY_FILES_ROOT)
        self.alice_rows = table_rows("WHERE device_serial = %s", [ALICE_SERIAL])
        self.others_rows = table_rows("WHERE device_serial <> %s", [ALICE_SERIAL])
        files = files_of(self.root)
        self.alice_files = {k: v for k, v in files.items() if ALICE_SERIAL in k}
        self.others_files = {k: v for k, v in files.items() if ALICE_SERIAL not in k}

    def others_unchanged(self) -> bool:
        files = files_of(self.root)
        others = {k: v for k, v in files.items() if ALICE_SERIAL not in k}
        return (
            table_rows("WHERE device_serial <> %s", [ALICE_SERIAL]) == self.others_rows
            and others == self.others_files
        )

    def alice_gone(self) -> bool:
        left = [k for k in files_of(self.root) if ALICE_SERIAL in k]
        return not table_rows("WHERE device_serial = %s", [ALICE_SERIAL]) and not left


@pytest.fixture
def snapshot(catalog) -> Snapshot:
    assert len(table_rows("WHERE device_serial = %s", [ALICE_SERIAL])) == 3
    return Snapshot()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when == "call":
        item.fault_report = report


@pytest.fixture(autouse=True)
def scenario(request) -> dict:
    """What the test found (filled in by the test), recorded with its result."""
    found: dict = {}
    yield found
    report = getattr(request.node, "fault_report", None)
    if report is None:
        return
    if report.passed:
        outcome = "survived: " + found.get("end", "completed")
    elif hasattr(report, "wasxfail"):
        outcome = "known bug (xfail): " + report.wasxfail
    elif report.skipped:
        outcome = "skipped: " + str(report.longrepr[-1])
    else:
        outcome = "FAILED"
    OUTCOMES.append(
        {
            "scenario": request.node.name.removeprefix("test_"),
            "outcome": outcome,
            **{k: v for k, v in found.items() if k != "end"},
        }
    )


def pytest_terminal_summary(terminalreporter):
    if not OUTCOMES:
        return
    terminalreporter.section("fault scenarios")
    width = max(len(o["scenario"]) for o in OUTCOMES)
    for outcome in OUTCOMES:
        terminalreporter.write_line(
            f"{outcome['scenario']:<{width}}  {outcome['outcome']}"
        )
    survived = sum(1 for o in OUTCOMES if o["outcome"].startswith("survived"))
    terminalreporter.write_line(f"{survived}/{len(OUTCOMES)} fault scenarios survived")
    path = Path(settings.VAR_DIR) / "faults-summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"survived": survived, "scenarios": OUTCOMES}, indent=2) + "\n"
    )
    terminalreporter.write_line(f"written to {path}")


def officer_page(officer, request) -> str:
    """The officer's page of `request`, as the view renders it for them.

    Called through the view itself (the sign-in middleware's two-factor and
    session rules have tests of their own): what matters here is what the
    officer is shown after the fault.
    """
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from apps.rights.views.officer import request_page

    http = RequestFactory().get(f"/rights/queue/{request.public_id}/")
    http.user = officer
    http.session = SessionStore()
    http._messages = FallbackStorage(http)
    response = request_page(http, public_id=request.public_id)
    assert response.status_code == 200
    return response.content.decode()


def alice_archive_is_whole(request, snapshot) -> None:
    """The access archive holds alice's rows and files, each once, and its
    manifest names every file in it with the right digest."""
    import io
    import zipfile

    from apps.rights.services.exports import export_stream_plain

    archive = zipfile.ZipFile(io.BytesIO(b"".join(export_stream_plain(request.export))))
    lines = [json.loads(x) for x in archive.read("keystrokes.jsonl").splitlines()]
    assert sorted((int(x["key"]), x["values"]["typed_text"]) for x in lines) == [
        (row[0], row[3]) for row in snapshot.alice_rows
    ]
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        digest = hashlib.sha256(archive.read(entry["path"])).hexdigest()
        assert digest == entry["sha256"], entry["path"]
    pngs = {
        n.split("/", 3)[-1]: archive.read(n)
        for n in archive.namelist()
        if n.endswith(".png")
    }
    originals = {
        path.split(ALICE_SERIAL + "/", 1)[1]: (snapshot.root / path).read_bytes()
        for path in snapshot.alice_files
    }
    assert {k.split(ALICE_SERIAL + "/", 1)[1]: v for k, v in pngs.items()} == originals
