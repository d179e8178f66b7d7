"""Recompute the consent projection (and the Redis mirror) from the event log."""

from django.core.management.base import BaseCommand

from apps.consent.services import consent_projection_rebuild


class Command(BaseCommand):
    help = "Rebuild consent states from the append-only event log (the truth)."

    def handle(self, *args, **options) -> None:
        rows = consent_projection_rebuild()
        self.stdout.write(f"Rebuilt {rows} consent states from the event log.")
