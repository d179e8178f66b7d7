"""A Hypothesis state machine over the request lifecycle, through the API.

Random sequences of what employees and officers do (file, withdraw, write,
approve, refuse, extend, ask, confirm identity), each by the right person
or by someone else. After every step: every status is one TRANSITIONS
allows after the one before, the transition log tells the same story, a
refused step changed nothing, deadlines hold together, and nothing anyone
did to another person's request succeeded.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from rest_framework.authtoken.models import Token

from apps.people.models import Identifier, IdentifierKind
from apps.rights.lifecycle import CREATED, TERMINAL, RequestStatus, may_follow
from apps.rights.models import Request, RequestKind
from tests.fuzz import summary
from tests.governance.conftest import make_user

pytestmark = pytest.mark.django_db

S = RequestStatus
API = "/api/v1/rights/requests/"
OFFICER_STEPS = ["approve", "refuse", "extend", "ask", "confirm-identity"]
# Mostly something to say; sometimes nothing, which officers' steps refuse.
TEXT = st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(["", "   "]))
_numbers = itertools.count(1)


def _snapshot(req: Request) -> tuple:
    req.refresh_from_db()
    return (
        req.status,
        req.updated_at,
        req.due_at,
        req.extended_days,
        req.transitions.count(),
        req.messages.count(),
    )


class RequestMachine(RuleBasedStateMachine):
    client = None  # set by the test: the Django test client
    officer_token = ""

    requests = Bundle("requests")

    def __init__(self):
        super().__init__()
        self.people = []
        for _ in range(2):
            n = next(_numbers)
            # No password to hash: the API signs in with a token.
            employee = make_user(f"sm{n}", employee_number=f"SM{n:05d}").employee
            for kind, value in [
                (IdentifierKind.EMAIL, employee.work_email),
                (IdentifierKind.DEVICE_SERIAL, f"SN-SM{n}"),
            ]:
                Identifier.objects.create(employee=employee, kind=kind, value=value)
            token = Token.objects.create(user=employee.user).key
            self.people.append((employee, token))
        self.mine: list[Request] = []

    def _call(self, token: str, url: str, body: dict):
        response = self.client.post(
            url,
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert response.status_code < 500, (url, response.content[:500])
        return response

    def _record(self, step: str, response) -> None:
        summary.record("lifecycle", step, str(response.status_code))

    @rule(
        target=requests,
        who=st.integers(0, 1),
        kind=st.sampled_from(RequestKind.values),
        text=TEXT,
    )
    def file(self, who, kind, text):
        employee, token = self.people[who]
        before = Request.objects.filter(subject=employee).count()
        response = self._call(token, API, {"kind": kind, "text": text})
        self._record("file", response)
        if response.status_code == 201:
            req = Request.objects.get(public_id=response.json()["id"])
            assert req.subject == employee
            self.mine.append(req)
            return req
        assert response.status_code == 400, response.content
        assert Request.objects.filter(subject=employee).count() == before
        return None

    def _step(self, req, token: str, step: str, body: dict, allowed: bool):
        if req is None:
            return
        before = _snapshot(req)
        response = self._call(token, f"{API}{req.public_id}/{step}/", body)
        self._record(step if allowed else f"{step} (by someone else)", response)
        if not allowed:
            assert response.status_code == 404, (step, response.status_code)
        if response.status_code >= 400:
            assert _snapshot(req) == before, f"a refused {step} changed the request"

    @rule(req=requests, by_owner=st.booleans(), reason=TEXT)
    def withdraw(self, req, by_owner, reason):
        token = self._token_for(req, owner=by_owner)
        self._step(req, token, "withdraw", {"reason": reason}, allowed=by_owner)

    @rule(req=requests, by_owner=st.booleans(), body=TEXT)
    def write(self, req, by_owner, body):
        token = self._token_for(req, owner=by_owner)
        self._step(req, token, "messages", {"body": body}, allowed=by_owner)

    @rule(
        req=requests,
        step=st.sampled_from(OFFICER_STEPS),
        by_officer=st.booleans(),
        text=TEXT,
    )
    def decide(self, req, step, by_officer, text):
        token = self.officer_token if by_officer else self._token_for(req, owner=True)
        field = "question" if step == "ask" else "reason"
        self._step(req, token, step, {field: text}, allowed=by_officer)

    def _token_for(self, req, *, owner: bool) -> str:
        if req is None:
            return self.people[0][1]
        for employee, token in self.people:
            if (employee.pk == req.subject_id) == owner:
                return token
        raise AssertionError("unreachable")

    @invariant()
    def statuses_follow_the_transition_table(self):
        for req in self.mine:
            req.refresh_from_db()
            log = list(
                req.transitions.order_by("id").values_list("from_status", "to_status")
            )
            assert log[0] == (CREATED, S.SUBMITTED), log
            for (_, previous), (start, end) in itertools.pairwise(log):
                assert start == previous, log
                assert may_follow(start, end), (start, end)
            assert log[-1][1] == req.status, (log, req.status)

    @invariant()
    def deadlines_hold_together(self):
        for req in self.mine:
            assert req.due_at > req.received_at
            assert (req.paused_at is not None) == (req.status == S.AWAITING_SUBJECT)
            if req.extended_days:
                assert req.extension_reason.strip() and req.extended_at
            if req.status == S.REFUSED:
                assert req.refusal_reason.strip() and req.responded_at
            if req.status in TERMINAL - {S.COMPLETED, S.PARTIALLY_COMPLETED}:
                assert req.responded_at is not None


def test_the_lifecycle_holds_under_random_steps(client, fuzz_world):
    RequestMachine.client = client
    RequestMachine.officer_token = fuzz_world.identities["officer"].token
    run_state_machine_as_test(
        RequestMachine,
        settings=settings(max_examples=15, stateful_step_count=12),
    )
