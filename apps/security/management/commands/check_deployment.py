"""Report what this deployment is missing, as a table; exit 1 if anything is."""

from django.core.management.base import BaseCommand, CommandError

from apps.security.runtime import all_findings


class Command(BaseCommand):
    help = "Report what is missing in this deployment (docs/security.md)."

    def handle(self, *args, **options) -> None:
        findings = all_findings()
        width = max(len(f.item) for f in findings)
        for f in findings:
            status = "OK" if f.ok else "MISSING"
            line = f"{status:<8} {f.item:<{width}}  {f.detail}"
            self.stdout.write(
                self.style.SUCCESS(line) if f.ok else self.style.ERROR(line)
            )
        missing = sum(not f.ok for f in findings)
        if missing:
            raise CommandError(f"{missing} item(s) missing", returncode=1)
        self.stdout.write("Nothing missing.")
