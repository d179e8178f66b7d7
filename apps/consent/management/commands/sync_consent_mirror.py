"""Write the decision API's Redis mirror from the database now."""

from django.core.management.base import BaseCommand

from apps.consent.mirror import mirror_client, mirror_sync


class Command(BaseCommand):
    help = "Sync tokens, programs, consent states and blocks into Redis."

    def handle(self, *args, **options) -> None:
        if mirror_client() is None:
            self.stdout.write("CONSENT_REDIS_URL is empty: the database answers.")
            return
        self.stdout.write(f"Synced {mirror_sync()} consent states into Redis.")
