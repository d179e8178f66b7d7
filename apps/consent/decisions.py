"""The decision collectors ask before they capture: allow or deny, and why.

Fail-closed: anything unknown, out of scope, unconsented, withdrawn, expired,
consented under an older notice after a material change, blocked by the
rights engine, a leaver, or an internal error is a deny. Only the token check
can end without a decision (TokenRefused: the API answers 401).

Facts come from the Redis mirror (apps.consent.mirror) when it is configured,
ready and trusted, else from the database; who a subject is (identifiers,
leavers) always comes from one set-based database query, so a roster change
counts at once. A whole batch costs one query and two Redis round trips.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.catalog.models import LegalBasis, Program
from apps.consent.mirror import MirrorUnavailable, key, note_failure, trusted_client
from apps.consent.models import (
    CollectorToken,
    ConsentState,
    Notice,
    ProcessingBlock,
)
from apps.consent.services.tokens import token_digest
from apps.people.models import Employee, Identifier, IdentifierKind

MAX_BATCH = 1000
MAX_VALUE_LENGTH = 255


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


# A state as the judge reads it: (state, notice version, expiry epoch or None).
State = tuple[str, int, float | None]


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
    if kind not in IdentifierKind.values:
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
        source: _Source = _RedisSource(trusted_client())
        return _answer(source, digest, program_key, subjects)
    except MirrorUnavailable:
        pass
    except redis.RedisError as exc:
        note_failure(exc, detail="decision read", lost_write=False)
    return _answer(_DatabaseSource(), digest, program_key, subjects)


def decisions_all_deny(subjects: list[Subject], reason: str) -> list[Decision]:
    ttl = settings.CONSENT_DECISION_TTL_SECONDS
    return [Decision(False, reason, ttl)] * len(subjects)


def _answer(
    source: _Source, digest: str, program_key: str, subjects: list[Subject]
) -> list[Decision]:
    people = _resolve(subjects)
    ids = sorted({employee_id for employee_id, _ in people.values()})
    scope, program, states, blocks = source.lookup(digest, program_key, ids)
    if scope is None:
        raise TokenRefused
    if program is None:
        return decisions_all_deny(subjects, Reason.UNKNOWN_PROGRAM)
    if program_key not in scope:
        return decisions_all_deny(subjects, Reason.OUT_OF_SCOPE)
    ttl = settings.CONSENT_DECISION_TTL_SECONDS
    now = time.time()
    answers = []
    for subject in subjects:
        person = people.get((subject.kind, _normal(subject)))
        if person is None:
            answers.append(Decision(False, Reason.UNKNOWN_SUBJECT, ttl))
            continue
        employee_id, leaver = person
        answers.append(
            _judge(
                program=program,
                leaver=leaver,
                block=blocks.get(employee_id),
                state=states.get(employee_id),
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


def _resolve(subjects: list[Subject]) -> dict[tuple[str, str], tuple[int, bool]]:
    """{(kind, value): (employee id, is leaver)} in one query.

    Plain SQL: this runs on every decision, and compiling an ORM query would
    cost more than executing it.
    """
    by_kind: dict[str, set[str]] = {}
    for subject in subjects:
        by_kind.setdefault(subject.kind, set()).add(_normal(subject))
    clauses, params = [], [timezone.localdate()]
    for kind, values in by_kind.items():
        clauses.append(f"(i.kind = %s AND i.value IN ({_marks(len(values))}))")
        params += [kind, *values]
    sql = (
        "SELECT i.kind, i.value, i.employee_id, CASE WHEN e.is_leaver OR "  # noqa: S608 - model table names; values are bound
        "(e.left_on IS NOT NULL AND e.left_on < %s) THEN 1 ELSE 0 END "
        f"FROM {_table(Identifier)} i JOIN {_table(Employee)} e "
        f"ON e.id = i.employee_id WHERE {' OR '.join(clauses)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (kind, value): (employee_id, bool(leaver))
        for kind, value, employee_id, leaver in rows
    }


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _epoch(value) -> float | None:
    """A stored time as seconds since the epoch (SQLite hands back naive UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


Lookup = tuple[frozenset[str] | None, dict | None, dict[int, State], dict[int, str]]


class _Source:
    def lookup(self, digest: str, program_key: str, ids: list[int]) -> Lookup:
        """(token scope or None, program facts or None, states, blocks)."""
        raise NotImplementedError


class _RedisSource(_Source):
    """Everything in one round trip to Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def lookup(self, digest, program_key, ids):
        fields = [str(i) for i in ids]
        pipe = self.client.pipeline(transaction=False)
        pipe.exists(key("ready"))
        pipe.hget(key("tokens"), digest)
        pipe.hget(key("programs"), program_key)
        if fields:
            pipe.hmget(key("b", program_key), fields)
            pipe.hmget(key("s", program_key), fields)
        found = pipe.execute()
        ready, token, program = found[:3]
        if not ready:
            raise MirrorUnavailable("the mirror has not been synced")
        scope = frozenset(json.loads(token)["programs"]) if token else None
        blocks, states = {}, {}
        if fields:
            blocks = {i: kind for i, kind in zip(ids, found[3], strict=True) if kind}
            for employee_id, value in zip(ids, found[4], strict=True):
                if value:
                    _event, state, version, expiry = value.split("|")
                    states[employee_id] = (
                        state,
                        int(version),
                        float(expiry) if expiry else None,
                    )
        return scope, json.loads(program) if program else None, states, blocks


class _DatabaseSource(_Source):
    """The same facts from the tables, in at most four plain queries."""

    def lookup(self, digest, program_key, ids):
        through = CollectorToken.programs.through
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.secret_hash, p.key FROM {_table(CollectorToken)} t "  # noqa: S608 - model table names; values are bound
                f"LEFT JOIN {_table(through)} tp ON tp.collectortoken_id = t.id "
                f"LEFT JOIN {_table(Program)} p ON p.id = tp.program_id "
                "WHERE t.secret_hash = %s AND t.revoked_at IS NULL",
                [digest],
            )
            rows = [r for r in cursor.fetchall() if hmac.compare_digest(r[0], digest)]
            if not rows:
                return None, None, {}, {}
            scope = frozenset(k for _, k in rows if k)
            cursor.execute(
                f"SELECT p.id, p.legal_basis, (SELECT COALESCE(MAX(n.version), 0) "  # noqa: S608 - model table names; values are bound
                f"FROM {_table(Notice)} n WHERE n.program_id = p.id AND "
                "(n.material_change OR n.version = 1)) "
                f"FROM {_table(Program)} p WHERE p.key = %s",
                [program_key],
            )
            row = cursor.fetchone()
            if row is None:
                return scope, None, {}, {}
            program = {
                "id": row[0],
                "consent": row[1] == LegalBasis.CONSENT,
                "required": row[2],
            }
            if not ids or program_key not in scope:
                return scope, program, {}, {}
            cursor.execute(
                f"SELECT employee_id, kind FROM {_table(ProcessingBlock)} "  # noqa: S608 - model table names; values are bound
                "WHERE program_id = %s AND lifted_at IS NULL "
                f"AND employee_id IN ({_marks(len(ids))})",
                [program["id"], *ids],
            )
            blocks = dict(cursor.fetchall())
            states = {}
            if program["consent"]:
                cursor.execute(
                    "SELECT employee_id, state, notice_version, expires_at "  # noqa: S608 - model table names; values are bound
                    f"FROM {_table(ConsentState)} WHERE program_id = %s "
                    f"AND employee_id IN ({_marks(len(ids))})",
                    [program["id"], *ids],
                )
                for employee_id, state, version, expires in cursor.fetchall():
                    states[employee_id] = (state, version, _epoch(expires))
        return scope, program, states, blocks
