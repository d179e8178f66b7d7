"""`manage.py load_catalog PATH [--prune]`: catalog as code."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.loader import CatalogError
from apps.catalog.services import catalog_load


class Command(BaseCommand):
    help = (
        "Load a catalog file (stores, programs, datasets) into the database. "
        "Every problem is reported and nothing changes unless the whole file "
        "is valid. See docs/catalog.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the catalog YAML file")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="delete stores, programs and datasets that are not in the file",
        )

    def handle(self, *args, path: Path, prune: bool, **options):
        try:
            summary = catalog_load(path=path, prune=prune)
        except CatalogError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{path}: {len(exc.errors)} problem(s); nothing was changed"
            ) from exc
        for line in summary.lines():
            self.stdout.write(line)
