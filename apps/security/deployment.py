"""What a production deployment must have, item by item.

`settings_findings()` reads settings only: the system checks
(apps.security.checks, `check --deploy`) turn its failures into errors.
`runtime_findings()` looks at this deployment's database role, broker,
e-mail and keys: `manage.py check_deployment` reports both.
"""

from __future__ import annotations

from dataclasses import dataclass

from csp.constants import NONCE, NONE, UNSAFE_INLINE
from django.conf import settings

# The default in portal/settings.py: known to everyone who read the code.
EMBEDDED_SECRET_KEYS = frozenset(
    {"candor-embedded-default-key-change-me-in-production"}
)
HOST_PREFIX = "__Host-"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
LOGIN_REQUIRED = "django.contrib.auth.middleware.LoginRequiredMiddleware"
NO_STORE = "apps.security.middleware.NoStoreMiddleware"
TWO_FACTOR = "apps.accounts.middleware.TwoFactorRequiredMiddleware"
AXES = "axes.middleware.AxesMiddleware"
AXES_BACKEND = "axes.backends.AxesStandaloneBackend"
SESSION_LIMITS = "apps.security.middleware.SessionLimitsMiddleware"
CSP_MIDDLEWARE = "apps.security.middleware.CandorCSPMiddleware"
SERVER_SIDE_SESSIONS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)
# ASVS 3.3 at level 2 (NIST 800-63B AAL2): 30 minutes idle, 12 hours in all.
MAX_IDLE_MINUTES = 30
MAX_ABSOLUTE_HOURS = 12
MIN_HSTS_SECONDS = 31_536_000  # one year


@dataclass(frozen=True)
class Finding:
    key: str  # stable id, e.g. "security.E101"
    item: str
    ok: bool
    detail: str


def _csp_problem() -> str | None:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy.get("DIRECTIVES") or {}
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        return "the CSP middleware is not in MIDDLEWARE"
    if not directives.get("default-src"):
        return "no default-src"
    if list(directives.get("frame-ancestors") or []) != [NONE]:
        return "frame-ancestors is not 'none'"
    scripts = list(directives.get("script-src") or directives["default-src"])
    if NONCE not in scripts:
        return "script-src has no nonce"
    if UNSAFE_INLINE in scripts:
        return "script-src allows 'unsafe-inline'"
    return None


def _limits_problem() -> str | None:
    if SESSION_LIMITS not in settings.MIDDLEWARE:
        return "the session limits middleware is not in MIDDLEWARE"
    idle = (settings.SESSION_IDLE_MINUTES_STAFF, settings.SESSION_IDLE_MINUTES)
    if not all(0 < m <= MAX_IDLE_MINUTES for m in idle):
        return f"idle limits {idle} minutes: each must be 1..{MAX_IDLE_MINUTES}"
    hours = settings.SESSION_ABSOLUTE_HOURS
    if not 0 < hours <= MAX_ABSOLUTE_HOURS:
        return f"absolute limit {hours} h: must be 1..{MAX_ABSOLUTE_HOURS}"
    if settings.SESSION_ENGINE not in SERVER_SIDE_SESSIONS:
        return f"{settings.SESSION_ENGINE} is not a server-side session store"
    return None


def _cookies_problem() -> str | None:
    for name in ("SESSION", "CSRF"):
        if not getattr(settings, f"{name}_COOKIE_SECURE"):
            return f"{name}_COOKIE_SECURE is off"
        if not getattr(settings, f"{name}_COOKIE_NAME").startswith(HOST_PREFIX):
            return f"{name}_COOKIE_NAME has no {HOST_PREFIX} prefix"
    if not settings.SESSION_COOKIE_HTTPONLY:
        return "SESSION_COOKIE_HTTPONLY is off"
    if settings.SESSION_COOKIE_SAMESITE not in ("Lax", "Strict"):
        return "SESSION_COOKIE_SAMESITE is neither Lax nor Strict"
    return None


def _check(key: str, item: str, problem: str | None, fine: str) -> Finding:
    return Finding(key, item, problem is None, problem or fine)


def settings_findings() -> list[Finding]:
    hashers = settings.PASSWORD_HASHERS
    return [
        _check(
            "security.E101", "DEBUG", "DEBUG is on" if settings.DEBUG else None, "off"
        ),
        _check(
            "security.E102",
            "SECRET_KEY",
            "the embedded default key is in use"
            if settings.SECRET_KEY in EMBEDDED_SECRET_KEYS
            else None,
            "set from the environment",
        ),
        _check("security.E103", "Cookies", _cookies_problem(), "Secure, __Host-"),
        _check(
            "security.E104",
            "Content-Security-Policy",
            _csp_problem(),
            "nonces, frame-ancestors 'none'",
        ),
        _check(
            "security.E105",
            "HSTS",
            None
            if settings.SECURE_HSTS_SECONDS >= MIN_HSTS_SECONDS
            and settings.SECURE_SSL_REDIRECT
            else "SECURE_HSTS_SECONDS under a year or SECURE_SSL_REDIRECT off",
            f"{settings.SECURE_HSTS_SECONDS} s, HTTPS redirect",
        ),
        _check(
            "security.E106",
            "Session limits",
            _limits_problem(),
            "idle and absolute limits on",
        ),
        _check(
            "security.E107",
            "LoginRequiredMiddleware",
            None if LOGIN_REQUIRED in settings.MIDDLEWARE else "not in MIDDLEWARE",
            "views private unless marked public",
        ),
        _check(
            "security.E108",
            "Argon2 first",
            None
            if hashers and hashers[0] == ARGON2
            else f"first hasher is {hashers[0] if hashers else None}",
            "Argon2id hashes new passwords",
        ),
        _check(
            "security.E109",
            "Cache-Control: no-store",
            None
            if NO_STORE in settings.MIDDLEWARE
            else "the no-store middleware is not in MIDDLEWARE",
            "on every response",
        ),
        _check(
            "security.E110",
            "Staff two-factor",
            None
            if getattr(settings, "ACCOUNTS_REQUIRE_STAFF_2FA", False)
            and TWO_FACTOR in settings.MIDDLEWARE
            else "ACCOUNTS_REQUIRE_STAFF_2FA is off or its middleware is missing",
            "required for every staff role",
        ),
        _check(
            "security.E111",
            "Sign-in throttling",
            None
            if AXES in settings.MIDDLEWARE
            and settings.AUTHENTICATION_BACKENDS[:1] == [AXES_BACKEND]
            else "django-axes is not first among the backends or not in MIDDLEWARE",
            "failed sign-ins locked by username and address",
        ),
    ]
