"""Create or revoke a collector's decision-API token."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.catalog.models import Program
from apps.consent.models import CollectorToken
from apps.consent.services import collector_token_create, collector_token_revoke
from apps.people.models import User


class Command(BaseCommand):
    help = (
        "create NAME --program KEY [--program KEY...] --by USERNAME: print a new "
        "token's secret (shown once). revoke NAME: revoke every live token so named."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("name")
        parser.add_argument("--program", action="append", default=[])
        parser.add_argument("--by", help="The officer creating it (username).")
        parser.add_argument(
            "--quiet-secret",
            action="store_true",
            help="Print only the secret (for scripts).",
        )

    def handle(self, *args, action: str, name: str, **options) -> None:
        if action == "revoke":
            live = CollectorToken.objects.filter(name=name, revoked_at__isnull=True)
            tokens = list(live)
            if not tokens:
                raise CommandError(f"No live token named {name!r}.")
            for token in tokens:
                collector_token_revoke(token=token)
            self.stdout.write(f"Revoked {len(tokens)} token(s) named {name!r}.")
            return
        keys = options["program"]
        programs = list(Program.objects.filter(key__in=keys))
        missing = sorted(set(keys) - {p.key for p in programs})
        if not keys or missing:
            raise CommandError(
                f"Give --program for known programs (unknown: {missing})"
            )
        officer = User.objects.filter(username=options["by"]).first()
        if officer is None or not officer.is_staff:
            raise CommandError("--by must name a staff user (an officer).")
        token, secret = collector_token_create(
            name=name, programs=programs, created_by=officer
        )
        if options["quiet_secret"]:
            self.stdout.write(secret)
            return
        self.stdout.write(
            f"Token {token.name!r} for {', '.join(keys)}. Secret (shown once):"
        )
        self.stdout.write(secret)
