"""`check --deploy` on the production settings: silent when everything is
on, an error naming the item when one is off."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

import portal.settings as real_settings
from apps.security.deployment import settings_findings

PRODUCTION_ENV = {
    "CANDOR_ENV": "production",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x9!Lq2#v" * 8,
    "DJANGO_ALLOWED_HOSTS": "candor.example.com",
}


def _check_deploy(**overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, **overrides}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _check_deploy()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DJANGO_DEBUG": "true"}, "security.E101"),
        ({"DJANGO_SECRET_KEY": ""}, "security.E102"),
        ({"SESSION_COOKIE_SECURE": "false"}, "security.E103"),
        ({"SECURE_HSTS_SECONDS": "3600"}, "security.E105"),
        ({"SESSION_IDLE_MINUTES": "240"}, "security.E106"),
        ({"SESSION_ABSOLUTE_HOURS": "0"}, "security.E106"),
        ({"ACCOUNTS_REQUIRE_STAFF_2FA": "false"}, "security.E110"),
    ],
)
def test_one_item_off_fails_check_deploy_naming_it(overrides, named):
    env = {k: v for k, v in overrides.items() if v != ""}
    if "DJANGO_SECRET_KEY" in overrides:
        # Unset: the embedded default key of portal/settings.py.
        saved = PRODUCTION_ENV.pop("DJANGO_SECRET_KEY")
        try:
            result = _check_deploy(**env)
        finally:
            PRODUCTION_ENV["DJANGO_SECRET_KEY"] = saved
    else:
        result = _check_deploy(**env)
    assert result.returncode == 1
    assert named in result.stderr


def _failed(settings) -> set[str]:
    return {f.key for f in settings_findings() if not f.ok}


def _production(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = PRODUCTION_ENV["DJANGO_SECRET_KEY"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = True
    # The test session hashes with MD5 first (tests/conftest.py).
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    # The suites not about sign-in run without it (tests/conftest.py).
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = True


def test_the_embedded_default_fails_on_every_production_item():
    # DEBUG is off here (tests), the rest is the laptop default.
    assert _failed(settings) >= {"security.E102", "security.E103", "security.E105"}


def test_each_setting_item_is_checked(settings):
    _production(settings)
    assert _failed(settings) == set()
    cases = [
        ("CSRF_COOKIE_NAME", "csrftoken", "security.E103"),
        ("SESSION_COOKIE_SAMESITE", "None", "security.E103"),
        (
            "SESSION_ENGINE",
            "django.contrib.sessions.backends.signed_cookies",
            "security.E106",
        ),
        ("SESSION_IDLE_MINUTES_STAFF", 0, "security.E106"),
        (
            "PASSWORD_HASHERS",
            ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
            "security.E108",
        ),
    ]
    for name, value, key in cases:
        saved = getattr(settings, name)
        setattr(settings, name, value)
        assert _failed(settings) == {key}, name
        setattr(settings, name, saved)


@pytest.mark.parametrize(
    ("middleware", "key"),
    [
        ("django.contrib.auth.middleware.LoginRequiredMiddleware", "security.E107"),
        ("apps.security.middleware.NoStoreMiddleware", "security.E109"),
        ("apps.security.middleware.SessionLimitsMiddleware", "security.E106"),
        ("apps.security.middleware.CandorCSPMiddleware", "security.E104"),
    ],
)
def test_a_missing_middleware_is_named(settings, middleware, key):
    _production(settings)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != middleware]
    assert _failed(settings) == {key}


@pytest.mark.parametrize(
    ("directive", "value"),
    [
        ("frame-ancestors", ["'self'"]),
        ("script-src", ["'self'"]),
        ("script-src", ["'self'", "'unsafe-inline'"]),
    ],
)
def test_a_weak_csp_is_named(settings, directive, value):
    from csp.constants import NONCE

    _production(settings)
    policy = {**settings.CONTENT_SECURITY_POLICY}
    directives = {**policy["DIRECTIVES"], directive: value}
    if directive == "script-src" and "'unsafe-inline'" in value:
        directives[directive] = [*value, NONCE]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    assert _failed(settings) == {"security.E104"}
