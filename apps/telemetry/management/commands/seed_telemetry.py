"""Seed the demo monitoring system and write the roster the portal imports."""

import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.telemetry.identities import identities, write_roster
from apps.telemetry.seeding.params import DEFAULT_UNTIL, SeedParams
from apps.telemetry.seeding.service import SeedRefused, telemetry_seed


class Command(BaseCommand):
    help = (
        "Fill the telemetry database and capture files with deterministic demo "
        "monitoring data (about 33 rows per employee-day). Re-running with the "
        "same arguments changes nothing; other arguments need --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=50)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--captures-per-day",
            type=int,
            default=1,
            help="Screen captures per employee-day (each is a PNG file).",
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=DEFAULT_UNTIL,
            help=f"Last seeded day, ISO format (default {DEFAULT_UNTIL}).",
        )
        parser.add_argument(
            "--roster-out",
            type=Path,
            help="Write the employee roster CSV here for the portal to import.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Erase every telemetry table and capture file, then reseed.",
        )

    def handle(self, *args, **options) -> None:
        try:
            params = SeedParams(
                employees=options["employees"],
                days=options["days"],
                seed=options["seed"],
                captures_per_day=options["captures_per_day"],
                until=options["until"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error

        started = time.monotonic()
        try:
            outcome = telemetry_seed(
                params=params,
                files_root=Path(settings.TELEMETRY_FILES_ROOT),
                reset=options["reset"],
                progress=options["verbosity"] > 0,
            )
        except SeedRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        elapsed = time.monotonic() - started

        run = outcome.run
        if outcome.skipped:
            self.stdout.write(
                f"Already seeded with these params (run {run.pk}, finished "
                f"{run.finished_at:%Y-%m-%d %H:%M:%S}); nothing changed."
            )
        else:
            self.stdout.write(f"Seeded in {elapsed:.1f}s (run {run.pk}).")
        self._write_counts(run.row_counts)

        if options["roster_out"]:
            written = write_roster(
                options["roster_out"],
                identities(
                    seed=params.seed,
                    count=params.employees,
                    window_start=params.window_start,
                    window_end=params.until,
                ),
            )
            self.stdout.write(f"Roster: {written} employees -> {options['roster_out']}")

    def _write_counts(self, counts: dict[str, int]) -> None:
        width = max(len(table) for table in counts)
        for table, rows in counts.items():
            self.stdout.write(f"  {table:<{width}}  {rows:>12,}")
        self.stdout.write(f"  {'total':<{width}}  {sum(counts.values()):>12,}")
