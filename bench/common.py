"""Helpers every benchmark suite shares (see ../shared/BENCH.md).

Django setup (optionally on a scratch telemetry database so a suite never
touches the demo data), timing with warm-up and repeats, summaries with the
floor beside each figure, the printed table and bench/results/<suite>.json.
"""

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_RUNS = 5


def setup_django(*, scratch_telemetry: str | None = None) -> None:
    """Configure Django for a suite run from the command line.

    With ``scratch_telemetry``, the "telemetry" alias points at a database of
    that name (a sibling PostgreSQL database or an SQLite file in the var
    folder), created if missing: suites that rewrite the monitoring tables
    must not destroy the demo data a developer seeded.
    """
    sys.path.insert(0, str(REPO_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if scratch_telemetry:
        os.environ["TELEMETRY_DATABASE_URL"] = _scratch_url(scratch_telemetry)
    import django

    django.setup()
    if scratch_telemetry and is_postgresql():
        _create_postgresql_database()


def scratch_portal_url(suite: str) -> str:
    """A portal database of `suite`'s own, beside the configured one: a
    sibling PostgreSQL database or an SQLite file in the var folder. Suites
    set DATABASE_URL to it before setup_django(), so that a developer's data
    is never touched."""
    portal = os.environ.get("DATABASE_URL", "")
    if portal.startswith(("postgres://", "postgresql://")):
        base, _, _name = portal.rpartition("/")
        return f"{base}/candor_{suite}_portal"
    var_dir = Path(os.environ.get("CANDOR_VAR_DIR", REPO_DIR / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir / f'{suite}_portal.sqlite3'}"


def _scratch_url(name: str) -> str:
    portal = os.environ.get("DATABASE_URL", "")
    if portal.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(portal)
        base = parts.path.lstrip("/") or "candor"
        return urlunsplit(parts._replace(path=f"/{base}_{name}"))
    var_dir = Path(os.environ.get("CANDOR_VAR_DIR", REPO_DIR / "var"))
    return f"sqlite:///{var_dir / f'{name}.sqlite3'}"


def is_postgresql(alias: str = "telemetry") -> bool:
    from django.db import connections

    return connections[alias].vendor == "postgresql"


def backend_label(alias: str = "telemetry") -> str:
    """What the suite ran on, e.g. "PostgreSQL 15.2 (candor_bench_seed)"."""
    from django.db import connections

    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    return f"{version} ({Path(str(connection.settings_dict['NAME'])).name})"


def _create_postgresql_database() -> None:
    from django.db import connections

    connection = connections["telemetry"]
    name = connection.settings_dict["NAME"]
    # Connects to the server's maintenance database, as Django's test runner does.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def drop_scratch_telemetry() -> None:
    """Remove the scratch telemetry database set up by setup_django()."""
    from django.db import connections

    connection = connections["telemetry"]
    name = str(connection.settings_dict["NAME"])
    connection.close()
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    else:
        Path(name).unlink(missing_ok=True)


def timed(work: Callable[[], object], *, runs: int, warmup: int = 1) -> list[float]:
    """Seconds taken by each of ``runs`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Result:
    """One row of a suite's results: a figure, its floor and their ratio."""

    metric: str
    value: float
    unit: str
    floor: float | None
    ratio: float | None
    min: float
    max: float
    runs: int
    params: dict = field(default_factory=dict)


def summarize(
    metric: str,
    unit: str,
    samples: Sequence[float],
    *,
    floor_samples: Sequence[float] | None = None,
    params: dict | None = None,
) -> Result:
    """Median, min and max of ``samples``, beside the median of the floor's."""
    value = statistics.median(samples)
    floor = statistics.median(floor_samples) if floor_samples else None
    return Result(
        metric=metric,
        value=value,
        unit=unit,
        floor=floor,
        ratio=value / floor if floor else None,
        min=min(samples),
        max=max(samples),
        runs=len(samples),
        params=params or {},
    )


def print_table(title: str, results: Sequence[Result]) -> None:
    """The suite's figures as a fixed-width table on stdout."""
    print(title)
    header = ("metric", "value", "unit", "floor", "ratio", "min", "max", "runs")
    rows = [
        (
            r.metric,
            _number(r.value),
            r.unit,
            _number(r.floor),
            _number(r.ratio),
            _number(r.min),
            _number(r.max),
            str(r.runs),
        )
        for r in results
    ]
    widths = [max(len(row[n]) for row in (header, *rows)) for n in range(len(header))]
    for row in (header, *rows):
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
        )


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def write_results(suite: str, results: Sequence[Result]) -> Path:
    """Write bench/results/<suite>.json; returns its path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{suite}.json"
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return path
