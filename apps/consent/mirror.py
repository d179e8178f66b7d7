"""The Redis mirror the decision API reads: tokens, programs, states, blocks.

Layout (every key under settings.CONSENT_REDIS_PREFIX):

- ``ready``: present once a full sync has written everything below.
- ``tokens``: hash, token digest -> JSON {"id": 1, "programs": ["key", ...]}.
- ``programs``: hash, program key -> JSON {"id", "consent", "required"}.
- ``s:<program key>``: hash, employee id -> "event id|state|version|expiry".
- ``b:<program key>``: hash, employee id -> block kind.
- ``people``, ``people_floor``, ``clock``: who a subject is (identifier ->
  employee, leaver); see apps.consent.subjects.

Writes happen after commit (transaction.on_commit), so a withdrawal is in
Redis before the employee's browser gets its redirect. Two writers may race
(a live change and a full sync reading an older snapshot): states carry their
event id and a Lua script keeps the newest, and the small hashes are written
twice by a sync (before and after a re-read).

A failed write records a MirrorRepair row and marks this process suspect:
until the beat job `mirror_repair` has re-synced, suspect processes answer
from the database. Reads that fail fall back to the database too; Redis is
never a reason to allow.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import redis
from django.conf import settings
from django.db.models import Max, Q

logger = logging.getLogger(__name__)

_clients: dict[str, redis.Redis] = {}
# Set after this process saw a Redis error; cleared once no repair is pending.
_suspect = False

# Keep the state with the highest event id (the first field of the value).
_PUT_NEWEST = """
for i = 1, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  local new_id = tonumber(string.match(ARGV[i + 1], '^(%d+)'))
  if (not old) or tonumber(string.match(old, '^(%d+)')) <= new_id then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1
"""
SYNC_CHUNK = 2000


class MirrorUnavailable(Exception):
    """Redis is not configured, not ready, failing, or not to be trusted now."""


def mirror_client() -> redis.Redis | None:
    """This process's client for settings.CONSENT_REDIS_URL, or None."""
    url = settings.CONSENT_REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        timeout = settings.CONSENT_REDIS_TIMEOUT_SECONDS
        client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            decode_responses=True,
        )
        _clients[url] = client
    return client


def key(*parts: str) -> str:
    return ":".join([settings.CONSENT_REDIS_PREFIX, *parts])


def trusted_client() -> redis.Redis:
    """The client when its answers may be used; raises MirrorUnavailable."""
    global _suspect
    client = mirror_client()
    if client is None:
        raise MirrorUnavailable("no Redis configured")
    if _suspect:
        from apps.consent.models import MirrorRepair

        if MirrorRepair.objects.exists():
            raise MirrorUnavailable("a repair is pending")
        _suspect = False
    return client


def note_failure(exc: Exception, *, detail: str, lost_write: bool) -> None:
    """Remember that Redis failed; a lost write must be repaired by a sync."""
    global _suspect
    _suspect = True
    logger.warning("consent mirror: %s: %s", detail, exc)
    if lost_write:
        from apps.consent.models import MirrorRepair

        MirrorRepair.objects.create(detail=detail[:300])


def encode_state(
    *, event_id: int, state: str, version: int, expires_epoch: float | None
) -> str:
    expiry = "" if expires_epoch is None else f"{expires_epoch:.0f}"
    return f"{event_id}|{state}|{version}|{expiry}"


def write_or_repair(detail: str, work) -> None:
    """Run `work(client)`; a Redis failure is recorded for the repair job."""
    client = mirror_client()
    if client is None:
        return
    try:
        work(client)
    except redis.RedisError as exc:
        note_failure(exc, detail=detail, lost_write=True)


def mirror_put_states(*, program_key: str, states: dict[int, str]) -> None:
    """Write encoded states (employee id -> value), keeping the newest."""

    def work(client: redis.Redis) -> None:
        script = client.register_script(_PUT_NEWEST)
        args = [item for pair in states.items() for item in pair]
        script(keys=[key("s", program_key)], args=args)

    write_or_repair(f"states of {program_key}", work)


def mirror_put_program(*, program_key: str) -> None:
    """Re-read one program's facts (legal basis, required notice) and write them."""
    facts = program_facts_from_db(keys=[program_key])

    def work(client: redis.Redis) -> None:
        if program_key in facts:
            client.hset(key("programs"), program_key, json.dumps(facts[program_key]))
        else:
            client.hdel(key("programs"), program_key)

    write_or_repair(f"program {program_key}", work)


def mirror_put_token(*, token_id: int) -> None:
    """Write one token as the database has it now (deleted when revoked)."""
    from apps.consent.models import CollectorToken

    token = CollectorToken.objects.filter(pk=token_id).first()
    if token is None:
        return
    programs = sorted(token.programs.values_list("key", flat=True))

    def work(client: redis.Redis) -> None:
        if token.revoked_at is None:
            value = json.dumps({"id": token.pk, "programs": programs})
            client.hset(key("tokens"), token.secret_hash, value)
        else:
            client.hdel(key("tokens"), token.secret_hash)

    write_or_repair(f"token {token_id}", work)


def mirror_put_block(*, program_key: str, employee_id: int) -> None:
    """Write whether `employee_id` has an active block for the program."""
    from apps.consent.models import ProcessingBlock

    kind = (
        ProcessingBlock.objects.filter(
            program__key=program_key, employee_id=employee_id, lifted_at__isnull=True
        )
        .values_list("kind", flat=True)
        .first()
    )

    def work(client: redis.Redis) -> None:
        if kind:
            client.hset(key("b", program_key), str(employee_id), kind)
        else:
            client.hdel(key("b", program_key), str(employee_id))

    write_or_repair(f"block {program_key}/{employee_id}", work)


def program_facts_from_db(*, keys: Iterable[str] | None = None) -> dict[str, dict]:
    """{program key: {"id", "consent", "required"}} from the catalog and notices.

    "required" is the version consent must cover: the latest material notice
    (the first notice counts as material); 0 when none is published, so no
    consent can exist.
    """
    from apps.catalog.models import LegalBasis, Program

    programs = Program.objects.all()
    if keys is not None:
        programs = programs.filter(key__in=list(keys))
    required = Max(
        "notices__version",
        filter=Q(notices__material_change=True) | Q(notices__version=1),
        default=0,
    )
    rows = programs.annotate(required=required).values(
        "id", "key", "legal_basis", "required"
    )
    return {
        row["key"]: {
            "id": row["id"],
            "consent": row["legal_basis"] == LegalBasis.CONSENT,
            "required": row["required"],
        }
        for row in rows
    }


def mirror_sync() -> int:
    """Write everything the decision API reads into Redis; returns states written.

    Raises redis.RedisError when Redis fails (the caller decides what to do).
    """
    from apps.consent.models import CollectorToken, ConsentState, ProcessingBlock

    client = mirror_client()
    if client is None:
        return 0
    programs = program_facts_from_db()
    _sync_small_hashes(client, programs)
    script = client.register_script(_PUT_NEWEST)
    written = 0
    rows = ConsentState.objects.values_list(
        "program__key",
        "employee_id",
        "event_id",
        "state",
        "notice_version",
        "expires_at",
    ).order_by("program__key", "employee_id")
    batch: dict[str, list[str]] = {}
    for program_key, employee_id, event_id, state, version, expires in rows.iterator(
        chunk_size=SYNC_CHUNK
    ):
        args = batch.setdefault(program_key, [])
        args += [
            str(employee_id),
            encode_state(
                event_id=event_id,
                state=state,
                version=version,
                expires_epoch=expires.timestamp() if expires else None,
            ),
        ]
        written += 1
        if len(args) >= 2 * SYNC_CHUNK:
            script(keys=[key("s", program_key)], args=args)
            batch[program_key] = []
    for program_key, args in batch.items():
        if args:
            script(keys=[key("s", program_key)], args=args)
    blocks = ProcessingBlock.objects.filter(lifted_at__isnull=True).values_list(
        "program__key", "employee_id", "kind"
    )
    pipe = client.pipeline(transaction=True)
    for program_key in programs:
        pipe.delete(key("b", program_key))
    for program_key, employee_id, kind in blocks:
        pipe.hset(key("b", program_key), str(employee_id), kind)
    pipe.execute()
    from apps.consent.subjects import people_sync

    people_sync(client)
    # Re-read the small hashes: a revocation or notice published while the
    # sync ran must not be overwritten by the older snapshot.
    _sync_small_hashes(client, program_facts_from_db())
    tokens = CollectorToken.objects.filter(revoked_at__isnull=False)
    revoked = list(tokens.values_list("secret_hash", flat=True))
    if revoked:
        client.hdel(key("tokens"), *revoked)
    client.set(key("ready"), "1")
    return written


def _sync_small_hashes(client: redis.Redis, programs: dict[str, dict]) -> None:
    from apps.consent.models import CollectorToken

    scopes: dict[str, dict] = {}
    live = CollectorToken.objects.filter(revoked_at__isnull=True)
    for token_id, digest, program_key in live.values_list(
        "id", "secret_hash", "programs__key"
    ):
        entry = scopes.setdefault(digest, {"id": token_id, "programs": []})
        if program_key:
            entry["programs"].append(program_key)
    pipe = client.pipeline(transaction=True)
    pipe.delete(key("tokens"), key("programs"))
    if scopes:
        pipe.hset(key("tokens"), mapping={d: json.dumps(v) for d, v in scopes.items()})
    if programs:
        pipe.hset(
            key("programs"), mapping={k: json.dumps(v) for k, v in programs.items()}
        )
    pipe.execute()


def mirror_repair(*, force: bool = False) -> bool:
    """Re-sync when a write was lost, the mirror is not ready, or `force`.

    Returns whether a sync ran. Repairs recorded before the sync started are
    consumed; later ones wait for the next run.
    """
    from apps.consent.models import MirrorRepair

    client = mirror_client()
    if client is None:
        return False
    pending = list(MirrorRepair.objects.values_list("pk", flat=True))
    if not (force or pending or not client.exists(key("ready"))):
        return False
    mirror_sync()
    MirrorRepair.objects.filter(pk__in=pending).delete()
    return True


def mirror_clear(*, forget_clock: bool = False) -> None:
    """Remove every key of the mirror (tests and the rebuild command).

    The clock stays unless `forget_clock` (tests, when nothing else writes):
    a writer that took a version before the clear must not outrank later ones.
    """
    client = mirror_client()
    if client is None:
        return
    keys = list(client.scan_iter(match=key("*"), count=1000))
    if not forget_clock:
        keys = [k for k in keys if k != key("clock")]
    if keys:
        client.delete(*keys)
