"""Byte work handed to a second thread while the caller goes on.

ISA-L's deflate lets go of the interpreter's lock, so an archive's members
are deflated beside the Python that reads, decrypts and checksums the next
chunks. One thread per process does it, in the order the work was given.

(Handing the export parts' hashing and encryption to it as well gained
nothing measurable: the job's own encoding holds the lock, and the
database server is busy on the other core while a job reads.)
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

# Calls of one Lane in flight at most: memory stays at a few chunks.
AHEAD = 4

_executor: ThreadPoolExecutor | None = None


def _thread() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bytes")
    return _executor


def _forget_after_fork() -> None:
    # A pool child must not use its parent's thread, which it does not have.
    global _executor
    _executor = None


os.register_at_fork(after_in_child=_forget_after_fork)


class Lane:
    """Calls run one after another on the shared thread, in the order given.

    submit() hands back the results of the calls done so far, in order, and
    waits only when more than AHEAD are in flight; drain() waits for all.
    An error raised by a call is raised by the submit() or drain() that
    takes its result, so nothing fails unseen."""

    def __init__(self) -> None:
        self._pending: deque[Future] = deque()

    def submit(self, call: Callable[..., Any], *args: Any) -> list[Any]:
        self._pending.append(_thread().submit(call, *args))
        done = []
        while self._pending and (
            self._pending[0].done() or len(self._pending) > AHEAD
        ):
            done.append(self._pending.popleft().result())
        return done

    def drain(self) -> list[Any]:
        done = []
        while self._pending:
            done.append(self._pending.popleft().result())
        return done
