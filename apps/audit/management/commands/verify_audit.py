"""python manage.py verify_audit: walk the audit chain and say what is wrong."""

from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain and checkpoint signatures. Names the "
        "first record altered, removed or inserted out of order; signs a "
        "checkpoint when the chain is intact. Exits 1 when it is not."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="Walk only the records after the newest checkpoint.",
        )
        parser.add_argument(
            "--alert",
            action="store_true",
            help="E-mail the officers if the chain is broken, as the daily task does.",
        )

    def handle(self, *args, since_checkpoint: bool, alert: bool, **options) -> None:
        verification = audit_chain_verify(from_checkpoint=since_checkpoint, alert=alert)
        if not verification.ok:
            raise CommandError(f"Audit chain broken: {verification.message}")
        self.stdout.write(self.style.SUCCESS(verification.message))
