"""The `seed` suite: how fast seed_telemetry fills the monitoring tables.

    .venv/bin/python -m bench.seed [--employees 200] [--days 7] [--runs 5]

Runs against a scratch telemetry database (never the demo one) and a
temporary files root. Each run reseeds from empty (--reset). The floor is a
plain bulk load of the same number of pre-generated rows into a scratch table
shaped like telemetry_keystroke, with the same indexes: COPY on PostgreSQL,
executemany on SQLite. The ratio shows what generating realistic rows, the
capture files and the bookkeeping cost on top of what the database must do.
"""

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import common

FLOOR_TABLE = "bench_seed_floor"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.seed", description=__doc__)
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=common.DEFAULT_RUNS)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database afterwards"
    )
    options = parser.parse_args(argv)

    common.setup_django(scratch_telemetry="bench_seed")
    from django.core.management import call_command

    call_command("migrate", database="telemetry", verbosity=0)
    files_root = Path(tempfile.mkdtemp(prefix="candor-bench-seed-"))
    try:
        results = run_suite(options, files_root)
    finally:
        shutil.rmtree(files_root, ignore_errors=True)
        if not options.keep:
            common.drop_scratch_telemetry()
    path = common.write_results("seed", results)
    print(f"wrote {path}")


def run_suite(options: argparse.Namespace, files_root: Path) -> list[common.Result]:
    backend = common.backend_label()
    described = {"backend": backend, "employees": options.employees}
    described["days"] = options.days

    rss_before = common.peak_rss_mb()
    seconds, rows, files = _measure_seed(options, files_root, captures_per_day=1)
    rss_growth = common.peak_rss_mb() - rss_before
    # The same seed without capture files: what generation and loading cost,
    # apart from the filesystem, which dominates on slow disks.
    bare_seconds, bare_rows, _ = _measure_seed(options, files_root, captures_per_day=0)
    floor_seconds = _measure_floor(rows, runs=options.runs)
    bare_floor_seconds = _measure_floor(bare_rows, runs=options.runs)

    with_files = {**described, "rows": rows, "capture_files": files}
    without_files = {**described, "rows": bare_rows, "capture_files": 0}
    results = [
        common.summarize(
            "seed time", "s", seconds, floor_samples=floor_seconds, params=with_files
        ),
        common.summarize(
            "seed throughput",
            "rows/s",
            [rows / s for s in seconds],
            floor_samples=[rows / s for s in floor_seconds],
            params=with_files,
        ),
        common.summarize(
            "seed time without capture files",
            "s",
            bare_seconds,
            floor_samples=bare_floor_seconds,
            params=without_files,
        ),
        common.summarize(
            "seed peak RSS growth", "MiB", [rss_growth], params=with_files
        ),
    ]
    common.print_table(
        f"seed: {options.employees} employees x {options.days} days = {rows:,} rows "
        f"and {files:,} files, on {backend}",
        results,
    )
    return results


def _measure_seed(
    options: argparse.Namespace, files_root: Path, *, captures_per_day: int
) -> tuple[list[float], int, int]:
    """Seconds per reseed from empty, and the rows and files one seed writes."""
    from apps.telemetry.seeding.params import SeedParams
    from apps.telemetry.seeding.service import telemetry_seed

    params = SeedParams(
        employees=options.employees,
        days=options.days,
        seed=options.seed,
        captures_per_day=captures_per_day,
    )
    outcomes = []

    def seed_once() -> None:
        outcomes.append(
            telemetry_seed(params=params, files_root=files_root, reset=True)
        )

    seconds = common.timed(seed_once, runs=options.runs)
    counts = outcomes[-1].run.row_counts
    return seconds, sum(counts.values()), counts["telemetry_screen_capture"]


def _measure_floor(rows: int, *, runs: int) -> list[float]:
    floor_rows = _floor_rows(rows, postgres=common.is_postgresql())
    try:
        return common.timed(lambda: _load_floor(floor_rows), runs=runs)
    finally:
        _drop_floor()


def _floor_rows(count: int, *, postgres: bool) -> list[tuple]:
    """``count`` keystroke-shaped rows, built before any timing starts.

    Timestamps are in the form each database takes without conversion:
    datetimes for COPY, Django's naive UTC text for SQLite.
    """
    start = datetime(2026, 10, 1, 8, tzinfo=UTC)
    text = "please send the report before the meeting tomorrow thanks"

    def stamp(n: int) -> datetime | str:
        at = start + timedelta(seconds=n)
        return at if postgres else at.replace(tzinfo=None).isoformat(" ")

    return [
        (
            n,
            f"PF{n // 400:06d}A000",
            stamp(n),
            "Outlook",
            "Inbox - Outlook",
            text,
        )
        for n in range(1, count + 1)
    ]


def _load_floor(rows: list[tuple]) -> None:
    """Recreate the scratch table and bulk-load ``rows`` the plain way."""
    from django.db import connections, transaction

    connection = connections["telemetry"]
    postgres = common.is_postgresql()
    stamp = "timestamptz" if postgres else "datetime"
    _drop_floor()
    with transaction.atomic(using="telemetry"), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {FLOOR_TABLE} (id bigint PRIMARY KEY, "
            f"device_serial varchar(64) NOT NULL, captured_at {stamp} NOT NULL, "
            "app varchar(100) NOT NULL, window_title varchar(300) NOT NULL, "
            "typed_text text NOT NULL)"
        )
        cursor.execute(
            f"CREATE INDEX {FLOOR_TABLE}_subject "
            f"ON {FLOOR_TABLE} (device_serial, captured_at)"
        )
        if postgres:
            with cursor.cursor.copy(f"COPY {FLOOR_TABLE} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            connection.connection.executemany(
                f"INSERT INTO {FLOOR_TABLE} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                rows,
            )


def _drop_floor() -> None:
    from django.db import connections

    with connections["telemetry"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"seed suite took {time.monotonic() - started:.1f}s")
