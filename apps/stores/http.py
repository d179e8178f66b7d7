"""The connector for stores behind the company's own HTTP API.

store.connection names where the service's base URL and shared secret live,
never the values: {"base_url_env" | "base_url_setting": NAME,
"secret_env" | "secret_setting": NAME, "timeout_seconds": 10}. Every call is
a POST of a JSON body to {base}/<operation>, signed with HMAC-SHA256 so that
the service can refuse forged and replayed calls; docs/connectors.md is the
protocol a service implements.

Failures are sorted for the caller: no answer in time, a refused connection,
a 5xx or a 429 is StoreUnavailable (worth retrying); any other refusal (4xx,
a redirect, an answer outside the protocol) is StoreMisconfigured, with the
service's own message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from django.conf import settings

from apps.catalog.models import Dataset
from apps.stores.base import (
    Connector,
    DatasetSummary,
    Record,
    StoreMisconfigured,
    StoreUnavailable,
    TimeWindow,
)
from apps.stores.sql import aware

TIMESTAMP_HEADER = "X-Candor-Timestamp"
SIGNATURE_HEADER = "X-Candor-Signature"
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_TIMEOUT_SECONDS = 300.0
# Connecting should take no time on a company network; a long wait means down.
CONNECT_TIMEOUT_SECONDS = 5.0
# Personal data never crosses the network in clear text, except to this host.
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def signature(
    secret: bytes, method: str, path: str, timestamp: str, body: bytes
) -> str:
    """The X-Candor-Signature of a call: HMAC-SHA256 over the method, the path,
    the timestamp and the body, one per line, as "sha256=<hex>"."""
    message = b"\n".join(
        [method.upper().encode(), path.encode(), timestamp.encode(), body]
    )
    return "sha256=" + hmac.new(secret, message, hashlib.sha256).hexdigest()


def _now() -> float:
    """Seconds since the epoch; a seam for tests."""
    return time.time()


class HttpConnector(Connector):
    """One dataset = one collection the service knows by the dataset's
    location; the service finds the subject's records by identifier."""

    def check(self) -> None:
        self._call("check", {})

    def summarize(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        *,
        window: TimeWindow | None = None,
    ) -> DatasetSummary:
        ids = _identifiers(identifiers)
        if not ids:
            return DatasetSummary(count=0, oldest=None, newest=None)
        answer = self._call("count", _body(dataset, ids, window=_window(window)))
        return DatasetSummary(
            count=self._count(answer, "count", "count"),
            oldest=self._when(answer, "oldest", "count"),
            newest=self._when(answer, "newest", "count"),
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
        ids = _identifiers(identifiers)
        if not ids or limit == 0:
            return []
        body = _body(
            dataset,
            ids,
            cursor=None,
            offset=offset,
            limit=limit,
            window=_window(window),
        )
        return self._records(self._call("export", body), "export")[:limit]

    def stream(
        self, dataset: Dataset, identifiers: Sequence[str], *, batch_size: int = 5000
    ) -> Iterator[Record]:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        ids = _identifiers(identifiers)
        if not ids:
            return
        cursor, seen = None, set()
        while True:
            body = _body(dataset, ids, cursor=cursor, limit=batch_size)
            answer = self._call("export", body)
            yield from self._records(answer, "export")
            cursor = answer.get("next")
            if cursor is None:
                return
            if not isinstance(cursor, str) or cursor in seen:
                # A cursor that repeats would loop for ever.
                raise self._protocol(
                    "export", "'next' must be a new text cursor or null"
                )
            seen.add(cursor)

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
        ids = _identifiers(identifiers)
        if not ids:
            return 0
        body = _body(
            dataset, ids, strategy=dataset.erasure_strategy, batch_size=batch_size
        )
        return self._batches("erase", body)

    def verify(self, dataset: Dataset, identifiers: Sequence[str]) -> int:
        ids = _identifiers(identifiers)
        if not ids:
            return 0
        return self._count(
            self._call("verify", _body(dataset, ids)), "remaining", "verify"
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
        body = {
            "dataset": dataset.key,
            "location": dataset.location,
            "cutoff": cutoff.isoformat(),
            "exclude_identifiers": _identifiers(exclude_identifiers),
            "batch_size": batch_size,
        }
        return self._batches("erase-older-than", body)

    def list_locations(self) -> list[str]:
        answer = self._call("locations", {})
        locations = answer.get("locations")
        if not isinstance(locations, list) or not all(
            isinstance(x, str) for x in locations
        ):
            raise self._protocol("locations", "'locations' must be a list of text")
        return sorted(set(locations))

    def rectify(
        self,
        dataset: Dataset,
        identifiers: Sequence[str],
        key: str,
        changes: dict[str, Any],
    ) -> int:
        changes = self.checked_changes(dataset, changes)
        ids = _identifiers(identifiers)
        if not ids:
            return 0
        answer = self._call("rectify", _body(dataset, ids, key=key, changes=changes))
        updated = self._count(answer, "updated", "rectify")
        if updated > 1:
            raise self._protocol("rectify", "'updated' must be 0 or 1")
        return updated

    # -- helpers -----------------------------------------------------------

    def _call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one signed call and return the service's JSON answer."""
        base, secret, timeout = self._settings()
        try:
            content = json.dumps(
                {**body, "request_id": uuid.uuid4().hex},
                ensure_ascii=False,
                allow_nan=False,
                separators=(",", ":"),
            ).encode()
        except (TypeError, ValueError):
            raise ValueError(
                f"{operation}: the request holds a value that is not JSON"
            ) from None
        limits = httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_SECONDS))
        try:
            with httpx.Client(timeout=limits, follow_redirects=False) as client:
                request = client.build_request(
                    "POST",
                    f"{base}/{operation}",
                    content=content,
                    headers={"Content-Type": "application/json"},
                )
                stamp = str(int(_now()))
                path = request.url.raw_path.decode("ascii").split("?", 1)[0]
                request.headers[TIMESTAMP_HEADER] = stamp
                request.headers[SIGNATURE_HEADER] = signature(
                    secret, "POST", path, stamp, content
                )
                response = client.send(request)
        except httpx.TimeoutException:
            raise StoreUnavailable(
                self.store, f"{operation}: no answer within {timeout:g} s"
            ) from None
        except httpx.TransportError as exc:
            raise StoreUnavailable(
                self.store, f"{operation}: {type(exc).__name__}: {_first_line(exc)}"
            ) from None
        return self._answer(operation, response)

    def _answer(self, operation: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status >= 300:
            reason = f"{operation}: the service answered {status}: {_message(response)}"
            if status >= 500 or status == 429:
                raise StoreUnavailable(self.store, reason)
            raise StoreMisconfigured(self.store, reason)
        try:
            answer = response.json()
        except ValueError:
            raise self._protocol(operation, "the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise self._protocol(operation, "the answer is not a JSON object")
        return answer

    def _batches(self, operation: str, body: dict[str, Any]) -> int:
        """Repeat a batched erasure until the service says it is done."""
        total = 0
        while True:
            answer = self._call(operation, body)
            erased = self._count(answer, "erased", operation)
            done = answer.get("done")
            if not isinstance(done, bool):
                raise self._protocol(operation, "'done' must be true or false")
            total += erased
            if done:
                return total
            if erased == 0:
                raise self._protocol(operation, "nothing was erased, yet not done")

    def _settings(self) -> tuple[str, bytes, float]:
        connection = self.store.connection or {}
        base = self._named(connection, "base_url").rstrip("/")
        secret = self._named(connection, "secret").encode()
        timeout = connection.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= MAX_TIMEOUT_SECONDS
        ):
            raise StoreMisconfigured(
                self.store,
                f"timeout_seconds must be a number above 0 and at most "
                f"{MAX_TIMEOUT_SECONDS:g}",
            )
        try:
            url = httpx.URL(base)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise StoreMisconfigured(self.store, "the base URL is not an http(s) URL")
        if url.query or url.fragment:
            raise StoreMisconfigured(
                self.store, "the base URL must have no query or fragment"
            )
        if url.scheme == "http" and url.host not in _LOOPBACK_HOSTS:
            raise StoreMisconfigured(
                self.store,
                "the base URL must use https: personal data never travels in "
                "clear text (http is allowed only to this machine)",
            )
        return base, secret, float(timeout)

    def _named(self, connection: dict, stem: str) -> str:
        """The value of the one environment variable or setting named for `stem`."""
        sources = [k for k in (f"{stem}_env", f"{stem}_setting") if k in connection]
        if len(sources) != 1:
            raise StoreMisconfigured(
                self.store,
                f"connection must name exactly one of {stem}_env, {stem}_setting",
            )
        name = connection[sources[0]]
        if sources[0].endswith("_env"):
            value = os.environ.get(name)
            if not value:
                raise StoreMisconfigured(
                    self.store, f"environment variable {name} is not set"
                )
        else:
            value = getattr(settings, name, None)
            if not value:
                raise StoreMisconfigured(self.store, f"setting {name} is not defined")
        return str(value)

    def _records(self, answer: dict[str, Any], operation: str) -> list[Record]:
        items = answer.get("records")
        if not isinstance(items, list):
            raise self._protocol(operation, "'records' must be a list")
        records = []
        for item in items:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("key"), str | int)
                or isinstance(item.get("key"), bool)
                or not isinstance(item.get("values"), dict)
            ):
                raise self._protocol(
                    operation, "each record needs a key and a mapping of values"
                )
            stamp = item.get("timestamp")
            records.append(
                Record(
                    key=str(item["key"]),
                    timestamp=aware(stamp) if stamp is not None else None,
                    values=item["values"],
                )
            )
        return records

    def _count(self, answer: dict[str, Any], name: str, operation: str) -> int:
        value = answer.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._protocol(operation, f"'{name}' must be a whole number >= 0")
        return value

    def _when(
        self, answer: dict[str, Any], name: str, operation: str
    ) -> dt.datetime | None:
        value = answer.get(name)
        if value is None:
            return None
        when = aware(value)
        if when is None:
            raise self._protocol(
                operation, f"'{name}' must be an ISO 8601 time or null"
            )
        return when

    def _protocol(self, operation: str, reason: str) -> StoreMisconfigured:
        return StoreMisconfigured(
            self.store, f"{operation}: the service broke the protocol: {reason}"
        )


def _identifiers(identifiers: Sequence[str]) -> list[str]:
    """Distinct non-empty identifier values, in a stable order."""
    return sorted({str(value) for value in identifiers if value})


def _body(dataset: Dataset, identifiers: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "dataset": dataset.key,
        "location": dataset.location,
        "identifiers": identifiers,
        **extra,
    }


def _window(window: TimeWindow | None) -> dict[str, str | None] | None:
    if window is None:
        return None
    return {
        "start": window.start.isoformat() if window.start else None,
        "end": window.end.isoformat() if window.end else None,
    }


def _message(response: httpx.Response) -> str:
    """The service's own reason: {"error": ...} or the text, first line."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        text = answer["error"]
    else:
        text = response.text
    return _first_line(text) or response.reason_phrase


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0][:300] if lines else ""
