"""Workers to kill, and a Redis server of the suite's own to restart.

Each worker listens on a queue of its own (tests.worker.Worker), loads the
suite's checkpoints (tests.faults.inject) and gets its environment from the
test: the fault point, short leases, small batches.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from portal.celery import app as celery_app
from tests.worker import Worker, spawn_worker, wait_until


def children_of(pid: int) -> list[int]:
    """The pool children of process `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_worker(env: dict[str, str]) -> Worker:
    queue = f"fault-{uuid.uuid4().hex[:12]}"
    env = {"RIGHTS_EXPORT_ROOT": str(settings.RIGHTS_EXPORT_ROOT), **env}
    # The fault variables come only from `env`, never from this process.
    unset = {"CANDOR_FAULT_POINT": "", "CANDOR_FAULT_ONCE": ""}
    worker = spawn_worker(
        queue,
        {**unset, **env},
        "--include=tests.faults.inject",
        "--without-heartbeat",
    )
    worker.wait_ready()
    return worker


def stop_worker(worker: Worker) -> None:
    """Stop a worker that is still alive (gently), and reap one that died."""
    process = worker.process
    # Taken first: once the main process has exited, its pool children (if
    # any outlived it) are no longer listed as its children.
    children = children_of(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)
            process.wait()
    for pid in children:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    forget_queue(worker.queue)


def forget_queue(queue: str) -> None:
    """Remove the worker's queue (and what a killed worker left in it) from
    a Redis broker; the filesystem broker's folder is the test run's own."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def kill_tree(pid: int) -> None:
    for target in [pid, *children_of(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)


@contextlib.contextmanager
def sending_to(worker: Worker) -> Iterator[None]:
    """Tasks sent by this (test) process go to `worker`'s queue."""
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = worker.queue
    try:
        yield
    finally:
        celery_app.conf.task_default_queue = previous


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a port of its own: killed and
    restarted empty at will (no RDB, no AOF), the shared one untouched."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, interval=0.05)

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


def wait_dead(pid: int, timeout: float = 60) -> None:
    wait_until(lambda: not alive(pid), timeout=timeout, interval=0.05)


class PortForwarder:
    """A TCP port that refuses connections until `open()`, then forwards
    each one to `target` (a database server): a store that comes back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._server: socket.socket | None = None

    def open(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _accept(self) -> None:
        server = self._server
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # Closed.
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
