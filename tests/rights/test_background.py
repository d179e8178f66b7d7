"""The background thread that deflates the archive's members
(apps.rights.background, assembly._BackgroundDeflate)."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from isal import isal_zlib

from apps.rights import background
from apps.rights.background import Lane
from apps.rights.services.assembly import _BackgroundDeflate, _deflate


def _chunks(count: int) -> list[bytes]:
    return [
        b"".join(b'{"key":"%d","typed":"%x"}\n' % (i, i * 2654435761) for i in range(n))
        for n in range(1000, 1000 + count)
    ]


@pytest.mark.parametrize("count", [1, background.AHEAD + 7])
def test_the_background_deflate_is_the_same_stream(count):
    chunks = _chunks(count)
    inline, beside = _deflate(), _BackgroundDeflate()

    expected = b"".join(map(inline.compress, chunks)) + inline.flush()
    made = b"".join(map(beside.compress, chunks)) + beside.flush()

    assert made == expected
    assert isal_zlib.decompress(made, wbits=-15) == b"".join(chunks)


def test_a_lane_runs_its_calls_in_order_on_one_other_thread():
    lane = Lane()
    seen = []

    def record(n):
        seen.append((n, threading.current_thread().name))
        return n

    done = []
    for n in range(20):
        done += lane.submit(record, n)
    done += lane.drain()

    assert done == list(range(20))
    assert [n for n, _ in seen] == list(range(20))
    threads = {name for _, name in seen}
    assert len(threads) == 1
    assert threads != {threading.current_thread().name}


def test_an_error_in_the_background_is_raised_to_the_caller():
    lane = Lane()

    def broken(n):
        if n == 2:
            raise OSError("disk full")
        return n

    with pytest.raises(OSError, match="disk full"):
        for n in range(10):
            lane.submit(broken, n)
        lane.drain()


def test_a_forked_child_deflates_on_a_thread_of_its_own():
    Lane().submit(len, b"starts the parent's thread")
    pid = os.fork()
    if pid == 0:  # The child: a pool worker after the fork.
        signal.alarm(10)  # The parent's thread is not here: it would hang.
        try:
            deflate = _BackgroundDeflate()
            made = deflate.compress(b"x" * 100_000) + deflate.flush()
            unpacked = isal_zlib.decompress(made, wbits=-15)
            os._exit(0 if unpacked == b"x" * 100_000 else 1)
        except BaseException:  # noqa: BLE001 - reported by the exit status
            os._exit(2)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
