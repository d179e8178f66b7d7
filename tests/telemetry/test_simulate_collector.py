"""The demo collector asks the portal over HTTP and obeys a withdrawal."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import LegalBasis, Program
from apps.consent.services import (
    collector_token_create,
    consent_grant,
    consent_withdraw,
    notice_publish_from_catalog,
)
from apps.people.models import Employee, Identifier, IdentifierKind, User
from apps.telemetry.identities import identities
from apps.telemetry.models import SeedRun, TrainingCorpusEntry
from apps.telemetry.seeding.params import SeedParams
from tests.telemetry.conftest import SMALL, seed, telemetry_db

pytestmark = telemetry_db


def roster() -> list:
    run = SeedRun.objects.get()
    params = SeedParams(employees=6, days=3, seed=7)
    people = identities(
        seed=run.params["seed"], count=6,
        window_start=params.window_start, window_end=params.until,
    )  # fmt: skip
    return [p for p in people if p.left_on is None]


def enrol(person) -> Employee:
    user = User.objects.create_user(username=person.work_email)
    employee = Employee.objects.create(
        user=user, employee_number=person.employee_number,
        work_email=person.work_email, full_name=person.full_name,
    )  # fmt: skip
    Identifier.objects.create(
        employee=employee, kind=IdentifierKind.EMAIL, value=person.work_email
    )
    return employee


def simulate(live_server, secret: str, attempts: int = 60) -> str:
    out = StringIO()
    call_command(
        "simulate_collector", "--portal", live_server.url, "--token", secret,
        "--attempts", str(attempts), stdout=out,
    )  # fmt: skip
    return out.getvalue()


def corpus_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for email in TrainingCorpusEntry.objects.values_list("email", flat=True):
        counts[email] = counts.get(email, 0) + 1
    return counts


def test_no_new_captures_after_a_withdrawal(live_server, files_root):
    seed(*SMALL)
    people = roster()
    employees = [enrol(p) for p in people]
    program = Program.objects.create(
        key="ai_model_training", name="AI model training", purpose="Train",
        legal_basis=LegalBasis.CONSENT, retention_days=365,
        data_subjects=["employee"], data_categories=["user.content.ai_prompt"],
    )  # fmt: skip
    notice = notice_publish_from_catalog(program=program)
    officer = User.objects.create_user(username="officer", is_staff=True)
    _, secret = collector_token_create(
        name="demo collector", programs=[program], created_by=officer
    )
    keen, leaving = employees[0], employees[1]
    for employee in (keen, leaving):
        consent_grant(employee=employee, program=program, notice=notice)

    before = corpus_counts()
    output = simulate(live_server, secret)
    middle = corpus_counts()
    assert "allow:consented" in output and "deny:no_consent" in output
    grew = {e for e in middle if middle[e] > before.get(e, 0)}
    assert grew == {keen.work_email, leaving.work_email}

    consent_withdraw(employee=leaving, program=program)
    output = simulate(live_server, secret)
    after = corpus_counts()
    assert "deny:withdrawn" in output
    assert after[leaving.work_email] == middle[leaving.work_email]
    assert after[keen.work_email] > middle[keen.work_email]
    others = {p.work_email for p in people} - {keen.work_email, leaving.work_email}
    assert all(after.get(e, 0) == before.get(e, 0) for e in others)


def test_a_wrong_token_or_no_portal_captures_nothing(live_server, files_root):
    seed(*SMALL)
    before = TrainingCorpusEntry.objects.count()
    assert "deny:http_401" in simulate(live_server, "cnd_wrong", attempts=3)
    out = StringIO()
    call_command(
        "simulate_collector", "--portal", "http://127.0.0.1:1", "--token", "x",
        "--attempts", "2", stdout=out,
    )  # fmt: skip
    assert "deny:unreachable" in out.getvalue()
    assert TrainingCorpusEntry.objects.count() == before


def test_it_needs_a_token_and_a_seed(files_root):
    with pytest.raises(CommandError, match="token"):
        call_command("simulate_collector", "--token", "")
    with pytest.raises(CommandError, match="not seeded"):
        call_command("simulate_collector", "--token", "x")
