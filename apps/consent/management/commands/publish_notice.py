"""Publish a program's notice from its catalog entry (demo and first setup)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.catalog.models import Program
from apps.consent.models import Notice
from apps.consent.services import notice_publish_from_catalog


class Command(BaseCommand):
    help = "Publish the next notice version of a program, written from the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program")
        parser.add_argument("--material", action="store_true")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when a notice exists (idempotent setup).",
        )

    def handle(self, *args, program: str, **options) -> None:
        found = Program.objects.filter(key=program).first()
        if found is None:
            raise CommandError(f"No program {program!r}.")
        if options["if_missing"] and Notice.objects.filter(program=found).exists():
            self.stdout.write(f"{program} already has a notice; nothing changed.")
            return
        notice = notice_publish_from_catalog(
            program=found, material_change=options["material"]
        )
        self.stdout.write(f"Published {program} notice version {notice.version}.")
