"""Where the decision API gets its facts: the Redis mirror or the database.

Both answer the same question for one request: the token's scope, the
program's facts, who each subject is (employee id, leaver today), and the
consent states and blocks of those employees. The Redis source does it in one
EVALSHA round trip; identifiers it does not hold are resolved by one database
query (then one more round trip for their states), so a miss costs time,
never a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import threading
import time
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from redis.exceptions import NoScriptError

from apps.catalog.models import LegalBasis, Program
from apps.consent.mirror import MirrorUnavailable, key
from apps.consent.models import CollectorToken, ConsentState, Notice, ProcessingBlock
from apps.consent.subjects import decode_person, people_field
from apps.people.models import Employee, Identifier

# A state as the judge reads it: (state, notice version, expiry epoch or None).
State = tuple[str, int, float | None]
# An identifier as asked about: (kind, value as stored).
Pair = tuple[str, str]

# KEYS: ready, tokens, programs, people, states, blocks of the program.
# ARGV: token digest, program key, people fields.
_LOOKUP = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local token = redis.call('HGET', KEYS[2], ARGV[1])
local program = redis.call('HGET', KEYS[3], ARGV[2])
if (not token) or (not program) or #ARGV < 3 then return {1, token, program} end
local people = redis.call('HMGET', KEYS[4], unpack(ARGV, 3))
local ids, seen = {}, {}
for i = 1, #people do
  local id = people[i] and string.match(people[i], '^%d+|(%d+)|')
  if id and not seen[id] then
    seen[id] = true
    ids[#ids + 1] = id
  end
end
if #ids == 0 then return {1, token, program, people, {}, {}, {}} end
return {1, token, program, people, ids,
        redis.call('HMGET', KEYS[5], unpack(ids)),
        redis.call('HMGET', KEYS[6], unpack(ids))}
"""


@dataclass
class Lookup:
    """Everything one request needs. scope None: no live token has the
    digest; program None: no such program (people, states and blocks are
    then left empty)."""

    scope: frozenset[str] | None
    program: dict | None = None
    people: dict[Pair, tuple[int, bool]] = field(default_factory=dict)
    states: dict[int, State] = field(default_factory=dict)
    blocks: dict[int, str] = field(default_factory=dict)


class Source:
    def lookup(self, digest: str, program_key: str, pairs: list[Pair]) -> Lookup:
        raise NotImplementedError


class RedisSource(Source):
    """Everything in one round trip to Redis (two when some identifier is
    not mirrored: the database names those, Redis gives their states)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def lookup(self, digest, program_key, pairs):
        fields = [people_field(kind, value) for kind, value in pairs]
        found = _evalsha(
            self.client, [*_keys(program_key), digest, program_key, *fields]
        )
        if not found[0]:
            raise MirrorUnavailable("the mirror has not been synced")
        token, program = found[1], found[2]
        if token is None:
            return Lookup(scope=None)
        result = Lookup(scope=_scope(token))
        if program is None:
            return result
        result.program = _program(program)
        if not pairs or program_key not in result.scope:
            return result
        people, ids, states, blocks = found[3:7]
        today = _today()
        misses = []
        for pair, value in zip(pairs, people, strict=True):
            person = decode_person(value, today)
            if person is None:
                misses.append(pair)
            else:
                result.people[pair] = person
        fetched = [int(i) for i in ids]
        _decode_facts(result, fetched, states, blocks)
        if misses:
            self._resolve_misses(result, program_key, misses, set(fetched))
        return result

    def _resolve_misses(
        self, result: Lookup, program_key: str, misses: list[Pair], fetched: set
    ) -> None:
        resolved = resolve(misses)
        result.people.update(resolved)
        extra = sorted({i for i, _leaver in resolved.values()} - fetched)
        if not extra:
            return
        pipe = self.client.pipeline(transaction=False)
        pipe.hmget(key("s", program_key), extra)
        pipe.hmget(key("b", program_key), extra)
        states, blocks = pipe.execute()
        _decode_facts(result, extra, states, blocks)


# Redis names scripts by their SHA-1 (an identifier, not a security measure).
_LOOKUP_SHA = hashlib.sha1(_LOOKUP.encode()).hexdigest()  # noqa: S324
_local = threading.local()


def _evalsha(client: redis.Redis, keys_and_args: list[str]) -> list:
    """Run the lookup script on this thread's own connection to `client`'s
    server, driven directly: at thousands of requests a second the client's
    pool, retry and instrumentation cost more CPU than the round trip. Any
    failure drops the connection (it reconnects on the next call) and raises
    a RedisError, so the caller falls back to the database."""
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    entry = connections.get(id(client))
    if entry is None or entry[0] != os.getpid():  # not one inherited by a fork
        pool = client.connection_pool
        entry = (os.getpid(), pool.connection_class(**pool.connection_kwargs))
        connections[id(client)] = entry
    connection = entry[1]
    command = ("EVALSHA", _LOOKUP_SHA, 6, *keys_and_args)
    try:
        try:
            connection.send_command(*command)
            return connection.read_response()
        except NoScriptError:  # a restarted or flushed server
            connection.send_command("SCRIPT", "LOAD", _LOOKUP)
            connection.read_response()
            connection.send_command(*command)
            return connection.read_response()
    except BaseException:
        connection.disconnect()
        raise


# Per-request costs that add up at thousands of requests a second: the key
# names, decoding the same token and program JSON, and the local date.
_key_names: dict[tuple[str, str], list[str]] = {}
_date: list = [None, ""]  # [the second it was computed in, YYYY-MM-DD]


def _keys(program_key: str) -> list[str]:
    prefix = settings.CONSENT_REDIS_PREFIX
    names = _key_names.get((prefix, program_key))
    if names is None:
        if len(_key_names) > 1000:  # program keys come from callers: bounded
            _key_names.clear()
        names = _key_names[(prefix, program_key)] = [
            key("ready"),
            key("tokens"),
            key("programs"),
            key("people"),
            key("s", program_key),
            key("b", program_key),
        ]
    return names


@functools.lru_cache(maxsize=256)
def _scope(token: str) -> frozenset[str]:
    return frozenset(json.loads(token)["programs"])


@functools.lru_cache(maxsize=256)
def _program(program: str) -> dict:
    """Program facts (shared between requests: read them, never change them)."""
    return json.loads(program)


def _today() -> str:
    second = int(time.time())
    if _date[0] != second:
        _date[:] = [second, timezone.localdate().isoformat()]
    return _date[1]


def _decode_facts(result: Lookup, ids: list[int], states, blocks) -> None:
    for employee_id, kind in zip(ids, blocks, strict=True):
        if kind:
            result.blocks[employee_id] = kind
    for employee_id, value in zip(ids, states, strict=True):
        if value:
            _event, state, version, expiry = value.split("|")
            result.states[employee_id] = (
                state,
                int(version),
                float(expiry) if expiry else None,
            )


def resolve(pairs: list[Pair]) -> dict[Pair, tuple[int, bool]]:
    """{(kind, value): (employee id, is leaver)} from the database, one query.

    Plain SQL: it runs per decision on the database path, and compiling an
    ORM query would cost more than executing it.
    """
    by_kind: dict[str, set[str]] = {}
    for kind, value in pairs:
        by_kind.setdefault(kind, set()).add(value)
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


class DatabaseSource(Source):
    """The same facts from the tables, in at most five plain queries."""

    def lookup(self, digest, program_key, pairs):
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
                return Lookup(scope=None)
            result = Lookup(scope=frozenset(k for _, k in rows if k))
            cursor.execute(
                f"SELECT p.id, p.legal_basis, (SELECT COALESCE(MAX(n.version), 0) "  # noqa: S608 - model table names; values are bound
                f"FROM {_table(Notice)} n WHERE n.program_id = p.id AND "
                "(n.material_change OR n.version = 1)) "
                f"FROM {_table(Program)} p WHERE p.key = %s",
                [program_key],
            )
            row = cursor.fetchone()
            if row is None:
                return result
            program = result.program = {
                "id": row[0],
                "consent": row[1] == LegalBasis.CONSENT,
                "required": row[2],
            }
            if not pairs or program_key not in result.scope:
                return result
            result.people = resolve(pairs)
            ids = sorted({employee_id for employee_id, _ in result.people.values()})
            if not ids:
                return result
            cursor.execute(
                f"SELECT employee_id, kind FROM {_table(ProcessingBlock)} "  # noqa: S608 - model table names; values are bound
                "WHERE program_id = %s AND lifted_at IS NULL "
                f"AND employee_id IN ({_marks(len(ids))})",
                [program["id"], *ids],
            )
            result.blocks = dict(cursor.fetchall())
            if program["consent"]:
                cursor.execute(
                    "SELECT employee_id, state, notice_version, expires_at "  # noqa: S608 - model table names; values are bound
                    f"FROM {_table(ConsentState)} WHERE program_id = %s "
                    f"AND employee_id IN ({_marks(len(ids))})",
                    [program["id"], *ids],
                )
                for employee_id, state, version, expires in cursor.fetchall():
                    result.states[employee_id] = (state, version, _epoch(expires))
        return result
