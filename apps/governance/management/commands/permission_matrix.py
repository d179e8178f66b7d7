"""Print (or write) the permission matrix generated from the code."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.governance.matrix import render_matrix


class Command(BaseCommand):
    help = "Render docs/permissions.md: roles x permissions and roles x pages."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write", metavar="PATH", help="write to this file")

    def handle(self, *args, **options) -> None:
        text = render_matrix()
        if options["write"]:
            Path(options["write"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['write']}")
        else:
            self.stdout.write(text, ending="")
