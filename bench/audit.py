"""The `audit` suite: appending to the hash chain and verifying it, beside plain SQL.

    .venv/bin/python -m bench.audit [--writes 2000] [--batches 500]
                                    [--records 200000] [--runs 5]

Runs on a scratch portal database of its own (candor_bench_audit_portal on
PostgreSQL, bench_audit_portal.sqlite3 in the var folder), created afresh
each run so that every run measures the same chain.

- audit_write_p99: the 99th percentile of one read record appended through
  audit_record_access (chain lock, head read, hash, INSERT and commit: on
  PostgreSQL one statement, candor_audit_append(), in autocommit), over
  `--writes` appends. Floor: the same row as one plain INSERT (autocommit)
  into a copy of the table with the same columns and indexes.
- audit_write_batch: the 99th percentile of ten records appended at once
  through audit_record_many, as the My-data page does, over `--batches`
  batches. Floor: one ten-row INSERT into the copy.
- verify_rate: records per second of the whole-chain walk (chain_walk) over
  `--records` records. Floor: the same rows read in full by one plain
  SELECT, without hashing. For a rate the ratio is value/floor, below 1.
"""

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

from bench import common

SCRATCH = "bench_audit"
FLOOR_TABLE = "bench_audit_floor"
COLUMNS = (
    "seq, created_at, actor_id, actor_label, subject_id, action, dataset_key, "
    "purpose, detail, prev_hash, hash"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.audit", description=__doc__)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=common.DEFAULT_RUNS)
    options = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = common.scratch_portal_url(SCRATCH)
    common.setup_django()
    _prepare()
    results = run_suite(options)
    path = common.write_results("audit", results)
    print(f"wrote {path}")


def _prepare() -> None:
    """A fresh scratch database: dropped, created, migrated, with a floor table."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from portal.ensure_databases import ensure_postgres_database

    portal = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        name = connection.ops.quote_name(portal["NAME"])
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        ensure_postgres_database(portal)
    else:
        connection.close()
        Path(portal["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    _create_floor_table(connection)


def _create_floor_table(connection) -> None:
    """A copy of the audit table (columns, constraints, indexes; no triggers)."""
    table = "audit_auditrecord"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE {table} INCLUDING ALL)")
            return
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        for (sql,) in cursor.fetchall():
            copy = sql.replace(f'"{table}"', f'"{FLOOR_TABLE}"')
            copy = copy.replace('INDEX "', f'INDEX "{FLOOR_TABLE}_')
            cursor.execute(copy.replace('CONSTRAINT "', f'CONSTRAINT "{FLOOR_TABLE}_'))


def _people():
    from apps.people.models import Employee, User

    officer = User.objects.create_user("bench-officer", email="o@bench.invalid")
    user = User.objects.create_user("bench-subject", email="s@bench.invalid")
    subject = Employee.objects.create(
        user=user,
        employee_number="B00001",
        work_email="s@bench.invalid",
        full_name="Bench Subject",
    )
    return officer, subject


def _read_detail(n: int) -> dict:
    """What the gateway records for one page of records: keys, never values."""
    return {"page": n % 40 + 1, "records": [f"events:{n * 25 + k}" for k in range(25)]}


def run_suite(options: argparse.Namespace) -> list[common.Result]:
    from apps.audit.models import AuditRecord

    officer, subject = _people()
    backend = common.backend_label("default")
    params = {"backend": backend}
    write, write_floor = _writes(options, officer, subject)
    batch, batch_floor = _batches(options, officer, subject)
    _seed_chain(options.records - AuditRecord.objects.count(), officer, subject)
    records = AuditRecord.objects.count()
    _analyze()
    rate, rate_floor = _verify_rates(options, records)
    results = [
        common.summarize(
            "audit_write_p99",
            "ms",
            write,
            floor_samples=write_floor,
            params={**params, "appends_per_run": options.writes, "records": 1},
        ),
        common.summarize(
            "audit_write_batch",
            "ms",
            batch,
            floor_samples=batch_floor,
            params={
                **params,
                "batches_per_run": options.batches,
                "records": 10,
                "statistic": "p99 per batch of 10",
            },
        ),
        common.summarize(
            "verify_rate",
            "records/s",
            rate,
            floor_samples=rate_floor,
            params={**params, "records": records},
        ),
    ]
    common.print_table(
        f"audit: hash-chained appends and verification on {backend}", results
    )
    return results


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def _writes(options, officer, subject) -> tuple[list[float], list[float]]:
    """p99 (ms) of single appends, and of single plain INSERTs, per run."""
    from apps.audit.services import audit_record_access

    def append(n: int) -> None:
        audit_record_access(
            actor=officer,
            subject=subject,
            action="read_records",
            dataset_key="keystrokes",
            purpose="Reading under an access grant",
            detail=_read_detail(n),
        )

    counter = iter(range(10**9))
    values, floors = _alternate(
        append, _floor_insert(officer, subject, 1), counter, options.writes, options
    )
    # The first run of each warms caches and connections; it is not reported.
    return [_p99(v) for v in values[1:]], [_p99(f) for f in floors[1:]]


def _batches(options, officer, subject) -> tuple[list[float], list[float]]:
    """p99 (ms) of ten-record appends, and of ten-row plain INSERTs, per run."""
    from apps.audit.services import AuditEntry, audit_record_many

    def append(n: int) -> None:
        audit_record_many(
            entries=[
                AuditEntry(
                    actor=subject.user,
                    subject=subject,
                    action="read_counts",
                    dataset_key=f"dataset-{k}",
                    purpose="Subject viewing their own data",
                    detail={"count": n + k},
                )
                for k in range(10)
            ]
        )

    counter = iter(range(10**9, 2 * 10**9))
    values, floors = _alternate(
        append, _floor_insert(officer, subject, 10), counter, options.batches, options
    )
    return [_p99(v) for v in values[1:]], [_p99(f) for f in floors[1:]]


def _alternate(work, floor, counter, times: int, options):
    """`runs + 1` runs of `work` and of `floor`, in turn: on a shared machine
    the load drifts, and runs taken side by side see the same drift."""
    values, floors = [], []
    for _ in range(options.runs + 1):
        values.append(_timed_each(work, counter, times))
        floors.append(_timed_each(floor, counter, times))
    return values, floors


def _timed_each(work, counter, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        n = next(counter)
        started = time.perf_counter()
        work(n)
        samples.append(time.perf_counter() - started)
    return samples


def _floor_insert(officer, subject, rows: int):
    """One plain INSERT of `rows` rows like the chain's, into the copy table."""
    from django.db import connection
    from django.utils import timezone

    marks = ", ".join(["(" + ", ".join(["%s"] * 11) + ")"] * rows)
    sql = f"INSERT INTO {FLOOR_TABLE} ({COLUMNS}) VALUES {marks}"

    def insert(n: int) -> None:
        now = timezone.now()
        values = []
        for k in range(rows):
            seq = n * 10 + k
            digest = hashlib.sha256(str(seq).encode()).hexdigest()
            values += [
                seq,
                now,
                officer.pk,
                officer.get_username(),
                subject.pk,
                "read_records",
                "keystrokes",
                "Reading under an access grant",
                json.dumps(_read_detail(n)),
                digest,
                digest,
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)

    return insert


def _seed_chain(missing: int, officer, subject) -> None:
    """Append real chained records, 1,000 per transaction, up to --records."""
    from apps.audit.services import AuditEntry, audit_record_many

    started = time.perf_counter()
    done = 0
    while done < missing:
        size = min(1000, missing - done)
        audit_record_many(
            entries=[
                AuditEntry(
                    actor=officer,
                    subject=subject,
                    action="read_records",
                    dataset_key="keystrokes",
                    purpose="Reading under an access grant",
                    detail=_read_detail(done + k),
                )
                for k in range(size)
            ]
        )
        done += size
    if missing > 0:
        print(
            f"seeded {missing:,} chained records "
            f"in {time.perf_counter() - started:.1f}s"
        )


def _analyze() -> None:
    """Fresh planner statistics after the bulk seed, as autovacuum would give."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditrecord")


def _verify_rates(options, records: int) -> tuple[list[float], list[float]]:
    from django.db import connection

    from apps.audit.verify import chain_walk

    def walk() -> None:
        report = chain_walk()
        assert report.ok and report.records == records, report.problem

    def select() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {COLUMNS} FROM audit_auditrecord ORDER BY seq")
            while cursor.fetchmany(20_000):
                pass

    walks = common.timed(walk, runs=options.runs)
    selects = common.timed(select, runs=options.runs)
    return [records / s for s in walks], [records / s for s in selects]


if __name__ == "__main__":
    main()
