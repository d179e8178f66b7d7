"""Set up the demo: catalog, monitoring data, roster, notices and sign-ins.

Idempotent: every step it calls is, and passwords and groups are set only
when they differ, so running it twice changes nothing.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.people.models import Employee, User

DEMO_PASSWORD = "candor-demo"  # noqa: S105 - printed on purpose: it is the demo
# The consent-based program of catalog/demo.yaml: its notice must exist before
# anyone can grant consent to it.
CONSENT_PROGRAMS = ["ai_model_training"]
# Staff accounts, one per role that runs the privacy programme. Each is also
# an employee of the demo roster (so "My data" works for them too).
STAFF_ROLES = [
    ("privacy_officer", "Privacy officer"),
    ("dpo", "Data protection officer"),
    ("security_investigator", "Security investigator"),
    ("hr", "HR"),
    ("auditor", "Auditor"),
]
ADMIN_USERNAME = "admin@example.com"


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
            "seed_telemetry", employees=employees, days=days, seed=seed,
            roster_out=roster,
        )  # fmt: skip
        call_command("import_roster", str(roster))
        call_command("sync_roles")
        for program in CONSENT_PROGRAMS:
            call_command("publish_notice", program, if_missing=True)
        current = list(
            Employee.objects.filter(is_leaver=False)
            .select_related("user")
            .order_by("employee_number")
        )
        if len(current) < 2 + len(STAFF_ROLES):
            self.stdout.write("Too few employees for every demo role; skipping.")
            return
        self._sign_ins(current)

    def _sign_ins(self, current: list[Employee]) -> None:
        employees = [self._with_password(e.user) for e in current[:2]]
        staff = [
            (label, self._in_role(employee.user, role))
            for (role, label), employee in zip(
                STAFF_ROLES, current[2 : 2 + len(STAFF_ROLES)], strict=True
            )
        ]
        admin = self._admin()
        self.stdout.write(self.style.SUCCESS("\nDemo sign-ins (password: candor-demo)"))
        for user in employees:
            self.stdout.write(f"  employee                {user.get_username()}")
        for label, user in staff:
            self.stdout.write(f"  {label:<23} {user.get_username()}")
        self.stdout.write(
            f"  {'administration':<23} {admin.get_username()}"
            "  (the admin site; reads no one's data)"
        )

    def _with_password(self, user: User) -> User:
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _in_role(self, user: User, role: str) -> User:
        user.groups.add(Group.objects.get(name=role))
        if not user.is_staff:
            # Staff receive officers' alerts (a broken audit chain, say).
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        return self._with_password(user)

    def _admin(self) -> User:
        admin, _ = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={
                "email": ADMIN_USERNAME,
                "is_staff": True,
                "is_superuser": True,
            },
        )
        return self._with_password(admin)
