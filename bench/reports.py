"""The `reports` suite: the records-of-processing PDF and the request-record
export, beside the plainest way to write the same rows.

    .venv/bin/python -m bench.reports [--programs 200] [--requests 100000]
                                      [--runs 5]

Runs on a scratch portal database of its own (candor_bench_reports_portal on
PostgreSQL, bench_reports_portal.sqlite3 in the var folder). The programs
and the request history (apps.reports.sample, walked along the lifecycle
the database enforces) are seeded once and reused while their counts match.

- ropa_pdf_200: the records-of-processing PDF for `--programs` programs
  (rows from the catalog, title page, two-pass table of contents, one
  section per program), as the export view writes it. Floor: the same rows
  written as CSV.
- request_records_100k: the request-record CSV export for `--requests`
  requests (chunked query, labels, CSV), as the export view writes it to its
  spool file. Floor: one plain SELECT of the same columns, fetched in the
  same chunks and written with the csv module.
"""

import argparse
import csv
import datetime as dt
import io
import os
import tempfile

from bench import common

SCRATCH = "bench_reports"
SUBJECTS = 50


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.reports", description=__doc__)
    parser.add_argument("--programs", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=common.DEFAULT_RUNS)
    options = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = common.scratch_portal_url(SCRATCH)
    common.setup_django()
    _prepare(options)
    results = run_suite(options)
    path = common.write_results("reports", results)
    print(f"wrote {path}")


def _prepare(options: argparse.Namespace) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from apps.catalog.models import Dataset, Program, Store
    from apps.people.models import Employee, User
    from apps.reports.sample import sample_requests_create
    from apps.rights.models import Request
    from portal.ensure_databases import ensure_postgres_database

    portal = settings.DATABASES["default"]
    if portal["ENGINE"].endswith("postgresql"):
        ensure_postgres_database(portal)
    call_command("migrate", verbosity=0)
    if Program.objects.count() != options.programs:
        Dataset.objects.all().delete()
        Program.objects.all().delete()
        store = Store.objects.get_or_create(
            key="bench-db", defaults={"name": "Bench database", "kind": "sql"}
        )[0]
        for n in range(options.programs):
            program = Program.objects.create(**_program(n))
            Dataset.objects.create(
                store=store, program=program, key=f"bench-{n:04}",
                name=f"Events {n}", location=f"events_{n}",
                identifier_kind="email",
            )  # fmt: skip
    if Request.objects.count() != options.requests:
        Request.objects.all().delete()
        officer = User.objects.get_or_create(username="bench-officer")[0]
        subjects = []
        for n in range(SUBJECTS):
            user = User.objects.get_or_create(username=f"bench-{n}")[0]
            subjects.append(
                Employee.objects.get_or_create(
                    user=user,
                    defaults={
                        "employee_number": f"B{n:05}",
                        "work_email": f"bench-{n}@example.test",
                        "full_name": f"Bench {n}",
                    },
                )[0]
            )
        print(f"seeding {options.requests:,} requests ...", flush=True)
        sample_requests_create(
            count=options.requests, subjects=subjects, filed_by=officer,
            now=timezone.now(), days=730, seed=1,
        )  # fmt: skip


def _program(n: int) -> dict:
    return {
        "key": f"program-{n:04}",
        "name": f"Monitoring program {n:04}",
        "description": "A benchmark program.",
        "purpose": "Detect data exfiltration and compromised accounts, and report "
        "on the use of company software licences. " * 2,
        "legal_basis": "legitimate_interests",
        "legitimate_interests_assessment": f"LIA-{n:04}",
        "data_subjects": ["employee"],
        "data_categories": [
            "user.behavior.keystrokes",
            "user.behavior.pointer_movement",
            "user.content.screen_capture",
            "user.device.device_id",
        ],
        "data_uses": ["essential.service.security"],
        "recipients": ["IT Security team", "Endpoint monitoring vendor (processor)"],
        "source": "Endpoint agent on company laptops",
        "retention_days": 90,
        "leaver_retention_days": 30,
        "international_transfers": "Backups in the United States" if n % 3 else "",
        "transfer_safeguards": "EU SCCs (2021/914), module 2" if n % 3 else "",
        "dpia_status": "approved",
        "dpia_reference": f"DPIA-{n:04}",
        "security_measures": "Encrypted at rest and in transit; access only "
        "through approved cases; every read is logged in the audit trail.",
    }


def run_suite(options: argparse.Namespace) -> list[common.Result]:
    from django.utils import timezone

    from apps.reports import exports, requests
    from apps.reports.pdf import write_ropa_pdf
    from apps.reports.ropa import COLUMNS, ropa_rows

    headings = [str(c.label) for c in COLUMNS]

    def pdf() -> None:
        write_ropa_pdf(io.BytesIO(), ropa=ropa_rows(), generated_at=timezone.now())

    def pdf_floor() -> None:
        rows = (row.as_list() for row in ropa_rows().rows)
        exports.write_csv(io.BytesIO(), headings=headings, rows=rows)

    period = requests.Period(
        start=timezone.localdate() - dt.timedelta(days=3650),
        end=timezone.localdate(),
    )

    def records() -> None:
        with tempfile.TemporaryFile() as spool:
            count = exports.write_csv(
                spool,
                headings=[str(h) for h in requests.RECORD_HEADINGS],
                rows=requests.record_rows(period=period),
            )
        assert count == options.requests, count

    def records_floor() -> None:
        with tempfile.TemporaryFile() as spool:
            count = _plain_export(spool, period)
        assert count == options.requests, count

    samples = {
        "pdf_floor": common.timed(pdf_floor, runs=options.runs),
        "pdf": common.timed(pdf, runs=options.runs),
        "records_floor": common.timed(records_floor, runs=options.runs),
        "records": common.timed(records, runs=options.runs),
    }
    backend = common.backend_label("default")
    params = {"backend": backend, "programs": options.programs}
    record_params = {"backend": backend, "requests": options.requests}
    results = [
        common.summarize(
            f"ropa_pdf_{options.programs}", "s", samples["pdf"],
            floor_samples=samples["pdf_floor"], params=params,
        ),
        common.summarize(
            f"request_records_{options.requests // 1000}k", "s", samples["records"],
            floor_samples=samples["records_floor"], params=record_params,
        ),
    ]  # fmt: skip
    common.print_table(
        f"reports: records of processing ({options.programs} programs) and "
        f"request records ({options.requests:,} requests) on {backend}",
        results,
    )
    return results


def _plain_export(spool, period) -> int:
    """The floor: SELECT the same columns, write them with csv."""
    from django.db import connection

    begin, after = period.bounds()
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    writer = csv.writer(text)
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public_id, received_at, kind, channel, jurisdiction, due_at, "
            "extended_days, extension_reason, extended_at, status, responded_at, "
            "response_summary, refusal_reason FROM rights_request "
            "WHERE received_at >= %s AND received_at < %s "
            "ORDER BY received_at, id",
            [begin, after],
        )
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
            count += len(rows)
    text.flush()
    text.detach()
    return count


if __name__ == "__main__":
    main()
