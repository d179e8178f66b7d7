"""Verify an evidence bundle: its manifest's signature and every file's hash."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.reports.bundles import bundle_verify


class Command(BaseCommand):
    help = (
        "Check an evidence bundle (ZIP): the manifest's HMAC signature, then "
        "each file against its SHA-256 in the manifest. Names every file that "
        "was altered, added or removed; exits 1 if any was."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        result = bundle_verify(path)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{path}: NOT verified ({len(result.problems)} problem(s))",
                returncode=1,
            )
        self.stdout.write(
            f"{path}: signature valid, {result.files_checked} files match the manifest"
        )
