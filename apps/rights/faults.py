"""Named points where a fault-injection test kills the worker on purpose.

The engine calls `checkpoint("erase.verified")` at each step whose
interruption must be survivable. In production nothing happens: the
variable CANDOR_FAULT_POINT is unset, and a checkpoint costs one comparison.
The fault tests (tests/faults/) start a real worker with

    CANDOR_FAULT_POINT=<name>          SIGKILL the process that reaches it
                                       (a prefork pool child);
    CANDOR_FAULT_POINT=<name>@worker   SIGKILL its parent too (the whole
                                       worker, as an out-of-memory killer or a
                                       lost host would);
    CANDOR_FAULT_ONCE=<path>           fire only once per worker: the first
                                       process to create <path> dies, later
                                       ones (a fresh pool child) carry on.

The variables are read once, at import, so a test cannot switch them on in
a process that is already running.
"""

from __future__ import annotations

import os
import signal

_SPEC = os.environ.get("CANDOR_FAULT_POINT", "")
POINT, _, SCOPE = _SPEC.partition("@")
ONCE = os.environ.get("CANDOR_FAULT_ONCE", "")


def checkpoint(name: str) -> None:
    """Die here, at once and without cleaning up, if the test asked for it."""
    if name != POINT:
        return
    _die()


def _first_to_fire() -> bool:
    if not ONCE:
        return True
    try:
        fd = os.open(ONCE, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    # What died, for the test to check: "<pid> <scope>".
    os.write(fd, f"{os.getpid()} {SCOPE or 'process'}\n".encode())
    os.close(fd)
    return True


def _die() -> None:
    if not _first_to_fire():
        return
    if SCOPE == "worker":
        os.kill(os.getppid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
