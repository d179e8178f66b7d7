"""The hash chain's canonical form, version 2 (docs/audit.md, "The chain").

A record's hash is the lower-case hex SHA-256 of the UTF-8 bytes of

    candor-audit-v2|SEQ|CREATED_AT|PREV_HASH|BODY

where SEQ is the decimal sequence number, CREATED_AT the timestamp in ISO
8601, UTC, microseconds and "+00:00" (e.g. "2026-11-22T16:15:00.000042+00:00"),
PREV_HASH the hash of record seq - 1 (sixty-four zeros for record 1), and
BODY the JSON array

    [actor_id, actor_label, subject_id, action, dataset_key, purpose, DETAIL]

written as PostgreSQL's json_build_array() writes it: ", " between elements,
strings escaped as JSON requires ('"', '\\' and control characters: \\b \\f
\\n \\r \\t, others \\u00xx) and everything else as itself; actor_id and
subject_id integers or null. DETAIL is the record's `detail` as PostgreSQL
writes jsonb: object keys ordered by their UTF-8 length, then by their UTF-8
bytes; ", " between items and ": " after keys. `detail` is stored in exactly
that text on SQLite too (CanonicalDetailEncoder), so the verifier hashes the
text the database gives back without parsing it, on either backend.

Why this shape: on PostgreSQL the database computes the hash itself, inside
the function that appends (migration 0010), from the values it stores, so
an append is one statement; the fixed-width prefix fields come first so the
text can be built by plain concatenation there and here. Version 1 (a JSON
array of all the fields, before 2026-11) is no longer written or verified.

`detail` holds only strings, integers, booleans, null, lists and objects with
string keys: floats are refused at write time because databases do not give
them back byte for byte (jsonb rewrites 1e+20 as 100000000000000000000).
"""

import datetime as dt
import hashlib
import json
from typing import Any

VERSION_TAG = "candor-audit-v2"
GENESIS_HASH = "0" * 64

# One instance, reused: building an encoder per record would dominate the cost.
# Its separators are json_build_array's (and jsonb's) own.
_BODY_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(", ", ": ")
)


def _jsonb_order(value: Any) -> Any:
    """`value` with every object's keys in jsonb's order (length, then bytes)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return {key: _jsonb_order(value[key]) for key in keys}
    if isinstance(value, list | tuple):
        return [_jsonb_order(item) for item in value]
    return value


class CanonicalDetailEncoder(json.JSONEncoder):
    """Writes `detail` in the chain's canonical text (jsonb's own rendering).

    Django's JSONField instantiates it with json.dumps' defaults; they are
    overridden here, since the stored text is what gets hashed.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(
            ensure_ascii=False,
            allow_nan=False,
            sort_keys=False,
            separators=(", ", ": "),
        )
        super().__init__(**kwargs)

    def encode(self, o: Any) -> str:
        return super().encode(_jsonb_order(o))

    def iterencode(self, o: Any, _one_shot: bool = False):
        return super().iterencode(_jsonb_order(o), _one_shot)


_DETAIL_ENCODER = CanonicalDetailEncoder()


def canonical_detail(detail: dict[str, Any]) -> str:
    """`detail` as the chain writes (and SQLite stores) it."""
    return _DETAIL_ENCODER.encode(detail)


def canonical_timestamp(value: dt.datetime) -> str:
    """`value` as the chain writes it: UTC, microseconds, "+00:00"."""
    if value.tzinfo is None:
        raise ValueError("Audit timestamps must be timezone-aware.")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_text(
    seq: int, created_at: str, prev_hash: str, fields: list, detail: str
) -> str:
    """The text hashed for one record, from its parts: `fields` are the six
    values BODY starts with, `detail` is DETAIL already rendered (as the
    database gives it back). The verifier calls this once per record."""
    body = _BODY_ENCODER.encode(fields)[:-1]
    return f"{VERSION_TAG}|{seq}|{created_at}|{prev_hash}|{body}, {detail}]"


def canonical_bytes(
    *,
    seq: int,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    subject_id: int | None,
    action: str,
    dataset_key: str,
    purpose: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The bytes hashed for one record (`created_at` already canonical)."""
    return canonical_text(
        seq,
        created_at,
        prev_hash,
        [actor_id, actor_label, subject_id, action, dataset_key, purpose],
        canonical_detail(detail),
    ).encode()


def record_hash(**fields: Any) -> str:
    """SHA-256 hex of canonical_bytes(**fields)."""
    return hashlib.sha256(canonical_bytes(**fields)).hexdigest()


def check_detail(value: Any, *, path: str = "detail") -> None:
    """Refuse values the chain cannot hash reproducibly (see the module doc)."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        _check_text(value, path=path)
        return
    if isinstance(value, list | tuple):
        for n, item in enumerate(value):
            check_detail(item, path=f"{path}[{n}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings, not {key!r}.")
            _check_text(key, path=path)
            check_detail(item, path=f"{path}.{key}")
        return
    raise ValueError(
        f"{path}: {type(value).__name__} is not allowed in an audit record "
        "(strings, integers, booleans, null, lists and objects only)."
    )


def _check_text(value: str, *, path: str) -> None:
    if "\x00" in value:
        raise ValueError(f"{path}: NUL characters cannot be stored.")
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ValueError(f"{path}: not valid Unicode text.") from exc
