"""Make the role groups hold exactly the permissions apps.governance.roles lists."""

from django.core.management.base import BaseCommand

from apps.governance.services.roles import roles_sync


class Command(BaseCommand):
    help = "Create or correct the role groups (idempotent)."

    def handle(self, *args, **options) -> None:
        for role, (added, removed) in roles_sync().items():
            self.stdout.write(f"{role}: +{added} -{removed}")
