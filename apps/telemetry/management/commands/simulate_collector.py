"""Replay AI-training capture attempts the way the company's collector would.

The collector is the monitoring system's, not the portal's: it knows people
by the e-mail addresses in its own tables, asks the portal's decision API
over HTTP before each capture, and writes a training-corpus row only when
the answer is "allow". Anything else (deny, an error, no answer) means no
capture. It imports nothing from the portal's apps.
"""

import json
import os
import random
import urllib.error
import urllib.request
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.telemetry.identities import identities
from apps.telemetry.models import SeedRun, TrainingCorpusEntry
from apps.telemetry.seeding.params import SeedParams

DECISIONS_PATH = "/api/v1/consent/decisions/"
TIMEOUT_SECONDS = 5


class Command(BaseCommand):
    help = (
        "Ask the portal before each simulated AI-training capture and store a "
        "corpus row only when allowed. Prints the answers it got."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--portal", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--token",
            default=os.environ.get("CANDOR_COLLECTOR_TOKEN", ""),
            help="The collector token (or CANDOR_COLLECTOR_TOKEN).",
        )
        parser.add_argument("--program", default="ai_model_training")
        parser.add_argument("--attempts", type=int, default=100)
        parser.add_argument(
            "--subject", action="append", default=[], help="Only these e-mails."
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        if not options["token"]:
            raise CommandError("Give --token (or set CANDOR_COLLECTOR_TOKEN).")
        if not options["portal"].startswith(("http://", "https://")):
            raise CommandError("--portal must be an http(s) URL.")
        emails = options["subject"] or self._roster_emails()
        rng = random.Random(options["seed"])
        outcomes: Counter[str] = Counter()
        captured: Counter[str] = Counter()
        for attempt in range(options["attempts"]):
            email = rng.choice(emails)
            decision, reason = self._ask(options, email)
            outcomes[f"{decision}:{reason}"] += 1
            if decision == "allow":
                self._capture(email, attempt)
                captured[email] += 1
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"  {outcome:<32} {count:>6}")
        self.stdout.write(
            f"Captured {sum(captured.values())} corpus rows for "
            f"{len(captured)} of {len(emails)} employees."
        )

    def _roster_emails(self) -> list[str]:
        """The seeded employees still employed, from the collector's own seed."""
        run = SeedRun.objects.filter(finished_at__isnull=False).first()
        if run is None:
            raise CommandError("The telemetry database is not seeded.")
        p = run.params
        params = SeedParams(
            employees=p["employees"],
            days=p["days"],
            seed=p["seed"],
            until=date.fromisoformat(p["until"]),
        )
        people = identities(
            seed=params.seed,
            count=params.employees,
            window_start=params.window_start,
            window_end=params.until,
        )
        return [person.work_email for person in people if person.left_on is None]

    def _ask(self, options: dict, email: str) -> tuple[str, str]:
        """("allow" | "deny", reason); no usable answer is a deny."""
        body = json.dumps(
            {
                "program": options["program"],
                "subject": {"kind": "email", "value": email},
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in handle
            options["portal"].rstrip("/") + DECISIONS_PATH,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {options['token']}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310
                answer = json.load(reply)
        except urllib.error.HTTPError as exc:
            return "deny", f"http_{exc.code}"
        except (urllib.error.URLError, OSError, ValueError):
            return "deny", "unreachable"
        if answer.get("decision") == "allow":
            return "allow", str(answer.get("reason", ""))
        return "deny", str(answer.get("reason", "unknown"))

    def _capture(self, email: str, attempt: int) -> None:
        TrainingCorpusEntry.objects.create(
            email=email,
            collected_at=timezone.now(),
            source_dataset="keystrokes",
            source_id=attempt,
            snippet=f"simulated capture {attempt}",
        )
