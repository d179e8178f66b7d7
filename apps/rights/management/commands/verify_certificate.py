"""Check an erasure certificate's signature: prints OK, or what fails (exit 1).

    manage.py verify_certificate certificate.json [--public-key BASE64]

Without --public-key the portal's own key (RIGHTS_SIGNING_KEY) is trusted;
a regulator or the employee passes the public key the portal published.
The public key inside the document is never trusted: anyone can put one
there.
"""

import base64
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.rights.signing import verify_document


class Command(BaseCommand):
    help = "Verify an erasure certificate's signature."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--public-key",
            default="",
            help="Base64 of the raw 32-byte Ed25519 public key to trust.",
        )

    def handle(self, *args, file: Path, public_key: str, **options):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}", returncode=1) from None
        trusted = None
        if public_key:
            try:
                trusted = base64.b64decode(public_key, validate=True)
            except ValueError:
                raise CommandError("--public-key is not base64", returncode=1) from None
            if len(trusted) != 32:
                raise CommandError("--public-key must be 32 bytes", returncode=1)
        problems = verify_document(raw, public_key=trusted)
        if problems:
            raise CommandError("FAILED: " + "; ".join(problems), returncode=1)
        self.stdout.write("OK")
