"""Set up the demo: catalog, monitoring data, roster and demo sign-ins.

Idempotent: every step it calls is, and passwords are set only when they
differ, so running it twice changes nothing.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.people.models import Employee, User

DEMO_PASSWORD = "candor-demo"  # noqa: S105 - printed on purpose: it is the demo
OFFICER_USERNAME = "officer@example.com"


class Command(BaseCommand):
    help = "Load the demo catalog, seed demo monitoring data, import its roster."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--employees", type=int, default=40)
        parser.add_argument("--days", type=int, default=14)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, employees: int, days: int, seed: int, **options) -> None:
        roster = settings.VAR_DIR / "demo-roster.csv"
        call_command("load_catalog", str(settings.CATALOG_FILE))
        call_command(
            "seed_telemetry",
            employees=employees,
            days=days,
            seed=seed,
            roster_out=roster,
        )
        call_command("import_roster", str(roster))
        accounts = [self._with_password(e.user) for e in self._demo_employees()]
        officer = self._officer()
        self.stdout.write(self.style.SUCCESS("\nDemo sign-ins (password: candor-demo)"))
        for user in accounts:
            self.stdout.write(f"  employee  {user.get_username()}")
        self.stdout.write(f"  officer   {officer.get_username()}  (administration)")

    def _demo_employees(self) -> list[Employee]:
        current = Employee.objects.filter(is_leaver=False).select_related("user")
        return list(current.order_by("employee_number")[:2])

    def _with_password(self, user: User) -> User:
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _officer(self) -> User:
        officer, _ = User.objects.get_or_create(
            username=OFFICER_USERNAME,
            defaults={
                "email": OFFICER_USERNAME,
                "is_staff": True,
                "is_superuser": True,
            },
        )
        return self._with_password(officer)
