"""Screenshots of the dashboards, taken in a real headless browser.

    python manage.py take_screenshots [--out docs/screenshots]
                                      [--requests 400] [--chromium PATH]

Works on scratch databases of its own (`<name>_screenshots` beside a
PostgreSQL DATABASE_URL, or SQLite files in the var folder), so the
developer's data is never touched: it migrates them, runs seed_demo (what
`make run` seeds), adds a year of sample request history, a DPIA register,
an audit verification and a bundle for a demo regulator, starts the
development server on a free port, signs in as each role through the login
form with Playwright (Debian's chromium: never a downloaded browser) and
writes one PNG per page.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

REGULATOR = "regulator@example.com"
ADMIN = "admin@example.com"
PASSWORD = "candor-demo"  # noqa: S105 - the demo's published password
# (file name, role whose demo user signs in, path)
SHOTS = [
    ("officer-dashboard", "privacy_officer", "/reports/officer/"),
    ("dpo-dashboard", "dpo", "/reports/dpo/"),
    ("hr-dashboard", "hr", "/reports/hr/"),
    ("records-of-processing", "regulator", "/reports/records-of-processing/"),
    ("request-records", "auditor", "/reports/requests/?start=2000-01-01"),
    ("dpia-register", "dpo", "/reports/dpia/"),
    ("evidence-bundles", "regulator", "/reports/bundles/"),
    ("admin-index", "admin", "/admin/"),
]


def _scratch_env() -> dict[str, str]:
    env = dict(os.environ)
    url = env.get("DATABASE_URL", "")
    var_dir = Path(settings.VAR_DIR)
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = (parts.path.lstrip("/") or "candor") + "_screenshots"
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        env["TELEMETRY_DATABASE_URL"] = urlunsplit(
            parts._replace(path=f"/{name}_telemetry")
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'screenshots.sqlite3'}"
        env["TELEMETRY_DATABASE_URL"] = (
            f"sqlite:///{var_dir / 'screenshots-telemetry.sqlite3'}"
        )
    env["TELEMETRY_FILES_ROOT"] = str(var_dir / "screenshots-files")
    env["REPORTS_BUNDLE_DIR"] = str(var_dir / "screenshots-bundles")
    env["CATALOG_FILE"] = str(settings.CATALOG_FILE)
    # Pages served by the development server with its static files; bundles
    # built in the request, since no worker runs.
    env["DJANGO_DEBUG"] = "true"
    env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    # The scratch portal's demo staff have no authenticator app to enrol.
    env["ACCOUNTS_REQUIRE_STAFF_2FA"] = "false"
    env.setdefault("REPORTS_CONTROLLER_NAME", "Example Manufacturing GmbH")
    env.setdefault(
        "REPORTS_CONTROLLER_CONTACT", "Hauptstr. 1, Berlin; privacy@example.com"
    )
    env.setdefault("REPORTS_DPO_NAME", "Dana Ode")
    env.setdefault("REPORTS_DPO_CONTACT", "dpo@example.com")
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Take a screenshot of each dashboard with demo data (docs/screenshots)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--out", type=Path, default=Path(settings.BASE_DIR) / "docs/screenshots"
        )
        parser.add_argument("--requests", type=int, default=400)
        parser.add_argument("--chromium", default="/usr/bin/chromium")
        parser.add_argument("--width", type=int, default=1280)
        # Internal: run by the command itself inside the scratch environment.
        parser.add_argument("--prepare", action="store_true", help="(internal)")

    def handle(self, *args, **options) -> None:
        if options["prepare"]:
            from apps.reports.screenshot_data import screenshot_data_prepare

            screenshot_data_prepare(requests=options["requests"])
            return
        if not Path(options["chromium"]).exists():
            raise CommandError(
                f"{options['chromium']} not found: apt-get install -y chromium"
            )
        env = _scratch_env()
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        steps = [
            [sys.executable, "-m", "portal.ensure_databases"],
            [*manage, "migrate", "--noinput", "-v", "0"],
            [*manage, "migrate", "--database", "telemetry", "--noinput", "-v", "0"],
            [*manage, "seed_demo"],
            [*manage, "take_screenshots", "--prepare", "--requests",
             str(options["requests"])],
        ]  # fmt: skip
        for step in steps:
            self.stdout.write("$ " + " ".join(step[1:]))
            subprocess.run(step, env=env, cwd=settings.BASE_DIR, check=True)  # noqa: S603
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait(port)
            users = self._usernames(env)
            written = self._shoot(
                f"http://127.0.0.1:{port}", users, options["out"],
                options["chromium"], options["width"],
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=20)
        for path in written:
            self.stdout.write(f"wrote {path}")

    def _wait(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.3)
        raise CommandError(f"the development server did not start on port {port}")

    def _usernames(self, env: dict[str, str]) -> dict[str, str]:
        """The demo user of each role, read from the scratch database."""
        code = (
            "from django.contrib.auth.models import Group\n"
            "for g in Group.objects.order_by('name'):\n"
            "    u = g.user_set.order_by('username').first()\n"
            "    print(g.name, u.username if u else '')\n"
        )
        out = subprocess.run(  # noqa: S603
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "shell",
             "-c", code],
            env=env, cwd=settings.BASE_DIR, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        users = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
        users["admin"] = ADMIN
        return users

    def _shoot(self, base, users, out: Path, chromium: str, width: int) -> list[Path]:
        from playwright.sync_api import sync_playwright

        out.mkdir(parents=True, exist_ok=True)
        written = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            try:
                for name, role, path in SHOTS:
                    context = browser.new_context(
                        viewport={"width": width, "height": 900},
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=username]", users[role])
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit], input[type=submit]")
                    page.wait_for_load_state("networkidle")
                    response = page.goto(f"{base}{path}")
                    if response is None or response.status != 200:
                        status = response.status if response else "no answer"
                        raise CommandError(f"{path} as {role}: {status}")
                    target = out / f"{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                    context.close()
            finally:
                browser.close()
        return written
