"""The `rights` suite: requests carried out by a real Celery worker, beside
the plain SQL a person would type for the same job.

    .venv/bin/python -m bench.rights [--employees 1000] [--rows 1000]
        [--big 100000] [--million 1000000] [--runs 5] [--runs-million 3]

Scratch databases of its own (portal and telemetry). One activity table,
indexed on the subject, seeded deterministically: --employees x --rows rows,
one employee with --big rows and, for the memory figure, one with --million
rows. A worker process (prefork, one child) runs the jobs; each figure is
the time from submission (request_file) until the request reads
"completed", polled every 5 ms with one plain SELECT.

On PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL) it runs at the
sizes above. On the embedded default (SQLite, the filesystem broker) it
runs smaller unless told otherwise: 100 employees x 1,000 rows, 10,000 and
100,000 rows; the figures are named after the sizes that ran (access_10k,
export_100k_rss), and the table's title says which backend and broker.

- overhead_empty: an access request for an employee with no rows.
- access_1k / access_100k: an access request (export jobs, the encrypted
  ZIP); floor: SELECT * of the subject's rows, fetched by psycopg.
- erasure_1k / erasure_100k: an erasure (approved by policy for the run);
  floor: one DELETE of the subject's rows. Both run on the same freshly
  restored rows (restore, VACUUM and CHECKPOINT untimed).
- export_1m_rss: peak RSS growth (VmHWM minus the warm VmRSS) of the
  worker's pool child while exporting --million rows.

Each figure and its floor are measured in turn (floor, figure, floor, ...),
not all floors first: both then see the machine in the same state.
"""

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import common

SCRATCH = "bench_rights"
TABLE = "bench_rights_activity"
EMPTY, BIG, MILLION = "SN-EMPTY", "SN-BIG", "SN-MILLION"
# (option, on PostgreSQL, on the embedded default)
SIZES = (
    ("employees", 1000, 100),
    ("big", 100_000, 10_000),
    ("million", 1_000_000, 100_000),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.rights", description=__doc__)
    parser.add_argument("--employees", type=int)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--big", type=int)
    parser.add_argument("--million", type=int)
    parser.add_argument("--runs", type=int, default=common.DEFAULT_RUNS)
    parser.add_argument("--runs-million", type=int, default=3)
    options = parser.parse_args(argv)
    embedded = not os.environ.get("DATABASE_URL", "").startswith("postgres")
    for name, full, small in SIZES:
        if getattr(options, name) is None:
            setattr(options, name, small if embedded else full)

    os.environ["DATABASE_URL"] = common.scratch_portal_url(SCRATCH)
    # Requests of an earlier run (one left open by an interrupted run would
    # refuse the next): the portal database starts empty each time; the
    # seeded telemetry database is kept and verified by its row count.
    _drop_portal(os.environ["DATABASE_URL"])
    exports = Path(tempfile.mkdtemp(prefix="candor-bench-rights-"))
    os.environ["RIGHTS_EXPORT_ROOT"] = str(exports)
    common.setup_django(scratch_telemetry=SCRATCH)
    try:
        _prepare(options)
        results = run_suite(options, exports)
    finally:
        shutil.rmtree(exports, ignore_errors=True)
    path = common.write_results("rights", results)
    print(f"wrote {path}")


def _drop_portal(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _telemetry():
    from django.db import connections

    return connections["telemetry"]


def _execute(sql: str, params=None) -> None:
    with _telemetry().cursor() as cursor:
        cursor.execute(sql, params)


def _insert_sql(serial: str, count: int, start: int) -> tuple[str, list]:
    """Rows start+1 .. start+count of `serial`, always the same ones."""
    if not common.is_postgresql():
        # SQLite: a recursive series, and a hex digest of the id for the text.
        return (
            f"INSERT INTO {TABLE} (id, device_serial, captured_at, typed_text) "  # noqa: S608
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g "
            "WHERE n < %s) SELECT %s + n, %s, "
            "datetime('2026-01-01', '+' || n || ' seconds'), "
            "'typed ' || printf('%%016x%%016x', (%s + n) * 2654435761, %s + n) "
            "FROM g",
            [count, start, serial, start, start],
        )
    return (
        f"INSERT INTO {TABLE} (id, device_serial, captured_at, typed_text) "  # noqa: S608
        "SELECT %s + g, %s, TIMESTAMP '2026-01-01' + g * INTERVAL '1 second', "
        "'typed ' || md5((%s + g)::text) FROM generate_series(1, %s) AS g",
        [start, serial, start, count],
    )


def _layout(options) -> dict[str, tuple[int, int]]:
    """serial -> (first id - 1, rows): the table's deterministic contents."""
    layout, start = {}, 0
    for n in range(options.employees):
        layout[f"SN-{n:06d}"] = (start, options.rows)
        start += options.rows
    for serial, count in ((BIG, options.big), (MILLION, options.million)):
        layout[serial] = (start, count)
        start += count
    return layout


def _prepare(options) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from portal.ensure_databases import ensure_postgres_database

    if common.is_postgresql("default"):
        ensure_postgres_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0)
    layout = _layout(options)
    expected = sum(count for _, count in layout.values())
    if _seeded_rows() != expected:
        print(f"seeding {expected:,} rows ...", flush=True)
        started = time.perf_counter()
        _execute(f"DROP TABLE IF EXISTS {TABLE}")
        _execute(
            f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, device_serial "
            "varchar(64) NOT NULL, captured_at timestamp NOT NULL, typed_text text)"
        )
        for serial, (start, count) in layout.items():
            _execute(*_insert_sql(serial, count, start))
        _execute(f"CREATE INDEX {TABLE}_subject ON {TABLE} (device_serial)")
        _analyze()
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    _catalog_and_people(layout)


def _analyze() -> None:
    """Statistics and visibility as a settled table has them; on PostgreSQL
    also a CHECKPOINT, so that no background write of what was just seeded
    or restored lands in a timed run (it doubled one run's DELETE floor)."""
    if not common.is_postgresql():
        _execute("ANALYZE")
        return
    _execute(f"VACUUM ANALYZE {TABLE}")
    _execute("CHECKPOINT")


def _seeded_rows() -> int:
    try:
        with _telemetry().cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            return cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - no table yet
        _telemetry().close()
        return -1


def _catalog_and_people(layout) -> None:
    from apps.catalog.models import Dataset, Field, Program, Store
    from apps.people.models import Employee, Identifier, User

    program, _ = Program.objects.get_or_create(
        key="bench_endpoint",
        defaults=dict(
            name="Endpoint monitoring",
            purpose="Protect company laptops",
            legal_basis="legitimate_interests",
            data_subjects=["employee"],
            data_categories=["user.behavior.keystrokes"],
            data_uses=["essential.service.security"],
            retention_days=90,
        ),
    )
    store, _ = Store.objects.get_or_create(
        key="bench_db",
        defaults=dict(
            name="Bench DB", kind="sql", connection={"database_alias": "telemetry"}
        ),
    )
    dataset, created = Dataset.objects.get_or_create(
        key="activity",
        defaults=dict(
            store=store,
            program=program,
            name="Activity",
            location=TABLE,
            subject_field="device_serial",
            identifier_kind="device_serial",
            timestamp_field="captured_at",
        ),
    )
    if created:
        Field.objects.create(
            dataset=dataset, name="typed_text", data_category="user.behavior"
        )
    serials = [*layout, EMPTY]
    known = set(
        Identifier.objects.filter(value__in=serials).values_list("value", flat=True)
    )
    for serial in serials:
        if serial in known:
            continue
        name = serial.lower()
        user = User.objects.create(username=name, email=f"{name}@example.com")
        employee = Employee.objects.create(
            user=user,
            employee_number=serial,
            work_email=f"{name}@example.com",
            full_name=serial,
        )
        Identifier.objects.create(employee=employee, kind="device_serial", value=serial)


def _employee(serial: str):
    from apps.people.models import Employee

    return Employee.objects.select_related("user").get(employee_number=serial)


def _submit_and_wait(serial: str, kind: str) -> float:
    from django.db import connection

    from apps.rights.models import Request
    from apps.rights.services.lifecycle import request_file

    employee = _employee(serial)
    # The watch costs the machine as little as it can while the worker runs
    # (two cores): one plain SELECT per poll, not an ORM query built anew.
    poll = f"SELECT status FROM {Request._meta.db_table} WHERE id = %s"  # noqa: S608
    started = time.perf_counter()
    request = request_file(subject=employee, kind=kind, filed_by=employee.user)
    with connection.cursor() as cursor:
        while True:
            cursor.execute(poll, [request.pk])
            if cursor.fetchone()[0] in ("completed", "partially_completed"):
                return time.perf_counter() - started
            if time.perf_counter() - started > 3600:
                raise RuntimeError(f"request {request.pk} did not complete")
            time.sleep(0.005)


def _floor_select(serial: str) -> float:
    started = time.perf_counter()
    with _telemetry().cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {TABLE} WHERE device_serial = %s",  # noqa: S608
            [serial],
        )
        rows = cursor.fetchall()
    assert rows or serial == EMPTY
    return time.perf_counter() - started


def _floor_delete(serial: str) -> float:
    started = time.perf_counter()
    _execute(f"DELETE FROM {TABLE} WHERE device_serial = %s", [serial])  # noqa: S608
    return time.perf_counter() - started


def _restore(serial: str, layout) -> None:
    """Put the subject's rows back as seeded (whatever a run left)."""
    start, count = layout[serial]
    _execute(f"DELETE FROM {TABLE} WHERE device_serial = %s", [serial])  # noqa: S608
    _execute(*_insert_sql(serial, count, start))
    _analyze()


def _size(rows: int) -> str:
    """1000 -> "1k", 100000 -> "100k", 1000000 -> "1m": metric names."""
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows >= 1000 and rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def _backend() -> str:
    """The database and the broker the suite ran on (no credentials)."""
    from django.conf import settings

    broker = str(settings.CELERY_BROKER_URL).split("://", 1)[0]
    kind = "Redis" if broker.startswith("redis") else f"{broker} broker"
    return f"{common.backend_label()} + {kind}"


def _measure(runs: int, work, *, before=None) -> list[float]:
    samples = []
    for _ in range(runs + 1):  # The first is the warm-up.
        if before:
            before()
        samples.append(work())
    return samples[1:]


def _measure_pairs(runs: int, floor, work, *, before=None) -> tuple[list, list]:
    """The floor and the figure in turn, run after run (each after `before`),
    so that both see the machine in the same state; (floors, figures)."""
    floors, figures = [], []
    for _ in range(runs + 1):  # The first pair is the warm-up.
        if before:
            before()
        floors.append(floor())
        if before:
            before()
        figures.append(work())
    return floors[1:], figures[1:]


def _child_pid(pid: int) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                return int(entry.name)
    raise RuntimeError("the worker has no pool child")


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def run_suite(options, exports: Path) -> list[common.Result]:
    from django.conf import settings

    from tests.worker import running_worker

    # Erasure runs on policy here: the figure is the engine's, not an officer's.
    settings.RIGHTS_APPROVAL_REQUIRED = []
    layout = _layout(options)
    small = "SN-000000"
    backend = _backend()
    runs = options.runs
    base = {"backend": backend, "table_rows": sum(c for _, c in layout.values())}
    results = []
    # Erasure in primary-key ranges of RIGHTS_BATCH_SIZE rows (the setting's
    # default unless the environment says otherwise, as in production).
    env = {"RIGHTS_EXPORT_ROOT": str(exports)}
    base["batch_size"] = settings.RIGHTS_BATCH_SIZE
    with running_worker(**env):
        empty = _measure(runs, lambda: _submit_and_wait(EMPTY, "access"))
        results.append(
            common.summarize("overhead_empty", "s", empty, params={**base, "rows": 0})
        )
        for serial in (small, BIG):
            rows = layout[serial][1]
            label = _size(rows)
            params = {**base, "rows": rows}
            floor, value = _measure_pairs(
                runs,
                lambda s=serial: _floor_select(s),
                lambda s=serial: _submit_and_wait(s, "access"),
            )
            results.append(
                common.summarize(
                    f"access_{label}", "s", value, floor_samples=floor, params=params
                )
            )

            def restore(s=serial):
                _restore(s, layout)

            floor, value = _measure_pairs(
                runs,
                lambda s=serial: _floor_delete(s),
                lambda s=serial: _submit_and_wait(s, "erasure"),
                before=restore,
            )
            _restore(serial, layout)
            results.append(
                common.summarize(
                    f"erasure_{label}", "s", value, floor_samples=floor, params=params
                )
            )
            common.print_table(f"rights so far, on {backend}", results)
    results.append(_memory(options, env, base, layout))
    common.print_table(
        f"rights: submission to completed with a real worker, on {backend}", results
    )
    return results


def _memory(options, env, base, layout) -> common.Result:
    from tests.worker import running_worker

    growth, seconds = [], []
    for _ in range(options.runs_million):
        # A fresh worker each run: VmHWM is the child's peak since it started.
        with running_worker(**env) as worker:
            child = _child_pid(worker.process.pid)
            _submit_and_wait("SN-000001", "access")  # imports and caches warm
            warm = _status_kb(child, "VmRSS")
            seconds.append(_submit_and_wait(MILLION, "access"))
            assert _child_pid(worker.process.pid) == child, "the child was replaced"
            growth.append((_status_kb(child, "VmHWM") - warm) / 1024)
    return common.summarize(
        f"export_{_size(layout[MILLION][1])}_rss",
        "MB",
        growth,
        params={
            **base,
            "rows": layout[MILLION][1],
            "seconds": [round(s, 2) for s in seconds],
        },
    )


if __name__ == "__main__":
    main()
