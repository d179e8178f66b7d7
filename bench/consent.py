"""The `consent` suite: the decision API on the production server setup.

    .venv/bin/python -m bench.consent [--employees N] [--workers 4] [--runs 5]

Runs gunicorn (portal.wsgi, sync workers) on 127.0.0.1 and a free port, on a
portal database of the suite's own (PostgreSQL and the Redis mirror when
DATABASE_URL and CELERY_BROKER_URL are set; SQLite and the database path
otherwise), seeded with N employees of whom half consented.

- decision_throughput: requests per second of single decisions (subjects
  rotating over the roster) from `wrk` (Debian package) on loopback, or a
  Python keep-alive thread pool when wrk is absent; floor: the same stack
  answering api/v1/consent/ping/ (a constant JSON body) with the same
  request. Higher is better here: the ratio is value / floor.
- decision_p99: the 99th-percentile latency of single decisions at half the
  maximum throughput measured above (a paced Python client); floor: the
  ping's p99 at the same rate.
- batch_1000: one request deciding 1,000 subjects, one client; floor: the
  ping receiving the same 1,000-subject body.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import common

SCRATCH = "bench_consent"
PROGRAM = "ai_model_training"
DECISIONS = "/api/v1/consent/decisions/"
PING = "/api/v1/consent/ping/"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.consent", description=__doc__)
    parser.add_argument("--employees", type=int, default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=common.DEFAULT_RUNS)
    options = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = common.scratch_portal_url(SCRATCH)
    os.environ.setdefault("CONSENT_REDIS_PREFIX", f"{SCRATCH}:consent")
    common.setup_django()
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if options.employees is None:
        options.employees = 5000 if on_postgres else 1000
    secret, emails = _prepare(options)
    server = _Server(workers=options.workers)
    try:
        server.start()
        results = run_suite(options, server.port, secret, emails)
    finally:
        server.stop()
    path = common.write_results("consent", results)
    print(f"wrote {path}")


def _prepare(options: argparse.Namespace) -> tuple[str, list[str]]:
    """Migrate and seed (or reuse) N employees, half consenting; a fresh token."""
    from django.conf import settings
    from django.core.management import call_command

    from apps.catalog.models import Program
    from apps.consent.mirror import mirror_clear, mirror_client, mirror_sync
    from apps.consent.models import ConsentState
    from apps.consent.services import collector_token_create
    from apps.people.models import Employee, User
    from portal.ensure_databases import ensure_postgres_database

    portal = settings.DATABASES["default"]
    if portal["ENGINE"].endswith("postgresql"):
        ensure_postgres_database(portal)
    call_command("migrate", verbosity=0)
    if not Program.objects.filter(key=PROGRAM).exists():
        call_command("load_catalog", str(settings.CATALOG_FILE), verbosity=0)
        call_command("publish_notice", PROGRAM, "--if-missing", verbosity=0)
    if Employee.objects.filter(employee_number__startswith="B").count() != (
        options.employees
    ):
        _seed(options.employees)
    officer, _ = User.objects.get_or_create(
        username="bench-officer", defaults={"is_staff": True}
    )
    program = Program.objects.get(key=PROGRAM)
    _, secret = collector_token_create(
        name="bench", programs=[program], created_by=officer
    )
    if mirror_client() is not None:
        mirror_clear()
        mirror_sync()
    emails = list(
        Employee.objects.filter(employee_number__startswith="B")
        .order_by("employee_number")
        .values_list("work_email", flat=True)
    )
    granted = ConsentState.objects.filter(program=program, state="granted").count()
    print(f"seeded: {len(emails)} employees, {granted} consenting")
    return secret, emails


def _seed(count: int) -> None:
    """Employees B00001.. with e-mail identifiers; every other one consents."""
    from django.db import transaction

    from apps.catalog.models import Program
    from apps.consent.models import ConsentEvent, ConsentState, Notice
    from apps.consent.services import consent_grant
    from apps.people.models import Employee, Identifier, User

    program = Program.objects.get(key=PROGRAM)
    notice = Notice.objects.filter(program=program).order_by("-version").first()
    with transaction.atomic():
        old = Employee.objects.filter(employee_number__startswith="B")
        ConsentState.objects.filter(employee__in=old).delete()
        ConsentEvent.objects.filter(employee__in=old).delete()
        Identifier.objects.filter(employee__in=old).delete()
        users = list(old.values_list("user_id", flat=True))
        old.delete()
        User.objects.filter(pk__in=users).delete()
        new_users = User.objects.bulk_create(
            [User(username=f"bench{n}@example.com") for n in range(1, count + 1)]
        )
        employees = Employee.objects.bulk_create(
            [
                Employee(
                    user=user,
                    employee_number=f"B{n:06d}",
                    work_email=f"bench{n}@example.com",
                    full_name=f"Bench {n}",
                )
                for n, user in enumerate(new_users, start=1)
            ]
        )
        Identifier.objects.bulk_create(
            [
                Identifier(employee=e, kind="email", value=e.work_email)
                for e in employees
            ]
        )
    for employee in employees[::2]:
        consent_grant(employee=employee, program=program, notice=notice)


class _Server:
    """gunicorn serving portal.wsgi on a free loopback port."""

    def __init__(self, *, workers: int) -> None:
        self.workers = workers
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "portal.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=common.REPO_DIR,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = _request(self.port, "GET", PING, b"", {})
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes, headers: dict):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _bodies(emails: list[str]) -> list[bytes]:
    return [
        json.dumps(
            {"program": PROGRAM, "subject": {"kind": "email", "value": email}}
        ).encode()
        for email in emails[:500]
    ]


def _headers(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def _wrk_throughput(
    port: int, path: str, bodies: list[bytes], secret: str, options
) -> float:
    """Requests per second from wrk rotating over `bodies` (non-2xx counted as 0)."""
    script = (
        "bodies = {\n"
        + ",\n".join("[==[" + b.decode() + "]==]" for b in bodies)
        + "\n}\n"
    )
    script += (
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter % #bodies + 1\n"
        "  return wrk.format('POST', nil, {['Content-Type']='application/json',"
        f" ['Authorization']='Bearer {secret}'}}, bodies[counter])\n"
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{options.connections}",
                f"-d{options.seconds}s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}{path}",
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _python_load(
    port: int,
    path: str,
    bodies: list[bytes],
    headers: dict,
    *,
    threads: int,
    seconds: float,
    rate: float | None = None,
) -> tuple[float, list[float]]:
    """(requests per second, latencies) from `threads` keep-alive clients;
    with `rate`, requests are paced to that total rate (open schedule)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        interval = threads / rate if rate else 0.0
        due = time.perf_counter() + offset * interval / threads
        n = offset
        while time.perf_counter() < stop_at:
            if rate:
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                due += interval
            started = time.perf_counter()
            connection.request(
                "POST", path, body=bodies[n % len(bodies)], headers=headers
            )
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
            if response.will_close:
                connection.close()
            mine.append(time.perf_counter() - started)
            n += threads
        connection.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(latencies) / (time.perf_counter() - started), latencies


def _p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98]


def run_suite(
    options, port: int, secret: str, emails: list[str]
) -> list[common.Result]:
    from django.conf import settings
    from redis.utils import HIREDIS_AVAILABLE

    bodies = _bodies(emails)
    headers = _headers(secret)
    use_wrk = shutil.which("wrk") is not None
    loader = "wrk" if use_wrk else "python thread pool (http.client keep-alive)"

    def throughput(path: str) -> float:
        if use_wrk:
            return _wrk_throughput(port, path, bodies, secret, options)
        rps, _ = _python_load(
            port, path, bodies, headers,
            threads=options.connections, seconds=options.seconds,
        )  # fmt: skip
        return rps

    throughput(DECISIONS)  # warm-up: workers import, connect, fill caches
    throughput(PING)
    decision_rps, floor_rps = [], []
    for _ in range(options.runs):
        decision_rps.append(throughput(DECISIONS))
        floor_rps.append(throughput(PING))

    half = statistics.median(decision_rps) / 2
    decision_p99, floor_p99 = [], []
    for _ in range(options.runs):
        for path, sink in ((DECISIONS, decision_p99), (PING, floor_p99)):
            _, latencies = _python_load(
                port, path, bodies, headers,
                threads=8, seconds=max(2.0, options.seconds / 2), rate=half,
            )  # fmt: skip
            sink.append(_p99(latencies))

    batch = json.dumps(
        {
            "program": PROGRAM,
            "subjects": [{"kind": "email", "value": e} for e in emails[:1000]],
        }
    ).encode()
    status, reply = _request(port, "POST", DECISIONS, batch, headers)
    decisions = json.loads(reply)["decisions"]
    allowed = sum(d["decision"] == "allow" for d in decisions)
    assert status == 200 and len(decisions) == 1000, status

    def batch_call(path: str):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        def call() -> None:
            connection.request("POST", path, body=batch, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()

        return call

    batch_samples = common.timed(batch_call(DECISIONS), runs=max(options.runs, 10))
    batch_floor = common.timed(batch_call(PING), runs=max(options.runs, 10))

    portal = settings.DATABASES["default"]
    backend = common.backend_label("default")
    params = {
        "backend": backend,
        "decisions_from": "redis" if settings.CONSENT_REDIS_URL else "database",
        "redis_parser": "hiredis" if HIREDIS_AVAILABLE else "python",
        "server": f"gunicorn sync, {options.workers} workers",
        "load": loader,
        "connections": options.connections,
        "seconds": options.seconds,
        "employees": len(emails),
        "cpus": os.cpu_count(),
    }
    results = [
        common.summarize(
            "decision_throughput", "req/s", decision_rps,
            floor_samples=floor_rps, params=params,
        ),
        common.summarize(
            "decision_p99", "s", decision_p99, floor_samples=floor_p99,
            params={**params, "rate": round(half), "load": "paced python, 8 clients"},
        ),
        common.summarize(
            "batch_1000", "s", batch_samples, floor_samples=batch_floor,
            params={**params, "subjects": 1000, "allowed": allowed, "load": "1 client"},
        ),
    ]  # fmt: skip
    engine = "PostgreSQL" if portal["ENGINE"].endswith("postgresql") else "SQLite"
    common.print_table(
        f"consent: decision API on gunicorn ({options.workers} workers), {engine} "
        f"{backend}, decisions from {params['decisions_from']}, load by {loader}",
        results,
    )
    return results


if __name__ == "__main__":
    main()
