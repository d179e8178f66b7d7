"""`manage.py import_roster FILE.csv`: the HR roster into employees."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.people.services import RosterError, roster_import


class Command(BaseCommand):
    help = (
        "Create or update employees, their departments and identifiers from an "
        "HR roster CSV. Every bad row is reported and nothing changes unless "
        "the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the roster CSV file")

    def handle(self, *args, path: Path, **options):
        try:
            summary = roster_import(path=path)
        except RosterError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{path}: {len(exc.errors)} problem(s); nothing was changed"
            ) from exc
        for line in summary.lines():
            self.stdout.write(line)
