"""The collectors' API: decisions, the changes feed, and a constant ping.

Collectors send `Authorization: Bearer <secret>`. A missing, wrong or revoked
secret gets 401; malformed input gets 400 with a precise message; anything
else gets an answer, and an internal error is a deny, never a 500.
"""

import json
import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.consent.decisions import (
    BadRequest,
    Reason,
    TokenRefused,
    decision_request_parse,
    decisions_all_deny,
    decisions_answer,
)
from apps.consent.selectors import collector_scope, consent_changes
from apps.people.models import IdentifierKind

logger = logging.getLogger(__name__)

CHANGES_POLL_SECONDS = 0.5


def _json(payload: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload), content_type="application/json", status=status
    )
    response["Cache-Control"] = "no-store"
    return response


def _bearer(request: HttpRequest) -> str | None:
    # META rather than request.headers: that builds a dict of every header.
    scheme, _, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


def _unauthorized() -> HttpResponse:
    response = _json(
        {"error": "unauthorized", "detail": "a valid token is required"}, 401
    )
    response["WWW-Authenticate"] = 'Bearer realm="candor-consent"'
    return response


@login_not_required  # collectors authenticate with their bearer token
@csrf_exempt
@require_http_methods(["POST"])
def decisions(request: HttpRequest) -> HttpResponse:
    """May these subjects be captured for this program now? (see docs/consent.md)"""
    secret = _bearer(request)
    if secret is None:
        return _unauthorized()
    try:
        program, subjects, batch = decision_request_parse(request.body)
    except BadRequest as exc:
        return _json({"error": "bad_request", "detail": str(exc)}, 400)
    try:
        answers = decisions_answer(
            secret=secret, program_key=program, subjects=subjects
        )
    except TokenRefused:
        return _unauthorized()
    except Exception:  # fail closed: whatever broke, nobody is captured
        logger.exception("consent decision failed; denying")
        answers = decisions_all_deny(subjects, Reason.ERROR)
    if not batch:
        return _json(
            {
                "subject": subjects[0].as_json(),
                "program": program,
                **answers[0].as_json(),
            }
        )
    return _json(
        {
            "program": program,
            "decisions": [
                {"subject": s.as_json(), **a.as_json()}
                for s, a in zip(subjects, answers, strict=True)
            ],
        }
    )


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int):
    raw = request.GET.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name}: {raw!r} is not an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"{name}: must be between {low} and {high}")
    return value


@login_not_required  # collectors authenticate with their bearer token
@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """Consent events after ?cursor= for the token's programs (long poll with
    ?wait= seconds); collectors re-ask or drop cached allows for each."""
    secret = _bearer(request)
    found = collector_scope(secret=secret) if secret else None
    if found is None:
        return _unauthorized()
    _token, programs = found
    try:
        cursor = _int_param(request, "cursor", 0, 0, 2**62)
        limit = _int_param(request, "limit", 500, 1, 1000)
        wait = _int_param(
            request, "wait", 0, 0, settings.CONSENT_CHANGES_MAX_WAIT_SECONDS
        )
        kind = request.GET.get("kind", IdentifierKind.EMAIL)
        if kind not in IdentifierKind.values:
            raise BadRequest(
                f"kind: {kind!r} is not one of {', '.join(IdentifierKind.values)}"
            )
    except BadRequest as exc:
        return _json({"error": "bad_request", "detail": str(exc)}, 400)
    deadline = time.monotonic() + wait
    while True:
        new_cursor, found_changes = consent_changes(
            programs=programs, cursor=cursor, kind=kind, limit=limit
        )
        if found_changes or time.monotonic() >= deadline:
            break
        time.sleep(CHANGES_POLL_SECONDS)
    return _json({"cursor": new_cursor, "changes": found_changes})


@login_not_required  # collectors authenticate with their bearer token
@csrf_exempt
@require_http_methods(["GET", "POST"])
def ping(request: HttpRequest) -> HttpResponse:
    """A constant answer through the same stack: the benchmark's floor."""
    return _json({"ok": True})
