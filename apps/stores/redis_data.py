"""What the Redis connector sends and reads: its Lua scripts, and each kind
of value decoded into a record's values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.catalog.models import Dataset, MaskStrategy
from apps.stores.sql import REDACTED, aware

# ARGV of the two hash scripts: n, then n (field, value) pairs to set, then
# the fields to delete. A hash cannot hold a null: a null field is deleted.
_HASH_ARGS = """
local n = tonumber(ARGV[1])
for i = 2, 2 * n, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 2 * n + 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
"""
# Mask a hash and rename it away from the identifier (KEYS[2]); a key of
# another type has no fields to mask and is deleted. Atomic, so a key that
# vanished meanwhile is never recreated half-masked.
MASK_SCRIPT = (
    """
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return 0 end
if kind ~= 'hash' then redis.call('UNLINK', KEYS[1]) return 1 end
"""
    + _HASH_ARGS
    + """
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
"""
)
RECTIFY_SCRIPT = (
    """
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return 0 end
if kind ~= 'hash' then return -1 end
"""
    + _HASH_ARGS
    + "return 1\n"
)
# Delete a record only if it is still as old as it was when read.
DELETE_IF_STAMP_SCRIPT = """
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
return redis.call('UNLINK', KEYS[1])
"""

READ = {
    "hash": lambda pipe, key: pipe.hgetall(key),
    "string": lambda pipe, key: pipe.get(key),
    "list": lambda pipe, key: pipe.lrange(key, 0, -1),
    "set": lambda pipe, key: pipe.smembers(key),
    "zset": lambda pipe, key: pipe.zrange(key, 0, -1, withscores=True),
    "stream": lambda pipe, key: pipe.xrange(key),
}


def decode(kind: str, raw: Any) -> dict[str, Any]:
    if kind == "hash":
        return {text(k): text(v) for k, v in raw.items()}
    if kind == "string":
        return {"value": text(raw)}
    if kind == "list":
        return {"items": [text(item) for item in raw]}
    if kind == "set":
        return {"items": sorted(text(item) for item in raw)}
    if kind == "zset":
        return {"items": [[text(member), score] for member, score in raw]}
    if kind == "stream":
        return {
            "items": [
                {"id": text(i), "fields": {text(k): text(v) for k, v in f.items()}}
                for i, f in raw
            ]
        }
    return {"type": kind}  # A module's type (JSON, Bloom...): named, not read.


def hash_args(sets: dict[str, Any], deletes: list[str]) -> list[Any]:
    """The hash scripts' ARGV: fields to set (with values), then to delete."""
    return [len(sets), *(x for pair in sets.items() for x in pair), *deletes]


def text(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    return raw.decode("utf-8", "replace")


def timestamp(raw: bytes | None) -> dt.datetime | None:
    """A hash field as an aware datetime: ISO 8601 text or epoch seconds."""
    if raw is None:
        return None
    value = text(raw).strip()
    try:
        return aware(float(value))
    except (ValueError, OverflowError, OSError):
        return aware(value)


def mask_plan(dataset: Dataset) -> tuple[dict[str, str | None], list[str]]:
    """The hash fields masking sets (None: to the subject's pseudonym) and
    the fields it deletes (a hash cannot hold a null).

    ValueError unless the subject field is masked: the hash would still
    name the person once its key no longer does.
    """
    masks = dict(dataset.fields.exclude(mask="").values_list("name", "mask"))
    subject = dataset.subject_field
    if not subject or subject not in masks:
        raise ValueError(
            f"dataset '{dataset.key}': the mask strategy needs a masked subject "
            "field (the hash field that names the person)"
        )
    sets: dict[str, str | None] = {}
    deletes: list[str] = []
    for name, mask in masks.items():
        if mask == MaskStrategy.REDACT:
            sets[name] = REDACTED
        elif mask == MaskStrategy.NULL:
            deletes.append(name)
        elif mask == MaskStrategy.HASH and name == subject:
            sets[name] = None
        else:
            raise ValueError(
                f"dataset '{dataset.key}': field '{name}' cannot be masked by "
                f"'{mask}' (hash applies only to the subject field)"
            )
    return sets, deletes
