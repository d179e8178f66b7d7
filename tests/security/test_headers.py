"""Response headers: CSP with nonces, framing, referrer, opener, sniffing,
HSTS in production, and no-store on everything the application answers."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.security.conftest import signed_in

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Not web pages: e-mails, and the export archive's index opened from disk.
NOT_PAGES = ("emails", "export", ".txt")


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _directives(value: str) -> set[str]:
    return {d.strip() for d in value.split(",")}


def test_every_page_has_a_strict_csp(alice):
    response = signed_in(alice.user).get(reverse("people:my_data"))
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert "'unsafe-eval'" not in csp["script-src"]


def test_the_nonce_is_in_the_header_and_on_the_inline_style_and_fresh_each_time(
    alice, settings
):
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False  # the sign-in work's gate
    alice.user.is_staff = alice.user.is_superuser = True
    alice.user.save()
    client = signed_in(alice.user)
    nonces = []
    for _ in range(2):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        (nonce,) = re.findall(r"'nonce-([^']+)'", " ".join(_csp(response)["style-src"]))
        assert f'<style nonce="{nonce}">' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert len(nonces[0]) >= 22  # 16 random bytes, base64


def test_the_api_docs_page_runs_under_the_csp(alice):
    response = signed_in(alice.user).get(reverse("api:docs"))
    assert response.status_code == 200
    csp = _csp(response)
    (nonce,) = re.findall(r"'nonce-([^']+)'", " ".join(csp["script-src"]))
    body = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    # Swagger UI's icons are data: images; only this page allows them.
    assert csp["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in csp["script-src"]
    other = signed_in(alice.user).get(reverse("people:my_data"))
    assert _csp(other)["img-src"] == ["'self'"]


def test_the_security_headers(client, alice):
    response = signed_in(alice.user).get(reverse("people:my_data"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # Not on plain HTTP (the embedded default): browsers ignore it there.
    assert "Strict-Transport-Security" not in response


def test_hsts_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.parametrize(
    "name", ["people:my_data", "consent:my_choices", "api:rights_requests", "login"]
)
def test_no_store_on_pages_and_api_answers(alice, name):
    response = signed_in(alice.user).get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in _directives(response["Cache-Control"])
    assert response["Pragma"] == "no-cache"


def test_no_store_on_refusals_and_redirects(client, alice):
    for response in (
        client.get(reverse("people:my_data")),  # anonymous: to sign-in
        signed_in(alice.user).get("/no-such-page/"),
        client.post(reverse("consent:api_decisions")),  # 401
    ):
        assert response.status_code in (302, 401, 404)
        assert "no-store" in _directives(response["Cache-Control"])
        assert response["Pragma"] == "no-cache"


def _web_templates() -> list[Path]:
    return [
        p
        for p in TEMPLATES.rglob("*.html")
        if not any(part in NOT_PAGES for part in p.relative_to(TEMPLATES).parts)
    ]


def test_every_inline_script_and_style_in_the_templates_carries_the_nonce():
    tags = [
        (path.name, tag)
        for path in _web_templates()
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", path.read_text())
    ]
    assert tags  # the scan found the admin's style and the progress script
    missing = [(name, tag) for name, tag in tags if "request.csp_nonce" not in tag]
    assert missing == []


def test_no_style_attribute_or_inline_handler_in_the_templates():
    found = [
        (path.name, match)
        for path in _web_templates()
        for match in re.findall(r"\s(?:style|on[a-z]+)=\"", path.read_text())
    ]
    assert found == []
