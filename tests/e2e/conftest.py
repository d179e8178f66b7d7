"""Browser tests: Debian's chromium (never a downloaded browser) driven by
Playwright against pytest-django's live server, with a real Celery worker
process carrying out the requests.

One browser and one worker per module keep the journeys inside their time
budget (why not one browser per session: see `browser`). The worker starts
once per module, so every path it reads (capture files, exports, bundles)
is a per-module folder here, overriding the shared fixtures' per-test ones.

On a failure, the page each person had open is saved as a screenshot, with
the trail of pages each one visited and the worker's log, under the folder
printed in the report; E2E_SCREENSHOTS chooses where (default: the system's
temporary folder). Passing runs take no screenshot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import sync_playwright

from apps.catalog.models import LegalBasis, Program
from apps.consent.services import consent_grant, notice_publish
from apps.governance.services.roles import roles_sync
from apps.people.models import User
from tests.conftest import DEMO_PASSWORD, make_employee
from tests.monitoring_fixtures import _write_png
from tests.worker import running_worker

CHROMIUM = "/usr/bin/chromium"


# -- the browser ------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module.

    Not one per session: Playwright's sync API keeps an asyncio loop running
    in this thread while it is started, and Django refuses ORM calls from a
    thread with a running loop. So the loop lives only while this module's
    tests run, with DJANGO_ALLOW_ASYNC_UNSAFE set for exactly that long (the
    ORM calls the tests make between page actions are plain sync code); the
    modules after it see neither.
    """
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does); "
            "the browser tests never download a browser"
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True
            )
            yield launched
            launched.close()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    pytest.fail("Playwright left its event loop running: later tests would break")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item: the `browse` fixture
    takes screenshots only when the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _screenshot_all(contexts, name: str) -> Path:
    folder = (
        Path(os.environ.get("E2E_SCREENSHOTS") or tempfile.gettempdir())
        / f"candor-e2e-{name}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    for c, context in enumerate(contexts):
        for p, page in enumerate(context.pages):
            try:
                page.screenshot(path=folder / f"{c}-{p}.png", full_page=True)
                (folder / f"{c}-{p}.url").write_text(page.url)
            except Exception as exc:  # a closed page must not hide the failure
                (folder / f"{c}-{p}.error").write_text(str(exc))
    return folder


@pytest.fixture
def browse(browser, live_server, request):
    """`browse()` opens a fresh browser profile (a person) on the live
    server and returns its page. Each call is a separate person: cookies
    are not shared."""
    contexts = []
    trail: list[str] = []

    def open_page(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        person = len(contexts) - 1

        def visited(frame) -> None:
            if frame == page.main_frame:
                trail.append(f"{person}: {frame.url}")

        page.on("framenavigated", visited)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = _screenshot_all(contexts, request.node.name)
        (folder / "trail.txt").write_text("\n".join(trail) + "\n")
        running = request.node.funcargs.get("worker")
        if running is not None:
            (folder / "worker.log").write_text("".join(running.log))
        print(f"\nscreenshots of the failed journey: {folder}")
    for context in contexts:
        context.close()


# -- one worker per module, and the folders it shares with the test ----------


@pytest.fixture(scope="module")
def module_dirs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("e2e")
    return {n: root / n for n in ("files", "exports", "bundles")}


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, module_dirs):
    with django_db_blocker.unblock():
        with running_worker(
            TELEMETRY_FILES_ROOT=str(module_dirs["files"]),
            RIGHTS_EXPORT_ROOT=str(module_dirs["exports"]),
            REPORTS_BUNDLE_DIR=str(module_dirs["bundles"]),
        ) as running:
            yield running


@pytest.fixture
def captures_root(module_dirs, settings) -> Path:
    """The shared `catalog` fixture's capture files (same names and images),
    written where this module's worker looks for them."""
    root = module_dirs["files"]
    shutil.rmtree(root, ignore_errors=True)
    when = dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC)
    _write_png(root / "captures/SN-ALICE-1/2026-11-05/1.png", "red", when)
    _write_png(
        root / "captures/SN-ALICE-1/2026-11-06/2.png", "blue", when + dt.timedelta(1)
    )
    _write_png(root / "captures/SN-BOB-1/2026-11-05/3.png", "green", when)
    settings.TELEMETRY_FILES_ROOT = root
    return root


@pytest.fixture(autouse=True)
def _module_paths(module_dirs, settings):
    settings.RIGHTS_EXPORT_ROOT = module_dirs["exports"]
    settings.REPORTS_BUNDLE_DIR = module_dirs["bundles"]


# -- people who sign in -------------------------------------------------------


def staff_user(name: str, *roles: str, number: str) -> User:
    """A role holder who signs in with a password, and with a confirmed
    TOTP device when two-factor is installed (it is required for staff)."""
    employee = make_employee(name, number=number)
    user = employee.user
    roles_sync()
    user.groups.add(*Group.objects.filter(name__in=roles))
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    return user


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def officer(transactional_db) -> User:
    return staff_user("olga", "privacy_officer", number="S002")


@pytest.fixture
def regulator(transactional_db) -> User:
    return staff_user("rita", "regulator", number="S009")


@pytest.fixture
def ai_training(alice):
    """A consent-based program alice has consented to."""
    program = Program.objects.create(
        key="ai_training",
        name="AI training",
        purpose="Train the writing assistant",
        legal_basis=LegalBasis.CONSENT,
        data_subjects=["employee"],
        data_categories=["user.content"],
        retention_days=365,
    )
    notice = notice_publish(
        program=program,
        title="AI training notice",
        text="We copy some of your typing to train a model.",
        collected="Keystroke snippets",
        why="Train the assistant",
        retention="365 days",
        recipients="Machine learning team",
    )
    consent_grant(employee=alice, program=program, notice=notice)
    return program
