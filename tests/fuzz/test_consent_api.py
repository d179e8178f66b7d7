"""Schemathesis against the collectors' consent API (tests/fuzz/consent_schema.py).

Callers: a collector with a live token, a collector whose token was revoked,
an employee presenting a rights-API token (the wrong credential) and an
anonymous caller. Only the live token gets an answer; malformed input is a
400 with a message; nothing is ever a 500 (the API fails closed).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from apps.consent.services import collector_token_create, consent_grant
from apps.consent.services.consent import notice_latest
from apps.consent.services.tokens import collector_token_revoke
from apps.people.models import Identifier, IdentifierKind
from portal.wsgi import application
from tests.fuzz import summary
from tests.fuzz.consent_schema import CONSENT_OPENAPI

pytestmark = pytest.mark.django_db

POSITIVE_EXAMPLES = 15
NEGATIVE_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]


@pytest.fixture
def callers(fuzz_world, settings):
    """Bearer headers of each caller, keyed by name."""
    settings.CONSENT_CHANGES_MAX_WAIT_SECONDS = 0  # no case may sleep
    officer = fuzz_world.identities["officer"].user
    alice = fuzz_world.identities["alice"].employee
    endpoint, training = fuzz_world_programs()
    notice = notice_latest(program=training)
    Identifier.objects.get_or_create(
        employee=alice, kind=IdentifierKind.EMAIL, value=alice.work_email
    )
    consent_grant(employee=alice, program=training, notice=notice)
    _, live = collector_token_create(
        name="agent", programs=[endpoint, training], created_by=officer
    )
    revoked_token, revoked = collector_token_create(
        name="old", programs=[training], created_by=officer
    )
    collector_token_revoke(token=revoked_token)
    employee_token = Token.objects.get(user=alice.user).key
    return {
        "collector": {"Authorization": f"Bearer {live}"},
        "revoked": {"Authorization": f"Bearer {revoked}"},
        "employee_token": {"Authorization": f"Bearer {employee_token}"},
        "anonymous": {},
    }


def fuzz_world_programs():
    from apps.catalog.models import Program

    return Program.objects.get(key="endpoint"), Program.objects.get(key="ai_training")


def _fuzz(name, headers, operation, mode, examples, problems):
    label = operation.label
    protected = "ping" not in operation.path

    @settings(max_examples=examples)
    @given(case=operation.as_strategy(mode))
    def run(case):
        response = case.call(headers=headers)
        outcome = str(response.status_code)
        checks = CHECKS + (
            [negative_data_rejection] if mode.value == "negative" else []
        )
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as exc:
            outcome = "check_failed"
            problems.append(f"{name} {label}: {exc}")
        if protected and name != "collector" and response.status_code < 300:
            outcome = "unauthorized_success"
            problems.append(f"{name} got {response.status_code} from {label}")
        summary.record("consent", f"{label} [{mode.value}] as {name}", outcome)

    try:
        run()
    except Unsatisfiable:
        summary.record(
            "consent", f"{label} [{mode.value}] as {name}", "nothing_to_negate"
        )


@pytest.mark.parametrize(
    "name", ["collector", "revoked", "employee_token", "anonymous"]
)
def test_it_keeps_the_consent_api_contract(name, callers, wsgi_in_test_transaction):
    schema = schemathesis.openapi.from_dict(CONSENT_OPENAPI)
    schema.app = application
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            _fuzz(name, callers[name], operation, mode, examples, problems)
    assert not problems, "\n\n".join(problems[:20])


def test_it_answers_the_live_collector(client, callers, fuzz_world):
    """The fuzzed API is the real one: a known subject gets a decision."""
    alice = fuzz_world.identities["alice"].employee
    response = client.post(
        "/api/v1/consent/decisions/",
        {
            "program": "ai_training",
            "subject": {"kind": "email", "value": alice.work_email},
        },
        content_type="application/json",
        headers=callers["collector"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "allow"
