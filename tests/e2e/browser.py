"""What a person does in the browser, written once: sign in (with a TOTP code
when two-factor is on), answer a step-up, take a download, run axe-core.

Selectors go by name, role and label, never by position on the page, so a
redesign of the sign-in pages (apps.accounts) does not break the journeys.
"""

from __future__ import annotations

import datetime as dt
import time
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Download, Locator, Page

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules/axe-core/axe.min.js"
# axe impacts, from least to worst; we fail on the last two.
BLOCKING_IMPACTS = ("serious", "critical")
# How long a person would wait for a page or a download to answer.
ANSWER_TIMEOUT_MS = 15_000


def totp_code(user) -> str | None:
    """The code `user`'s confirmed TOTP device accepts now, or None when
    two-factor is not installed or the user has no device.

    A device refuses a code of a time step it already accepted (replay), and
    sign-in then step-up can come within one 30 s step: then the next step's
    code is given (within the device's tolerance), or we wait for the step
    to pass, as a person would wait for their app's next code."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while device.last_t + 1 > totp.t() + device.tolerance:
        time.sleep(0.5)
    totp.drift += max(0, device.last_t + 1 - totp.t())
    return str(totp.token()).zfill(device.digits)


def _field(page: Page, name: str) -> Locator:
    return page.locator(f"input[name={name}]")


def _submit(page: Page, field: Locator, *, navigates: bool = True) -> None:
    """Submit the form that holds `field` with its own submit button, and
    wait for the page it leads to (unless that is a file: no page comes)."""
    button = page.locator("form", has=field).locator(
        "button[type=submit], input[type=submit]"
    )
    if not navigates:
        button.first.click()
        return
    with page.expect_navigation():
        button.first.click()


def answer_otp(page: Page, user) -> None:
    """If the page asks for a one-time code, give the current one."""
    otp = _field(page, "otp_token")
    if otp.count() == 0:
        return
    code = totp_code(user)
    assert code, f"the page asks {user} for a code but they have no TOTP device"
    otp.fill(code)
    _submit(page, otp)


def _fill_password_form(
    page: Page, user, password: str, *, navigates: bool = True
) -> None:
    """Fill the form that asks for the password (a code too, if it asks on
    the same page), submit it, then answer a separate code page if one
    follows."""
    username = _field(page, "username")
    if username.count() and not username.input_value():
        username.fill(user.get_username())
    _field(page, "password").fill(password)
    otp = _field(page, "otp_token")
    if otp.count():
        otp.fill(totp_code(user) or "")
    _submit(page, _field(page, "password"), navigates=navigates)
    if navigates:
        answer_otp(page, user)


def sign_in(page: Page, user, password: str) -> None:
    """Sign in through the real sign-in page, as a person would."""
    page.goto("/accounts/login/")
    _fill_password_form(page, user, password)
    assert "/accounts/login/" not in page.url, (
        f"sign-in as {user} failed: " + page.locator("main").inner_text()
    )


def asks_step_up(page: Page) -> bool:
    return _field(page, "password").count() > 0


def step_up(page: Page, password: str, user, *, for_download: bool = False) -> None:
    """Answer a re-authentication page (password, maybe a code); the browser
    then goes on to where the person was going: a page, or a file (then it
    stays on this page and the caller waits for the download)."""
    _fill_password_form(page, user, password, navigates=not for_download)
    if for_download:
        return
    refused = page.get_by_role("alert")
    assert not refused.count(), (
        f"step-up as {user} refused: {refused.all_inner_texts()}"
    )


def sign_in_ago(page: Page, *, minutes: int) -> None:
    """Make this browser's sign-in (and any step-up) `minutes` old, as if
    the person had been working that long: the next sensitive action asks
    for a step-up. The session is server-side: its stored stamps move."""
    try:
        from apps.accounts.stepup import SESSION_KEY, STEPPED_UP_KEY
    except ImportError:  # before apps.accounts: the sign-in stamp only
        from apps.rights.views.reauth import SESSION_KEY

        STEPPED_UP_KEY = SESSION_KEY
    engine = import_module(settings.SESSION_ENGINE)
    key = next(
        c["value"]
        for c in page.context.cookies()
        if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = engine.SessionStore(session_key=key)
    then = (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()
    for stamp in (SESSION_KEY, STEPPED_UP_KEY):
        if stamp in session:
            session[stamp] = then
    session.save()


def download(
    page: Page, link: Locator, *, user, password: str
) -> tuple[Download, bool]:
    """Click `link` and return the file it gives, and whether a step-up
    page came first (it is answered)."""
    started: list[Download] = []

    def keep(download: Download) -> None:
        started.append(download)

    page.on("download", keep)
    try:
        link.click()
        deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
        while not started and time.monotonic() < deadline:
            page.wait_for_timeout(100)
            if not started and asks_step_up(page):
                with page.expect_download(timeout=ANSWER_TIMEOUT_MS) as info:
                    step_up(page, password, user, for_download=True)
                return info.value, True
        assert started, f"no download and no step-up page at {page.url}"
        return started[0], False
    finally:
        page.remove_listener("download", keep)


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line
    each (rule, impact, where), or [] when there are none."""
    assert AXE_SCRIPT.is_file(), (
        f"axe-core is missing ({AXE_SCRIPT}): run `npm ci` (or `make test`, "
        "which does it) before the browser tests"
    )
    page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
          }));
        }"""
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']} at {v['targets']}"
        for v in found
        if v["impact"] in BLOCKING_IMPACTS
    ]
