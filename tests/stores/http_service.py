"""A company service speaking Candor's store protocol (docs/connectors.md),
served for real on 127.0.0.1 in a thread, for the HTTP connector's tests.

It checks every call as a real service must: the signature over method,
path, timestamp and body; the timestamp's age; and request ids already
seen (replays). Its records live in memory.
"""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

SECRET = "test-shared-secret"
MAX_SKEW_SECONDS = 300
BASE_PATH = "/candor/v1"


@dataclass
class Row:
    key: str
    subject: str
    timestamp: dt.datetime | None
    values: dict


@dataclass
class FakeService:
    url: str = ""
    secret: str = SECRET
    datasets: dict[str, list[Row]] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # Fault injection: answer every call with this status, or stall first.
    fail_status: int | None = None
    stall: threading.Event | None = None
    last_request: dict | None = None

    def __call__(self, environ, start_response):
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            "X-Candor-Timestamp": environ.get("HTTP_X_CANDOR_TIMESTAMP", ""),
            "X-Candor-Signature": environ.get("HTTP_X_CANDOR_SIGNATURE", ""),
        }
        self.last_request = {"path": path, "headers": headers, "body": body}
        if self.stall is not None:
            self.stall.wait(10)
        status, answer = self.handle(environ["REQUEST_METHOD"], path, headers, body)
        payload = json.dumps(answer).encode()
        start_response(
            f"{status} X",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
            ],
        )
        return [payload]

    def handle(self, method, path, headers, body) -> tuple[int, dict]:
        refusal = self.authenticate(method, path, headers, body)
        if refusal:
            self.refused.append(refusal)
            return 401, {"error": refusal}
        if self.fail_status:
            return self.fail_status, {"error": "the service is having a bad day"}
        request = json.loads(body)
        operation = path.removeprefix(BASE_PATH + "/")
        self.calls.append((operation, request))
        if operation in ("check", "locations"):
            return 200, {"ok": True, "locations": sorted(self.datasets)}
        rows = self.datasets.get(request.get("location"))
        if rows is None:
            return 400, {"error": f"unknown dataset {request.get('location')!r}"}
        handler = getattr(self, "op_" + operation.replace("-", "_"), None)
        if handler is None:
            return 404, {"error": f"no operation {operation}"}
        return 200, handler(rows, request)

    def authenticate(self, method, path, headers, body) -> str:
        stamp = headers["X-Candor-Timestamp"]
        message = b"\n".join([method.encode(), path.encode(), stamp.encode(), body])
        expected = (
            "sha256="
            + hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, headers["X-Candor-Signature"]):
            return "bad signature"
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
            return "stale timestamp"
        request_id = json.loads(body).get("request_id")
        if not request_id or request_id in self.seen_ids:
            return "replayed request"
        self.seen_ids.add(request_id)
        return ""

    # -- operations ----------------------------------------------------------

    @staticmethod
    def _mine(rows, request):
        ids = set(request["identifiers"])
        window = request.get("window") or {}
        start = window.get("start") and dt.datetime.fromisoformat(window["start"])
        end = window.get("end") and dt.datetime.fromisoformat(window["end"])
        return [
            r
            for r in rows
            if r.subject in ids
            and (
                not window
                or (
                    r.timestamp is not None
                    and (not start or r.timestamp >= start)
                    and (not end or r.timestamp < end)
                )
            )
        ]

    def op_count(self, rows, request):
        mine = self._mine(rows, request)
        stamps = [r.timestamp for r in mine if r.timestamp]
        return {
            "count": len(mine),
            "oldest": min(stamps).isoformat() if stamps else None,
            "newest": max(stamps).isoformat() if stamps else None,
        }

    def op_export(self, rows, request):
        floor = dt.datetime.min.replace(tzinfo=dt.UTC)
        mine = sorted(
            self._mine(rows, request),
            key=lambda r: (r.timestamp or floor, r.key),
            reverse=True,
        )
        start = (
            int(request["cursor"])
            if request.get("cursor")
            else request.get("offset", 0)
        )
        end = start + request["limit"]
        return {
            "records": [
                {
                    "key": r.key,
                    "timestamp": r.timestamp.isoformat() if r.timestamp else None,
                    "values": r.values,
                }
                for r in mine[start:end]
            ],
            "next": str(end) if end < len(mine) else None,
        }

    def op_erase(self, rows, request):
        batch = self._mine(rows, request)[: request["batch_size"]]
        for row in batch:
            rows.remove(row)
        return {"erased": len(batch), "done": not self._mine(rows, request)}

    def op_verify(self, rows, request):
        return {"remaining": len(self._mine(rows, request))}

    def op_rectify(self, rows, request):
        for row in self._mine(rows, request):
            if row.key == request["key"]:
                row.values.update(request["changes"])
                return {"updated": 1}
        return {"updated": 0}

    def op_erase_older_than(self, rows, request):
        cutoff = dt.datetime.fromisoformat(request["cutoff"])
        kept = set(request["exclude_identifiers"])

        def old():
            return [
                r
                for r in rows
                if r.timestamp and r.timestamp < cutoff and r.subject not in kept
            ]

        batch = old()[: request["batch_size"]]
        for row in batch:
            rows.remove(row)
        return {"erased": len(batch), "done": not old()}


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base's name)
        pass


@pytest.fixture
def http_service():
    """The service, listening on a free port until the test ends."""
    service = FakeService()
    server = make_server(
        "127.0.0.1", 0, service, server_class=_Server, handler_class=_QuietHandler
    )
    service.url = f"http://127.0.0.1:{server.server_port}{BASE_PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service
    if service.stall is not None:
        service.stall.set()  # Let a stalled handler finish.
    server.shutdown()
    server.server_close()
    thread.join(5)
