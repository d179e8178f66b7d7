"""Schemathesis against the rights API's own OpenAPI schema, in-process.

The schema is read from /api/v1/schema/ through the WSGI app, and every
operation is fuzzed as each identity (two employees, an officer, a
regulator, anonymous), with valid and invalid inputs, aimed at real request
ids and archive tokens of both employees and at an id that names nothing.
Each response goes through schemathesis's checks (no server error, status
codes, response schemas, ignored authentication) and through our own
object-level rules (tests/fuzz/api_rules.py). Violations are collected, not
raised at once, so one run reports all of them.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from portal.wsgi import application
from tests.fuzz import summary
from tests.fuzz.api_rules import (
    ERROR_CONTRACT,
    leaked_ids,
    may_use,
    snapshot,
)
from tests.fuzz.world import ANONYMOUS, OFFICER, REGULATOR

pytestmark = pytest.mark.django_db

# Examples per operation and identity; five identities make it ~100 cases
# per operation.
POSITIVE_EXAMPLES = 8
NEGATIVE_EXAMPLES = 6
IDENTITIES = ["alice", "bob", OFFICER, REGULATOR, ANONYMOUS]


def _checks_for(status: int, mode: GenerationMode) -> list:
    checks = [not_a_server_error, response_schema_conformance, ignored_auth]
    if mode is GenerationMode.NEGATIVE:
        checks.append(negative_data_rejection)  # no accepted invalid input
    # drf-spectacular documents only the success answers; the error
    # contract is in the views' docstring. Any other status is a finding.
    if status not in ERROR_CONTRACT:
        checks.append(status_code_conformance)
    return checks


def _targets(world, operation) -> list[str | None]:
    names = [p.name for p in operation.path_parameters]
    if "public_id" in names:
        return [*world.all_request_ids(), world.unknown_id]
    if "token" in names:
        return [*world.all_download_tokens(), "not-a-token"]
    return [None]


def _fuzz_operation(world, identity, operation, mode, examples, problems):
    label = operation.label
    param = next((p.name for p in operation.path_parameters), None)
    strategies = [
        st.tuples(
            st.just(target),
            operation.as_strategy(
                mode, path_parameters={param: target} if param else None
            ),
        )
        for target in _targets(world, operation)
    ]

    @settings(max_examples=examples)
    @given(drawn=st.one_of(strategies))
    def run(drawn):
        target, case = drawn
        before = snapshot(target) if param == "public_id" else None
        response = case.call(headers=identity.headers())
        status = response.status_code
        outcome = str(status)
        try:
            case.validate_response(
                response, checks=_checks_for(status, mode), headers=identity.headers()
            )
        except FailureGroup as exc:
            outcome = "check_failed"
            problems.append(f"{identity.name} {label} {target}: {exc}")
        allowed = may_use(world, identity, case.path, target)
        if 200 <= status < 300 and not allowed:
            outcome = "unauthorized_success"
            problems.append(f"{identity.name} got {status} from {label} on {target}")
        if not allowed and before is not None and snapshot(target) != before:
            outcome = "changed_by_outsider"
            problems.append(f"{identity.name} changed {target} through {label}")
        leaks = leaked_ids(world, identity, case.path, response.content)
        if leaks:
            outcome = "cross_subject_read"
            problems.append(f"{identity.name} saw {leaks} in {label}")
        summary.record("api", f"{label} [{mode.value}]", outcome)

    try:
        run()
    except Unsatisfiable:
        # Nothing but the (fixed) path to make invalid: no negative case.
        assert mode is GenerationMode.NEGATIVE, label
        summary.record("api", f"{label} [{mode.value}]", "nothing_to_negate")


@pytest.mark.parametrize("who", IDENTITIES)
def test_it_keeps_the_rights_api_contract(who, fuzz_world, wsgi_in_test_transaction):
    identity = fuzz_world.identities[who]
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/",
        application,
        headers=fuzz_world.identities[OFFICER].headers(),
    )
    problems: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14  # the schema lost operations: fuzz them too
    for operation in operations:
        for mode, examples in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            _fuzz_operation(fuzz_world, identity, operation, mode, examples, problems)
    assert not problems, "\n\n".join(problems[:20])
