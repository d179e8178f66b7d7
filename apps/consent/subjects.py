"""Who a subject is, in the Redis mirror: identifier -> (employee, leaving).

The decision API reads this in the same round trip as the token, program,
state and block (apps.consent.sources), so a steady-state decision costs no
database query. Keys, under settings.CONSENT_REDIS_PREFIX beside mirror.py's:

- ``people``: hash, "<kind>:<value>" -> "<version>|<employee id>|<leaving>",
  leaving being "1" (is_leaver), a left_on date (YYYY-MM-DD: a leaver from
  the next day, judged at decision time) or "" (current). "<version>||" is a
  tombstone: the identifier was removed.
- ``clock``: a counter. Every writer takes a version from it *before* it
  reads the database, and a Lua script keeps the highest version, so a slow
  writer holding an older read never overwrites a newer one.
- ``people_floor``: the version of the last full sync. Its snapshot holds
  every change committed before it, so writes older than it are dropped
  (one could otherwise re-create an entry the sync's sweep removed).

A missing field or a tombstone is a miss, answered by the database: a missing
entry only costs time. Only an entry left stale could answer wrongly, so
every write of an Identifier or of an Employee's leaver fields must call
`identities_refresh_on_commit` (the roster import and the people admin do;
tests/consent/test_subject_mirror.py holds them to it). The clock is never
cleared, so versions keep growing across `mirror_clear`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import redis
from django.db import DatabaseError, transaction
from django.db.models import Q

from apps.consent.mirror import (
    SYNC_CHUNK,
    key,
    mirror_client,
    note_failure,
    write_or_repair,
)

# ARGV: version, then field/value pairs (values without their version).
_PUT = """
local v = tonumber(ARGV[1])
local floor = tonumber(redis.call('GET', KEYS[2]) or '0')
if v < floor then return 0 end
for i = 2, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if (not old) or tonumber(string.match(old, '^(%d+)')) <= v then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. '|' .. ARGV[i + 1])
  end
end
return 1
"""
# ARGV: the sync's version, then fields it did not see: drop those older.
_SWEEP = """
local v = tonumber(ARGV[1])
for i = 2, #ARGV do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old and tonumber(string.match(old, '^(%d+)')) < v then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return 1
"""
_FLOOR = """
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
"""
TOMBSTONE = "|"
# Bound the SQL parameters per query (SQLite's limit is the lowest).
_IN_CHUNK = 500

Pair = tuple[str, str]


def people_field(kind: str, value: str) -> str:
    # Kinds hold no colon, so the first one ends the kind.
    return f"{kind}:{value}"


def encode_person(*, employee_id: int, is_leaver: bool, left_on) -> str:
    leaving = "1" if is_leaver else (left_on.isoformat() if left_on else "")
    return f"{employee_id}|{leaving}"


def decode_person(value: str | None, today: str) -> tuple[int, bool] | None:
    """(employee id, is a leaver today) from a stored value; None for a miss."""
    if not value:
        return None
    _version, employee_id, leaving = value.split("|")
    if not employee_id:
        return None
    return int(employee_id), leaving == "1" or ("" < leaving < today)


def identities_refresh_on_commit(
    *, employee_ids: Iterable[int] = (), identifiers: Iterable[Pair] = ()
) -> None:
    """After commit, rewrite the mirror for these employees' identifiers and
    for `identifiers` ((kind, value) pairs that may have moved or gone).

    Call it from every write of Identifier rows or of an Employee's leaver
    fields, naming the identifiers an employee had before the change, so
    removed ones become tombstones. Without Redis it does nothing.
    """
    ids, pairs = sorted(set(employee_ids)), sorted(set(identifiers))
    if not (ids or pairs):
        return
    # robust: the change is committed; a failing mirror write must not turn
    # it into an error page (a lost write is recorded for the repair job).
    transaction.on_commit(
        partial(mirror_put_people, employee_ids=ids, pairs=pairs), robust=True
    )


def mirror_put_people(*, employee_ids: list[int], pairs: list[Pair]) -> None:
    """Write the current database rows for these employees and pairs."""
    client = mirror_client()
    if client is None:
        return

    detail = f"people {employee_ids[:5]} and {len(pairs)} identifiers"

    def work(client: redis.Redis) -> None:
        version = client.incr(key("clock"))  # before the read: see the docstring
        try:
            found = _people_rows(employee_ids=employee_ids, pairs=pairs)
        except DatabaseError as exc:
            # The change is committed; only the mirror missed it.
            note_failure(exc, detail=detail, lost_write=True)
            return
        values = dict.fromkeys((people_field(*pair) for pair in pairs), TOMBSTONE)
        values.update(found)
        _put(client, version, values)

    write_or_repair(detail, work)


def _people_rows(*, employee_ids: list[int], pairs: list[Pair]) -> dict[str, str]:
    from apps.people.models import Identifier

    conditions = [
        Q(employee_id__in=employee_ids[n : n + _IN_CHUNK])
        for n in range(0, len(employee_ids), _IN_CHUNK)
    ]
    conditions += [
        _pairs_q(pairs[n : n + _IN_CHUNK]) for n in range(0, len(pairs), _IN_CHUNK)
    ]
    found: dict[str, str] = {}
    for condition in conditions:
        rows = Identifier.objects.filter(condition).values_list(
            "kind",
            "value",
            "employee_id",
            "employee__is_leaver",
            "employee__left_on",
        )
        for kind, value, employee_id, is_leaver, left_on in rows:
            found[people_field(kind, value)] = encode_person(
                employee_id=employee_id, is_leaver=is_leaver, left_on=left_on
            )
    return found


def _pairs_q(pairs: list[Pair]) -> Q:
    by_kind: dict[str, list[str]] = {}
    for kind, value in pairs:
        by_kind.setdefault(kind, []).append(value)
    condition = Q(pk__in=[])
    for kind, values in by_kind.items():
        condition |= Q(kind=kind, value__in=values)
    return condition


def _put(client: redis.Redis, version: int, values: dict[str, str]) -> None:
    script = client.register_script(_PUT)
    items = list(values.items())
    for n in range(0, len(items), SYNC_CHUNK):
        args = [version, *(x for pair in items[n : n + SYNC_CHUNK] for x in pair)]
        script(keys=[key("people"), key("people_floor")], args=args)


def people_sync(client: redis.Redis) -> int:
    """Write every identifier, then drop older entries the database lacks.

    Returns how many identifiers were written; raises redis.RedisError.
    """
    from apps.people.models import Identifier

    version = client.incr(key("clock"))
    rows = Identifier.objects.values_list(
        "kind", "value", "employee_id", "employee__is_leaver", "employee__left_on"
    ).order_by("pk")
    values = {
        people_field(kind, value): encode_person(
            employee_id=employee_id, is_leaver=is_leaver, left_on=left_on
        )
        for kind, value, employee_id, is_leaver, left_on in rows.iterator(
            chunk_size=SYNC_CHUNK
        )
    }
    _put(client, version, values)
    client.register_script(_FLOOR)(keys=[key("people_floor")], args=[version])
    sweep = client.register_script(_SWEEP)
    stale: list[str] = []
    # HSCAN with values: NOVALUES needs Redis 7.4.
    for field, _value in client.hscan_iter(key("people"), count=SYNC_CHUNK):
        if field not in values:
            stale.append(field)
        if len(stale) >= SYNC_CHUNK:
            sweep(keys=[key("people")], args=[version, *stale])
            stale = []
    if stale:
        sweep(keys=[key("people")], args=[version, *stale])
    return len(values)
