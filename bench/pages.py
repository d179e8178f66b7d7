"""The `pages` suite: "My data" latency for one employee, beside plain SQL.

    .venv/bin/python -m bench.pages [--employees 200] [--days 7] [--runs 5]

Runs on scratch databases of its own (portal and telemetry; kept between
runs so a large seed is paid once and verified by its SeedRun record). The
measured employee is the first of the roster.

- my_data_cold: the whole page through Django's test client (sign-in
  session, permission check, catalog, one connector count per dataset, the
  audit records, the template), with the count cache emptied before each run.
- my_data_warm: the same page with the counts cached.
- floor: the same counts as a person would type them: one
  SELECT count(*), min(ts), max(ts) per SQL dataset on the employee's
  identifiers, and a directory listing for the screen-capture files.
"""

import argparse
import os
import tempfile
from pathlib import Path

from bench import common

SCRATCH = "bench_pages"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.pages", description=__doc__)
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=common.DEFAULT_RUNS)
    options = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = common.scratch_portal_url(SCRATCH)
    os.environ.setdefault(
        "TELEMETRY_FILES_ROOT", str(Path(tempfile.gettempdir()) / f"candor-{SCRATCH}")
    )
    common.setup_django(scratch_telemetry=SCRATCH)
    _prepare(options)
    results = run_suite(options)
    path = common.write_results("pages", results)
    print(f"wrote {path}")



def _prepare(options: argparse.Namespace) -> None:
    """Migrate, load the demo catalog, seed (or reuse) the stores, import."""
    from django.conf import settings
    from django.core.management import call_command

    from portal.ensure_databases import ensure_postgres_database

    portal = settings.DATABASES["default"]
    if portal["ENGINE"].endswith("postgresql"):
        ensure_postgres_database(portal)
    call_command("migrate", verbosity=0)
    call_command("migrate", database="telemetry", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_catalog", str(settings.CATALOG_FILE), verbosity=0)
    roster = Path(settings.VAR_DIR) / f"{SCRATCH}-roster.csv"
    call_command(
        "seed_telemetry",
        employees=options.employees,
        days=options.days,
        seed=options.seed,
        roster_out=roster,
        verbosity=1,
    )
    call_command("import_roster", str(roster), verbosity=0)


def run_suite(options: argparse.Namespace) -> list[common.Result]:
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from apps.catalog.models import Dataset
    from apps.people.models import Employee

    employee = Employee.objects.order_by("employee_number").first()
    datasets = list(Dataset.objects.select_related("store"))
    client = Client()
    client.force_login(employee.user)
    url = reverse("people:my_data")

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def cold_page() -> None:
        cache.clear()
        page()

    floor = _floor(employee, datasets)
    # An in-process cache: the suite measures the stores, not a cache server.
    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=local, ALLOWED_HOSTS=["testserver"]):
        floor_samples = common.timed(floor, runs=options.runs)
        cold = common.timed(cold_page, runs=options.runs)
        warm = common.timed(page, runs=options.runs)
    rows = _total_rows(datasets)
    mine = sum(count for count in floor())
    backend = common.backend_label()
    params = {
        "backend": backend,
        "employees": options.employees,
        "days": options.days,
        "store_rows": rows,
        "employee_rows": mine,
        "datasets": len(datasets),
    }
    results = [
        common.summarize(
            "my_data_cold", "s", cold, floor_samples=floor_samples, params=params
        ),
        common.summarize(
            "my_data_warm", "s", warm, floor_samples=floor_samples, params=params
        ),
    ]
    common.print_table(
        f"pages: My data for 1 employee ({mine:,} of their rows) in stores "
        f"holding {rows:,} rows, on {backend}",
        results,
    )
    return results


def _floor(employee, datasets):
    """The plain-SQL counts for `employee`, as a callable returning them."""
    from django.conf import settings
    from django.db import connections

    from apps.people.selectors import subject_identifiers

    connection = connections["telemetry"]
    quote = connection.ops.quote_name
    queries = []
    folders = []
    for dataset in datasets:
        ids = subject_identifiers(employee=employee, kind=dataset.identifier_kind)
        if dataset.store.kind == "files":
            root = Path(settings.TELEMETRY_FILES_ROOT)
            folders += [root / dataset.location.format(identifier=v) for v in ids]
            continue
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT count(*), min({quote(dataset.timestamp_field)}), "  # noqa: S608
            f"max({quote(dataset.timestamp_field)}) FROM {quote(dataset.location)} "
            f"WHERE {quote(dataset.subject_field)} IN ({marks})"
        )
        queries.append((sql, ids))

    def counts() -> list[int]:
        found = []
        with connection.cursor() as cursor:
            for sql, ids in queries:
                cursor.execute(sql, ids)
                found.append(cursor.fetchone()[0])
        found.append(sum(1 for folder in folders for p in folder.rglob("*.png")))
        return found

    return counts


def _total_rows(datasets) -> int:
    from django.db import connections

    connection = connections["telemetry"]
    total = 0
    with connection.cursor() as cursor:
        for dataset in datasets:
            if dataset.store.kind == "sql":
                table = connection.ops.quote_name(dataset.location)
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                total += cursor.fetchone()[0]
    return total


if __name__ == "__main__":
    main()
