"""Cookies: __Host- names and Secure in production, plain names on the
embedded default (http://127.0.0.1), HttpOnly and SameSite always."""

import json
import os
import subprocess
import sys

from django.conf import settings as django_settings
from django.urls import reverse

from apps.security import sessions
from tests.security.conftest import signed_in

SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps(["
    "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
    " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS]))"
)


def _settings_under(**env) -> list:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_uses_host_prefixed_secure_cookies():
    assert _settings_under(CANDOR_ENV="production") == [
        "__Host-sessionid",
        "__Host-csrftoken",
        True,
        True,
        True,
        31_536_000,
    ]


def test_the_embedded_default_keeps_plain_names_over_http():
    env = {k: v for k, v in os.environ.items() if k != "CANDOR_ENV"}
    assert _settings_under(**env) == ["sessionid", "csrftoken", False, False, False, 0]


def _refreshed_cookie(client, **request):
    """A response that writes the session cookie (the idle clock moves)."""
    session = client.session
    session[sessions.SEEN_AT] = sessions._now() - 120
    session.save()
    return client.get(reverse("people:my_data"), **request)


def test_cookie_attributes_in_production(alice, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    client = signed_in(alice.user)
    response = _refreshed_cookie(client, secure=True)
    assert response.status_code == 200
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # __Host- rules: path /, no Domain.
    assert session["path"] == "/"
    assert session["domain"] == ""
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Strict"
    assert csrf["path"] == "/"
    assert csrf["domain"] == ""


def test_cookie_attributes_on_the_embedded_default(alice):
    client = signed_in(alice.user)
    response = _refreshed_cookie(client)
    session = response.cookies["sessionid"]
    assert session["secure"] == ""
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # A browser-session cookie; the server ends it by the absolute limit.
    assert session["max-age"] == ""
