"""Fuzzing fixtures: a bounded, repeatable Hypothesis profile, the people
the fuzzers act as, and the summary of what ran.

The profile is the same everywhere (derandomized: CI and a laptop draw the
same cases), so a failure in CI reproduces locally with the same command.
"""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.fuzz import summary
from tests.fuzz.world import fuzz_world  # noqa: F401 (a fixture)
from tests.rights.conftest import light_catalog  # noqa: F401 (a fixture)

settings.register_profile(
    "candor",
    max_examples=40,
    deadline=None,  # a shared CI machine: slowness is not a bug here
    derandomize=True,
    database=None,  # no .hypothesis/ directory; the seed is fixed anyway
    print_blob=True,
    suppress_health_check=[
        # The database fixture is shared by the examples on purpose: each
        # example counts rows before and after instead of starting clean.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.load_profile("candor")


@pytest.fixture
def wsgi_in_test_transaction():
    """Let the real WSGI handler serve requests inside the test's transaction.

    Django closes the connection at the end of each request when it is not in
    autocommit; inside a test's transaction that would drop the test's data.
    The test client disconnects the same signal handler for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def pytest_sessionfinish(session, exitstatus):
    summary.summary_write()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    path = summary.summary_write()
    if path is None:
        return
    terminalreporter.section("fuzzed cases")
    for section, operations in summary.as_dict().items():
        for operation, outcomes in operations.items():
            shown = ", ".join(f"{k}={v}" for k, v in outcomes.items())
            terminalreporter.write_line(f"{section:10} {operation:60} {shown}")
    terminalreporter.write_line(f"total {summary.total_cases()} cases; {path}")
