"""The connector for Redis stores: a subject's records are the keys that match
the dataset's key pattern with one of their identifier values in it.

store.connection is {"url_env": NAME} or {"url_setting": NAME}, naming where a
redis:// (or rediss://) URL lives. Dataset.location is a key pattern such as
"presence:{identifier}:*" (apps.stores.redis_keys says what makes it safe).
Keys are listed with SCAN, never KEYS (which blocks the server for everyone),
batch by batch, and erased with UNLINK (freed in the background). A record is
one key: a hash reads as a dict, a string as {"value": ...}, a list, set or
sorted set as {"items": [...]}. The dataset's timestamp field, when set, names
the hash field that dates a record (ISO 8601 text or epoch seconds).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from apps.catalog.models import Dataset, ErasureStrategy
from apps.stores.base import (
    Connector,
    DatasetSummary,
    Record,
    StoreError,
    StoreMisconfigured,
    StoreUnavailable,
    TimeWindow,
)
from apps.stores.redis_data import (
    DELETE_IF_STAMP_SCRIPT,
    MASK_SCRIPT,
    READ,
    RECTIFY_SCRIPT,
    decode,
    hash_args,
    mask_plan,
    text,
    timestamp,
)
from apps.stores.redis_keys import KeyPattern
from apps.stores.sql import pseudonym

# A store that is down must fail a probe or a job fast, not hang a worker.
SOCKET_TIMEOUT_SECONDS = 5.0
# Keys asked of SCAN at once for listings that take no batch size.
SCAN_COUNT = 1000

_lock = threading.Lock()
_clients: dict[tuple[str, float], redis.Redis] = {}


class RedisConnector(Connector):
    """One dataset = one key pattern; one record = one key."""

    def check(self) -> None:
        client = self._client()
        with self._errors():
            client.ping()
        # A probe should also catch a catalog that names an unsafe pattern.
        for dataset in self.store.datasets.all():
            self._pattern(dataset)

    def summarize(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        window: TimeWindow | None = None,
    ) -> DatasetSummary:
        count, stamps = 0, []
        for _key, stamp in self._dated_keys(dataset, identifiers, SCAN_COUNT):
            if window is None or window.contains(stamp):
                count += 1
                if stamp is not None:
                    stamps.append(stamp)
        return DatasetSummary(
            count=count,
            oldest=min(stamps, default=None),
            newest=max(stamps, default=None),
        )

    def page(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        offset: int,
        limit: int,
        window: TimeWindow | None = None,
    ) -> list[Record]:
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        dated = [
            (key, stamp)
            for key, stamp in self._dated_keys(dataset, identifiers, SCAN_COUNT)
            if window is None or window.contains(stamp)
        ]
        # Newest first, undated last, then by key (as the SQL connector does).
        floor = dt.datetime.min.replace(tzinfo=dt.UTC)
        dated.sort(key=lambda kv: (kv[1] is not None, kv[1] or floor, kv[0]))
        chosen = [key for key, _stamp in reversed(dated)][offset : offset + limit]
        return self._records(dataset, chosen) if chosen else []

    def stream(
        self, dataset: Dataset, identifiers: Sequence[str], *, batch_size: int = 5000
    ) -> Iterator[Record]:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        for _value, keys in self._subject_keys(dataset, identifiers, batch_size):
            yield from self._records(dataset, keys)

    def erase(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        batch_size: int = 5000,
        found: int | None = None,
    ) -> int:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        strategy = dataset.erasure_strategy
        if strategy not in (ErasureStrategy.DELETE, ErasureStrategy.MASK):
            raise StoreMisconfigured(
                self.store,
                f"dataset '{dataset.key}': Redis keys cannot be erased by '{strategy}'",
            )
        masks = None
        if strategy == ErasureStrategy.MASK:
            try:
                masks = mask_plan(dataset)
            except ValueError as exc:
                raise StoreMisconfigured(self.store, str(exc)) from None
        client, pattern = self._client(), self._pattern(dataset)
        script = client.register_script(MASK_SCRIPT)
        erased = 0
        for value, keys in self._subject_keys(dataset, identifiers, batch_size):
            with self._errors():
                if masks is None:
                    erased += client.unlink(*keys)
                    continue
                pipe = client.pipeline(transaction=False)
                # The key named the person too: it is renamed to the pseudonym.
                head = len(pattern.prefix.encode()) + len(value.encode())
                renamed = (pattern.prefix + pseudonym(value)).encode()
                sets, deletes = masks
                args = hash_args(
                    {f: pseudonym(value) if v is None else v for f, v in sets.items()},
                    deletes,
                )
                for key in keys:
                    script(keys=[key, renamed + key[head:]], args=args, client=pipe)
                erased += sum(pipe.execute())
        return erased

    def verify(self, dataset: Dataset, identifiers: Sequence[str]) -> int:
        return sum(
            len(keys)
            for _v, keys in self._subject_keys(dataset, identifiers, SCAN_COUNT)
        )

    def erase_older_than(
        self,
        dataset: Dataset,
        cutoff: dt.datetime,
        *,
        batch_size: int = 5000,
        exclude_identifiers: Sequence[str] = (),
    ) -> int:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        field = dataset.timestamp_field
        if not field:
            raise StoreMisconfigured(
                self.store,
                f"dataset '{dataset.key}' has no timestamp field: retention "
                "cannot tell old records from new",
            )
        client, pattern = self._client(), self._pattern(dataset)
        kept = self._values(pattern, exclude_identifiers)
        script = client.register_script(DELETE_IF_STAMP_SCRIPT)
        deleted = 0
        for keys in self._scan(pattern.for_everyone(), batch_size):
            free = [
                key
                for key in keys
                if not any(pattern.owner_is(text(key), value) for value in kept)
            ]
            old = [
                (key, raw)
                for key, raw in self._stamps(free, field)
                if (stamp := timestamp(raw)) is not None and stamp < cutoff
            ]
            if not old:
                continue
            with self._errors():
                pipe = client.pipeline(transaction=False)
                for key, raw in old:
                    script(keys=[key], args=[field, raw], client=pipe)
                deleted += sum(pipe.execute())
        return deleted

    def list_locations(self) -> list[str]:
        """Distinct key prefixes: each key's text up to its first ':'."""
        prefixes = set()
        for keys in self._scan("*", SCAN_COUNT):
            prefixes.update(text(key).split(":", 1)[0] for key in keys)
        return sorted(prefixes)

    def rectify(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        changes: dict[str, Any],
    ) -> int:
        changes = self.checked_changes(dataset, changes)
        for name, value in changes.items():
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, str | int | float)
            ):
                raise ValueError(
                    f"dataset '{dataset.key}': field '{name}' of a Redis hash holds "
                    "text or a number"
                )
        pattern = self._pattern(dataset)
        if not any(
            pattern.owner_is(key, v) for v in self._values(pattern, identifiers)
        ):
            return 0  # Not this subject's key: never touched.
        client = self._client()
        script = client.register_script(RECTIFY_SCRIPT)
        args = hash_args(
            {k: v for k, v in changes.items() if v is not None},
            [k for k, v in changes.items() if v is None],
        )
        with self._errors():
            result = script(keys=[key.encode()], args=args)
        if result == -1:
            raise StoreMisconfigured(
                self.store,
                f"dataset '{dataset.key}': this record is not a hash, and only "
                "hash fields can be rectified",
            )
        return int(result)

    # -- helpers -----------------------------------------------------------

    def _client(self) -> redis.Redis:
        connection = self.store.connection or {}
        sources = [k for k in ("url_env", "url_setting") if k in connection]
        if len(sources) != 1:
            raise StoreMisconfigured(
                self.store, "connection must name exactly one of url_env, url_setting"
            )
        name = connection[sources[0]]
        if sources[0] == "url_env":
            url = os.environ.get(name)
            if not url:
                raise StoreMisconfigured(
                    self.store, f"environment variable {name} is not set"
                )
        else:
            url = getattr(settings, name, None)
            if not url:
                raise StoreMisconfigured(self.store, f"setting {name} is not defined")
        cache_key = (str(url), SOCKET_TIMEOUT_SECONDS)
        with _lock:
            client = _clients.get(cache_key)
            if client is None:
                try:
                    client = redis.Redis.from_url(
                        str(url),
                        socket_timeout=SOCKET_TIMEOUT_SECONDS,
                        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                        # Jobs retry with backoff themselves: one try here.
                        retry=Retry(NoBackoff(), 0),
                    )
                except ValueError:
                    # The message is our own: the URL may hold a password.
                    raise StoreMisconfigured(
                        self.store, f"the URL in {name} is not a valid Redis URL"
                    ) from None
                _clients[cache_key] = client
        return client

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """No raw client exception leaves the connector: it becomes a StoreError."""
        try:
            yield
        except StoreError:
            raise
        except redis.AuthenticationError as exc:
            raise StoreMisconfigured(self.store, _reason(exc)) from None
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailable(self.store, _reason(exc)) from None
        except redis.ResponseError as exc:
            raise StoreMisconfigured(self.store, _reason(exc)) from None
        except redis.RedisError as exc:
            raise StoreUnavailable(self.store, _reason(exc)) from None

    def _pattern(self, dataset: Dataset) -> KeyPattern:
        try:
            return KeyPattern.parse(dataset.location)
        except ValueError as exc:
            raise StoreMisconfigured(
                self.store, f"dataset '{dataset.key}': location {exc}"
            ) from None

    def _values(self, pattern: KeyPattern, identifiers: Sequence[str]) -> list[str]:
        """Distinct non-empty identifier values, each safe in the pattern."""
        values = sorted({str(v) for v in identifiers if v})
        if any(not pattern.accepts(v) for v in values):
            # Silently skipping the value would report its keys as gone.
            raise StoreMisconfigured(
                self.store,
                f"an identifier value holds the separator '{pattern.separator}' "
                "that follows {identifier} in the location: keys cannot be told "
                "apart by person",
            )
        return values

    def _scan(self, match: str, count: int) -> Iterator[list[bytes]]:
        client = self._client()
        cursor = 0
        while True:
            with self._errors():
                cursor, keys = client.scan(cursor=cursor, match=match, count=count)
            if keys:
                yield keys
            if cursor == 0:
                return

    def _subject_keys(
        self, dataset: Dataset, identifiers: Sequence[str], count: int
    ) -> Iterator[tuple[str, list[bytes]]]:
        """(identifier value, batch of its keys), each key once.

        SCAN may return a key twice; patterns of different values never
        share a key, so one value's keys are deduplicated on their own.
        """
        pattern = self._pattern(dataset)
        for value in self._values(pattern, identifiers):
            seen: set[bytes] = set()
            for keys in self._scan(pattern.for_identifier(value), count):
                fresh = [key for key in dict.fromkeys(keys) if key not in seen]
                seen.update(fresh)
                if fresh:
                    yield value, fresh

    def _dated_keys(
        self, dataset: Dataset, identifiers: Sequence[str], count: int
    ) -> Iterator[tuple[bytes, dt.datetime | None]]:
        for _value, keys in self._subject_keys(dataset, identifiers, count):
            if not dataset.timestamp_field:
                yield from ((key, None) for key in keys)
                continue
            for key, raw in self._stamps(keys, dataset.timestamp_field, all_keys=True):
                yield key, timestamp(raw)

    def _stamps(
        self, keys: list[bytes], field: str, *, all_keys: bool = False
    ) -> list[tuple[bytes, bytes | None]]:
        """(key, raw timestamp field) of the hashes among `keys`; with
        `all_keys`, other keys that still exist too (undated)."""
        client = self._client()
        with self._errors():
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.type(key)
            kinds = [text(kind) for kind in pipe.execute()]
            hashes = [
                key for key, kind in zip(keys, kinds, strict=True) if kind == "hash"
            ]
            pipe = client.pipeline(transaction=False)
            for key in hashes:
                pipe.hget(key, field)
            stamps = dict(zip(hashes, pipe.execute(), strict=True))
        return [
            (key, stamps.get(key))
            for key, kind in zip(keys, kinds, strict=True)
            if kind == "hash" or (all_keys and kind != "none")
        ]

    def _records(self, dataset: Dataset, keys: list[bytes]) -> list[Record]:
        """The records of `keys`, in order; keys gone meanwhile are left out."""
        client = self._client()
        with self._errors():
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.type(key)
            kinds = [text(kind) for kind in pipe.execute()]
            pipe = client.pipeline(transaction=False)
            for key, kind in zip(keys, kinds, strict=True):
                if kind in READ:
                    READ[kind](pipe, key)
                else:
                    pipe.exists(key)  # Keeps the replies in step with the keys.
            raws = pipe.execute()
        records = []
        for key, kind, raw in zip(keys, kinds, raws, strict=True):
            if kind == "none" or not raw:
                continue  # Deleted between the two round trips.
            values = decode(kind, raw)
            stamp = None
            if kind == "hash" and dataset.timestamp_field:
                stamp = timestamp(raw.get(dataset.timestamp_field.encode()))
            records.append(Record(key=text(key), timestamp=stamp, values=values))
        return records


def _reason(exc: redis.RedisError) -> str:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{type(exc).__name__}: {first_line[:300]}"
