"""The decision collectors ask before they capture: allow or deny, and why.

Fail-closed: anything unknown, out of scope, unconsented, withdrawn, expired,
consented under an older notice after a material change, blocked by the
rights engine, a leaver, or an internal error is a deny. Only the token check
can end without a decision (TokenRefused: the API answers 401).

Facts come from apps.consent.sources: the Redis mirror when it is
configured, ready and trusted (one round trip, no database query, for a
single subject or a batch), else the database. Any Redis failure falls back
to the database; Redis is never a reason to allow.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis
from django.conf import settings

from apps.consent.mirror import MirrorUnavailable, note_failure, trusted_client
from apps.consent.services.tokens import token_digest
from apps.consent.sources import DatabaseSource, RedisSource, Source, State
from apps.people.models import IdentifierKind

MAX_BATCH = 1000
MAX_VALUE_LENGTH = 255
_KINDS = frozenset(IdentifierKind.values)


class Reason(StrEnum):
    CONSENTED = "consented"
    LEGAL_BASIS = "legal_basis"
    UNKNOWN_SUBJECT = "unknown_subject"
    UNKNOWN_PROGRAM = "unknown_program"
    OUT_OF_SCOPE = "out_of_scope"
    NO_CONSENT = "no_consent"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NOTICE_CHANGED = "notice_changed"
    LEAVER = "leaver"
    RESTRICTED = "restricted"
    OBJECTED = "objected"
    ERROR = "error"


_BLOCK_REASON = {"restriction": Reason.RESTRICTED, "objection": Reason.OBJECTED}


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str
    value: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True, slots=True)
class Decision:
    allow: bool
    reason: str
    ttl: int

    def as_json(self) -> dict[str, Any]:
        return {
            "decision": "allow" if self.allow else "deny",
            "reason": self.reason,
            "ttl": self.ttl,
        }


class TokenRefused(Exception):
    """No live token has this secret."""


class BadRequest(Exception):
    """The request body is not a decision request; the message says where."""


def decision_request_parse(body: bytes) -> tuple[str, list[Subject], bool]:
    """(program key, subjects, is batch) from a JSON body, or BadRequest.

    One subject: {"subject": {"kind", "value"}, "program"}; a batch:
    {"subjects": [...up to 1,000], "program"}.
    """
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise BadRequest("body must be a JSON object")
    program = payload.get("program")
    if not isinstance(program, str) or not program.strip():
        raise BadRequest("program: a program key (string) is required")
    if ("subject" in payload) == ("subjects" in payload):
        raise BadRequest('give exactly one of "subject" or "subjects"')
    if "subject" in payload:
        return program, [_parse_subject(payload["subject"], "subject")], False
    items = payload["subjects"]
    if not isinstance(items, list) or not items:
        raise BadRequest("subjects: a non-empty list is required")
    if len(items) > MAX_BATCH:
        raise BadRequest(f"subjects: at most {MAX_BATCH} per request, got {len(items)}")
    subjects = [_parse_subject(item, f"subjects[{n}]") for n, item in enumerate(items)]
    return program, subjects, True


def _parse_subject(item: Any, where: str) -> Subject:
    if not isinstance(item, dict):
        raise BadRequest(f"{where}: an object with kind and value is required")
    kind, value = item.get("kind"), item.get("value")
    if not isinstance(kind, str) or kind not in _KINDS:
        choices = ", ".join(IdentifierKind.values)
        raise BadRequest(f"{where}.kind: {kind!r} is not one of {choices}")
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{where}.value: a non-empty string is required")
    if len(value) > MAX_VALUE_LENGTH:
        raise BadRequest(f"{where}.value: longer than {MAX_VALUE_LENGTH} characters")
    return Subject(kind=kind, value=value)


def decisions_answer(
    *, secret: str, program_key: str, subjects: list[Subject]
) -> list[Decision]:
    """One decision per subject, in order. Raises TokenRefused for a wrong or
    revoked secret; any other exception is the caller's to turn into denies."""
    digest = token_digest(secret)
    try:
        source: Source = RedisSource(trusted_client())
        return _answer(source, digest, program_key, subjects)
    except MirrorUnavailable:
        pass
    except redis.RedisError as exc:
        note_failure(exc, detail="decision read", lost_write=False)
    return _answer(DatabaseSource(), digest, program_key, subjects)


def decisions_all_deny(subjects: list[Subject], reason: str) -> list[Decision]:
    ttl = settings.CONSENT_DECISION_TTL_SECONDS
    return [Decision(False, reason, ttl)] * len(subjects)


def _answer(
    source: Source, digest: str, program_key: str, subjects: list[Subject]
) -> list[Decision]:
    pairs = [(subject.kind, _normal(subject)) for subject in subjects]
    found = source.lookup(digest, program_key, list(dict.fromkeys(pairs)))
    if found.scope is None:
        raise TokenRefused
    if found.program is None:
        return decisions_all_deny(subjects, Reason.UNKNOWN_PROGRAM)
    if program_key not in found.scope:
        return decisions_all_deny(subjects, Reason.OUT_OF_SCOPE)
    ttl = settings.CONSENT_DECISION_TTL_SECONDS
    now = time.time()
    answers = []
    for pair in pairs:
        person = found.people.get(pair)
        if person is None:
            answers.append(Decision(False, Reason.UNKNOWN_SUBJECT, ttl))
            continue
        employee_id, leaver = person
        answers.append(
            _judge(
                program=found.program,
                leaver=leaver,
                block=found.blocks.get(employee_id),
                state=found.states.get(employee_id),
                now=now,
                ttl=ttl,
            )
        )
    return answers


def _judge(
    *,
    program: dict,
    leaver: bool,
    block: str | None,
    state: State | None,
    now: float,
    ttl: int,
) -> Decision:
    if leaver:
        return Decision(False, Reason.LEAVER, ttl)
    if block:
        return Decision(False, _BLOCK_REASON.get(block, Reason.RESTRICTED), ttl)
    if not program["consent"]:
        return Decision(True, Reason.LEGAL_BASIS, ttl)
    if state is None:
        return Decision(False, Reason.NO_CONSENT, ttl)
    kind, version, expiry = state
    if kind == "withdrawn":
        return Decision(False, Reason.WITHDRAWN, ttl)
    if kind != "granted" or (expiry is not None and expiry <= now):
        return Decision(False, Reason.EXPIRED, ttl)
    if not program["required"] or version < program["required"]:
        return Decision(False, Reason.NOTICE_CHANGED, ttl)
    if expiry is not None:
        ttl = max(0, min(ttl, int(expiry - now)))
    return Decision(True, Reason.CONSENTED, ttl)


def _normal(subject: Subject) -> str:
    # The roster stores e-mail addresses in lower case.
    if subject.kind == IdentifierKind.EMAIL:
        return subject.value.lower()
    return subject.value
